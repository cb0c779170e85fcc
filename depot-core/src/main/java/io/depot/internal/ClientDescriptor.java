package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * One slot of the client table: an attached process.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                 pid (32), or the recoverer's token (32)       |   0  state word (CAS), low word
 *  +-------------------------------------------+-----------+---+---+
 *  |              Generation (20)              | reserved  |St |   4  state word, high word (St: bits 62..63)
 *  +-------------------------------------------+-----------+---+---+
 *  |              Process start time (clock ticks) (8)             |   8
 *  |                 Attach time, epoch millis (8)                 |  16
 *  |     Adopting: 0, or ADOPT_STARTED | ADOPT_TAKEOVER (8)         |  24
 *  |          Recounting: descriptor index + 1, 0 = none (8)       |  32
 *  |                        (padding)                              |  40..63
 *  |           Puts (8) | Gets (8) | Removes (8): own counters     |  64..87
 *  |                        (padding)                              |  88..127
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The state word is claimed with one CAS that writes the new generation and the pid together, so
 * the slot is attributable from its first instant. States: {@code FREE(gen)}, {@code CLAIMING(gen,
 * pid)} (attaching), {@code ATTACHED(gen, pid)}, and {@code RECOVERING(gen, recoverer token)}: a
 * recovery of a dead occupant is claimed by the CAS that writes the recoverer's token into the
 * word, so a dead recoverer is recognisable at every instant and its recovery can be taken over
 * with one more CAS. A process that finds the table full adopts a dead slot: one CAS from the dead
 * occupant's word to {@code CLAIMING(gen + 1, own pid)}, then the adopting word records that the
 * slot's previous state is being recovered by its new occupant (so that, should the adopter die
 * too, the next recoverer knows a recovery was under way and recounts instead of decrementing). A
 * client's <b>token</b> is {@code generation << 12 | (slot + 1)}: lock words, WRITE-stage
 * descriptors and recoverers record tokens, so a slot reused by another process never inherits the
 * dead one's locks.
 */
final class ClientDescriptor {
  public static final int LENGTH = 128;

  public static final int STATE_OFFSET = 0;
  public static final int START_TIME_OFFSET = STATE_OFFSET + 8;
  public static final int ATTACH_MILLIS_OFFSET = START_TIME_OFFSET + 8;
  public static final int ADOPTING_OFFSET = ATTACH_MILLIS_OFFSET + 8;
  public static final int RECOUNTING_OFFSET = ADOPTING_OFFSET + 8;
  public static final int PUTS_OFFSET = 64;
  public static final int GETS_OFFSET = PUTS_OFFSET + 8;
  public static final int REMOVES_OFFSET = GETS_OFFSET + 8;

  public static final long STATE_FREE = 0;
  public static final long STATE_CLAIMING = 1;
  public static final long STATE_ATTACHED = 2;
  public static final long STATE_RECOVERING = 3;

  /** Adopting word: the new occupant is recovering the slot's previous state. */
  public static final long ADOPT_STARTED = 1;

  /**
   * Adopting word: and that state was itself half recovered (pins are recounted, not decremented).
   */
  public static final long ADOPT_TAKEOVER = 2;

  private static final int STATE_SHIFT = 62;
  private static final int GEN_SHIFT = 32;
  public static final int GEN_BITS = 20;
  private static final long GEN_MASK = (1L << GEN_BITS) - 1;
  private static final long PID_MASK = 0xFFFF_FFFFL;
  public static final int SLOT_BITS = 12;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("state"),
          JAVA_LONG.withName("startTime"),
          JAVA_LONG.withName("attachMillis"),
          JAVA_LONG.withName("adopting"),
          JAVA_LONG.withName("recounting"),
          MemoryLayout.paddingLayout(PUTS_OFFSET - RECOUNTING_OFFSET - 8),
          JAVA_LONG.withName("puts"),
          JAVA_LONG.withName("gets"),
          JAVA_LONG.withName("removes"),
          MemoryLayout.paddingLayout(LENGTH - REMOVES_OFFSET - 8));

  private ClientDescriptor() {}

  public static long stateWord(long state, int generation, long pid) {
    return (state << STATE_SHIFT) | ((generation & GEN_MASK) << GEN_SHIFT) | (pid & PID_MASK);
  }

  public static long state(long word) {
    return word >>> STATE_SHIFT;
  }

  public static int generation(long word) {
    return (int) ((word >>> GEN_SHIFT) & GEN_MASK);
  }

  public static long pid(long word) {
    return word & PID_MASK;
  }

  /**
   * The token of the client recovering a slot whose word is {@code word} (in state {@link
   * #STATE_RECOVERING}).
   */
  public static long recoverer(long word) {
    return word & PID_MASK;
  }

  /**
   * A RECOVERING word: generation {@code generation}, recovered by the client holding {@code
   * recoverer}.
   */
  public static long recoveringWord(int generation, long recoverer) {
    return stateWord(STATE_RECOVERING, generation, recoverer);
  }

  /**
   * The token of the client in {@code slot} at {@code generation}: an unsigned 32-bit value (as a
   * long, never sign-extended: it is compared with the 32-bit fields that hold it), never 0.
   */
  public static long token(int slot, int generation) {
    return ((generation & GEN_MASK) << SLOT_BITS) | (slot + 1);
  }

  /** The slot of {@code token}. */
  public static int slotOf(long token) {
    return (int) (token & ((1 << SLOT_BITS) - 1)) - 1;
  }

  /** The state names, for reports. */
  public static String stateName(long state) {
    return switch ((int) state) {
      case 0 -> "FREE";
      case 1 -> "CLAIMING";
      case 2 -> "ATTACHED";
      case 3 -> "RECOVERING";
      default -> "state" + state;
    };
  }

  /** The generation of {@code token}. */
  public static int generationOf(long token) {
    return (int) ((token >>> SLOT_BITS) & GEN_MASK);
  }
}
