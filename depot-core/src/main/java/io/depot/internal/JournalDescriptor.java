package io.depot.internal;

/**
 * One entry of a client's handle journal: which descriptor a handle of that client pins, and how
 * far the pin has got. The journal makes reader refcounts recoverable when a reader dies.
 *
 * <pre>
 * A pin on a descriptor (an object, a queue handle):
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                    Descriptor index (32)                      |   0  low word
 *  +-------------------------------------------------------+-+-+---+
 *  |            Descriptor generation (28)                 |0|0|St |   4  high word (St: bits 62..63)
 *  +-------------------------------------------------------+-+-+---+
 *
 * A pin on a queue entry in place (read, readLatest): the queue's descriptor index, the slot, the lap's low bits
 *  +---------------------------------------------------------------+
 *  |                 Queue descriptor index (32)                   |   0  low word
 *  +-----------------------------------------------+-----------+-+-+---+
 *  |                 Slot (24)                      | Lap (4)  |0|S|St |   4  high word (S: bit 61, a slot pin)
 *  +-----------------------------------------------+-----------+-+-+---+
 * </pre>
 *
 * <p>States: {@code EMPTY}; {@code PIN_PENDING} (written before the refcount CAS; the count may or
 * may not include it); {@code PINNED} (the count includes it); {@code UNPIN_PENDING} (written
 * before the decrement). Recovery decrements for a dead client's {@code PINNED} entries and
 * recounts a descriptor for its pending ones.
 */
final class JournalDescriptor {
  public static final int LENGTH = 8;

  public static final long EMPTY = 0;
  public static final long PIN_PENDING = 1;
  public static final long PINNED = 2;
  public static final long UNPIN_PENDING = 3;

  private static final int STATE_SHIFT = 62;

  /** Set in an entry that pins a queue slot rather than a descriptor. */
  private static final long SLOT_KIND = 1L << 61;

  private static final int SLOT_SHIFT = 32;
  private static final long SLOT_MASK = (1L << 24) - 1;
  private static final int LAP_SHIFT = 56;

  /**
   * The low bits of the lap kept in a slot pin (enough to tell a slot force-reused meanwhile,
   * mostly).
   */
  public static final int SLOT_LAP_MASK = 0xF;

  private JournalDescriptor() {}

  public static long entry(long state, int index, int generation) {
    return (state << STATE_SHIFT) | ((long) generation << 32) | Integer.toUnsignedLong(index);
  }

  /**
   * An entry pinning slot {@code slot} (lap {@code lap}) of the queue whose descriptor is {@code
   * queueIndex}.
   */
  public static long slotEntry(long state, int queueIndex, int slot, int lap) {
    return (state << STATE_SHIFT)
        | SLOT_KIND
        | ((long) (lap & SLOT_LAP_MASK) << LAP_SHIFT)
        | ((slot & SLOT_MASK) << SLOT_SHIFT)
        | Integer.toUnsignedLong(queueIndex);
  }

  public static boolean isSlot(long entry) {
    return (entry & SLOT_KIND) != 0;
  }

  /** The slot of a slot pin. */
  public static int slot(long entry) {
    return (int) ((entry >>> SLOT_SHIFT) & SLOT_MASK);
  }

  /** The low bits of the lap of a slot pin. */
  public static int slotLap(long entry) {
    return (int) (entry >>> LAP_SHIFT) & SLOT_LAP_MASK;
  }

  public static long state(long entry) {
    return entry >>> STATE_SHIFT;
  }

  public static int index(long entry) {
    return (int) entry;
  }

  public static int generation(long entry) {
    return (int) ((entry >>> 32) & ObjectDescriptor.GEN_MASK);
  }
}
