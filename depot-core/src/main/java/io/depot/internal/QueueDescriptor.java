package io.depot.internal;

/**
 * The layout of a queue object's value: a fixed header, the track table, the head and tail sequence numbers and
 * the two futex words (each on its own 128-byte pair of cache lines), then the ring of slots. Offsets are relative
 * to the start of the value (64-byte aligned).
 *
 * <pre>
 * +------------------------------------------------------------+ 0
 * | magic "DEPOTQ01" (8) | capacity (4) | track count (4)      |
 * | entry data length (8) | queue version (8) | reserved       |
 * +------------------------------------------------------------+ 64
 * | track table: trackCount x 256 B                            |
 * +------------------------------------------------------------+ head (128-aligned)
 * | head: oldest sequence in the queue (8)          | padding  |
 * | tail: next sequence to claim (8)                | padding  |
 * | notEmpty futex word (4) | consumers waiting (4) | padding  |
 * | notFull futex word (4)  | producers waiting (4) | padding  |
 * +------------------------------------------------------------+ slots
 * | slot[capacity]: ctl (8) | entry version (8)                |
 * +------------------------------------------------------------+
 *
 * Track record (256 B)
 *   0  name length (1) | is array (1) | dtype (1) | ndim (1) | padding (4)
 *   8  offset of the track in the entry's data (8)
 *  16  size in bytes (8)
 *  24  shape: 16 x 8
 * 152  name (UTF-8, up to 63 bytes)
 *
 * Slot ctl
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |   (unused)    |                 Lap (24)                      | high word, bits 40..63
 *  +-------+-------+-----------------------------------------------+
 *  | State |                                                       | bits 32..35
 *  +-------+-------------------------------------------------------+
 *  |       Token of the claiming producer or removing consumer     | low word
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>A position {@code p} lives in slot {@code p % capacity} during lap {@code p / capacity}. Slot states: {@code
 * EMPTY(lap)} (free for position lap * capacity + slot), {@code CLAIMED(lap, producer)}, {@code COMMITTED(lap)},
 * {@code REMOVING(lap, consumer)}, {@code SKIP(lap)} (aborted or deleted; the next consumer passes it). Every
 * transition is one CAS of the ctl word that records who made it, so a dead process's half-done position can be
 * told apart and skipped or undone.
 */
final class QueueDescriptor {
  static final long MAGIC = 0x31305154_4f504544L; // "DEPOTQ01"
  static final int MAGIC_OFFSET = 0;
  static final int CAPACITY_OFFSET = 8;
  static final int TRACK_COUNT_OFFSET = 12;
  static final int ENTRY_LENGTH_OFFSET = 16;
  static final int QUEUE_VERSION_OFFSET = 24;
  static final int TRACKS_OFFSET = 64;

  static final int TRACK_LENGTH = 256;
  static final int TRACK_NAME_LENGTH_OFFSET = 0;
  static final int TRACK_IS_ARRAY_OFFSET = 1;
  static final int TRACK_DTYPE_OFFSET = 2;
  static final int TRACK_NDIM_OFFSET = 3;
  static final int TRACK_DATA_OFFSET_OFFSET = 8;
  static final int TRACK_SIZE_OFFSET = 16;
  static final int TRACK_SHAPE_OFFSET = 24;
  static final int TRACK_NAME_OFFSET = 152;

  static final int LINE = 128;
  static final int SLOT_LENGTH = 16;
  static final int SLOT_CTL_OFFSET = 0;
  static final int SLOT_ENTRY_OFFSET = 8;

  static final int EMPTY = 0;
  static final int CLAIMED = 1;
  static final int COMMITTED = 2;
  static final int REMOVING = 3;
  static final int SKIP = 4;

  static final int LAP_BITS = 24;
  static final int LAP_MASK = (1 << LAP_BITS) - 1;

  private QueueDescriptor() {}

  static long headOffset(int trackCount) {
    return StoreLayout.align(TRACKS_OFFSET + (long) TRACK_LENGTH * trackCount, LINE);
  }

  static long tailOffset(int trackCount) {
    return headOffset(trackCount) + LINE;
  }

  static long notEmptyOffset(int trackCount) {
    return tailOffset(trackCount) + LINE;
  }

  static long notFullOffset(int trackCount) {
    return notEmptyOffset(trackCount) + LINE;
  }

  static long slotsOffset(int trackCount) {
    return notFullOffset(trackCount) + LINE;
  }

  static long length(int trackCount, int capacity) {
    return slotsOffset(trackCount) + (long) SLOT_LENGTH * capacity;
  }

  static long ctl(int lap, int state, long token) {
    return ((long) (lap & LAP_MASK) << 40) | ((long) state << 32) | (token & 0xFFFF_FFFFL);
  }

  static int lap(long ctl) {
    return (int) (ctl >>> 40) & LAP_MASK;
  }

  static int state(long ctl) {
    return (int) (ctl >>> 32) & 0xF;
  }

  static long token(long ctl) {
    return ctl & 0xFFFF_FFFFL;
  }

  static int lapOf(long position, int capacity) {
    return (int) (position / capacity) & LAP_MASK;
  }

  static int nextLap(int lap) {
    return (lap + 1) & LAP_MASK;
  }

  static int previousLap(int lap) {
    return (lap - 1) & LAP_MASK;
  }
}
