package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * An object descriptor: one cache line per object in the directory (a queue is one object; its
 * entries live in its value).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |     Count (32): refcount (COMMITTED, ZOMBIE) or owner token   |   0  ctl, low word (a little-endian long:
 *  |                 (WRITE, FREEING)                              |      bits 0..31 first)
 *  +-----+-+-------------------------------------------------------+
 *  |State|R|                 Generation (28)                       |   4  ctl, high word: state bits 32..34,
 *  +-----+-+-------------------------------------------------------+      R bit 35, generation bits 36..63
 *  |              Next in bucket chain: index + 1, 0 = end (32)    |   8
 *  +-------------------------------+---------------+---------------+
 *  |         Name length (16)      |   Kind (8)    |   Flags (8)   |  12
 *  +-------------------------------+---------------+---------------+
 *  |                     Name hash (64)                            |  16
 *  |                     Block offset in the file, 0 = none (64)   |  24
 *  |                     Block size in bytes (64)                  |  32
 *  |                     Value length in bytes (64)                |  40
 *  |                     Aux: kind-specific (64)                   |  48
 *  |                     Commit sequence (64)                      |  56
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>The ctl word is the truth of the lifecycle: {@code FREE} → (claim: CAS, generation + 1, count
 * = owner token) {@code WRITE} → (commit: CAS) {@code COMMITTED} (count = readers: IDLE at 0, BUSY
 * above) → (remove: CAS) {@code ZOMBIE} → (last release: CAS, count = freer's token) {@code
 * FREEING} → (block freed: release-store) {@code FREE}. Bit R ({@code RECOUNT}) freezes the count
 * while recovery recounts a dead reader's ambiguous pin; on a WRITE descriptor the same bit is
 * {@code SUPERSEDED}: a create (not a replace) of a name that a replace committed while the create
 * was in flight, whose commit must therefore fail as the name exists.
 */
final class ObjectDescriptor {
  public static final int LENGTH = 64;

  public static final int CTL_OFFSET = 0;
  public static final int NEXT_OFFSET = CTL_OFFSET + 8;
  public static final int NAME_LENGTH_OFFSET = NEXT_OFFSET + 4;
  public static final int KIND_OFFSET = NAME_LENGTH_OFFSET + 2;
  public static final int FLAGS_OFFSET = KIND_OFFSET + 1;
  public static final int HASH_OFFSET = FLAGS_OFFSET + 1;
  public static final int BLOCK_OFFSET = HASH_OFFSET + 8;
  public static final int BLOCK_SIZE_OFFSET = BLOCK_OFFSET + 8;
  public static final int DATA_LENGTH_OFFSET = BLOCK_SIZE_OFFSET + 8;
  public static final int AUX_OFFSET = DATA_LENGTH_OFFSET + 8;
  public static final int COMMIT_SEQ_OFFSET = AUX_OFFSET + 8;

  public static final int FREE = 0;
  public static final int WRITE = 1;
  public static final int COMMITTED = 2;
  public static final int ZOMBIE = 3;
  public static final int FREEING = 4;

  /** Flag: the writer replaces any committed object of the same name at commit. */
  public static final int FLAG_REPLACE = 1;

  /**
   * Flag: set by a writer, under its bucket's lock, just before its commit CAS, and cleared before
   * the lock is released. A descriptor found COMMITTED with it after its writer died mid-commit is
   * the new value of its name: the repair of the bucket completes the commit by retiring the older
   * objects of that name.
   */
  public static final int FLAG_COMMITTING = 2;

  private static final int STATE_SHIFT = 32;
  private static final long STATE_MASK = 0x7L << STATE_SHIFT;
  public static final long RECOUNT = 1L << 35;

  /** Bit R on a WRITE descriptor: see the class comment. */
  public static final long SUPERSEDED = RECOUNT;

  private static final int GEN_SHIFT = 36;
  public static final int GEN_MASK = (1 << 28) - 1;
  private static final long COUNT_MASK = 0xFFFF_FFFFL;
  public static final long MAX_COUNT = 0x7FFF_FFFFL;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("ctl"),
          JAVA_INT.withName("next"),
          JAVA_SHORT.withName("nameLength"),
          JAVA_BYTE.withName("kind"),
          JAVA_BYTE.withName("flags"),
          JAVA_LONG.withName("hash"),
          JAVA_LONG.withName("block"),
          JAVA_LONG.withName("blockSize"),
          JAVA_LONG.withName("dataLength"),
          JAVA_LONG.withName("aux"),
          JAVA_LONG.withName("commitSeq"));

  private ObjectDescriptor() {}

  public static long ctl(int generation, int state, long count) {
    return ((long) (generation & GEN_MASK) << GEN_SHIFT)
        | ((long) state << STATE_SHIFT)
        | (count & COUNT_MASK);
  }

  public static int state(long ctl) {
    return (int) ((ctl & STATE_MASK) >>> STATE_SHIFT);
  }

  public static int generation(long ctl) {
    return (int) (ctl >>> GEN_SHIFT) & GEN_MASK;
  }

  public static long count(long ctl) {
    return ctl & COUNT_MASK;
  }

  public static boolean recounting(long ctl) {
    return (ctl & RECOUNT) != 0;
  }

  /**
   * Whether a WRITE descriptor's create was superseded by a replace of its name (see the class
   * comment).
   */
  public static boolean superseded(long ctl) {
    return state(ctl) == WRITE && (ctl & SUPERSEDED) != 0;
  }

  /** {@code ctl} with its state and count replaced, generation and RECOUNT kept. */
  public static long with(long ctl, int state, long count) {
    return (ctl & ~(STATE_MASK | COUNT_MASK))
        | ((long) state << STATE_SHIFT)
        | (count & COUNT_MASK);
  }

  public static int nextGeneration(int generation) {
    return (generation + 1) & GEN_MASK;
  }

  /**
   * A block owner tag, which is also an object's version: descriptor index (low word) and
   * generation (high word) in one long (block headers, page map, queue slots, versions).
   */
  public static long ownerTag(int index, int generation) {
    return ((long) generation << 32) | Integer.toUnsignedLong(index);
  }

  /** The descriptor index of an owner tag. */
  public static int ownerIndex(long tag) {
    return (int) tag;
  }

  /** The generation of an owner tag. */
  public static int ownerGeneration(long tag) {
    return (int) (tag >>> 32);
  }

  public static String stateName(int state) {
    return switch (state) {
      case FREE -> "FREE";
      case WRITE -> "WRITE";
      case COMMITTED -> "COMMITTED";
      case ZOMBIE -> "ZOMBIE";
      case FREEING -> "FREEING";
      default -> "state" + state;
    };
  }
}
