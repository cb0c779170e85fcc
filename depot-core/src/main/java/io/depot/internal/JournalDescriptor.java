package io.depot.internal;

/**
 * One entry of a client's handle journal: which descriptor a handle of that client pins, and how far the pin has
 * got. The journal makes reader refcounts recoverable when a reader dies.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---+---+-------------------------------------------------------+
 *  |St |(0)|            Descriptor generation (28)                 |  high word
 *  +---+---+-------------------------------------------------------+
 *  |                    Descriptor index (32)                      |  low word
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>States: {@code EMPTY}; {@code PIN_PENDING} (written before the refcount CAS; the count may or may not include
 * it); {@code PINNED} (the count includes it); {@code UNPIN_PENDING} (written before the decrement). Recovery
 * decrements for a dead client's {@code PINNED} entries and recounts a descriptor for its pending ones.
 */
public final class JournalDescriptor {
  public static final int LENGTH = 8;

  public static final long EMPTY = 0;
  public static final long PIN_PENDING = 1;
  public static final long PINNED = 2;
  public static final long UNPIN_PENDING = 3;

  private static final int STATE_SHIFT = 62;

  private JournalDescriptor() {}

  public static long entry(long state, int index, int generation) {
    return (state << STATE_SHIFT) | ((long) generation << 32) | Integer.toUnsignedLong(index);
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
