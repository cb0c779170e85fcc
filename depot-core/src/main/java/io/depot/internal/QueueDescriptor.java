package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.depot.NDArray;
import io.depot.Track;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The layout of a queue object's value: a fixed header, the track table, the head and tail sequence
 * numbers, the two event counts and the redelivery count (each on its own 128-byte pair of cache
 * lines), the ring of slots, then the entries themselves: one per slot, allocated with the queue
 * and reused lap after lap (no allocation per entry). Offsets are relative to the start of the
 * value (64-byte aligned).
 *
 * <pre>
 * +------------------------------------------------------------+ 0
 * | magic "DEPOTQ04" (8) | capacity (4) | track count (4)      |
 * | entry stride (8) | queue version (8) | overflow (1) | rsvd |
 * +------------------------------------------------------------+ 64
 * | track table: trackCount x 256 B                            |
 * +------------------------------------------------------------+ head (128-aligned)
 * | head: oldest sequence in the queue (8)          | padding  |
 * | tail: next sequence to claim (8)                | padding  |
 * | notEmpty event count (4) | consumers asleep (4) | padding  |
 * | notFull event count (4)  | producers asleep (4) | padding  |
 * | redeliveries: REDELIVER slots, a hint (8)       | padding  |
 * | published event count (4) | cursors asleep (4) |          |
 * |   dropped: entries overwritten unread (8)       | padding  |
 * +------------------------------------------------------------+ slots
 * | slot[capacity]: ctl (8) | pins (8)                         |
 * +------------------------------------------------------------+ entries (64-aligned)
 * | entry[capacity]: stride bytes each                         |
 * +------------------------------------------------------------+
 *
 * An entry (stride bytes)
 * +------------------------------------------------------------+ 0
 * | lengths: trackCount x 8 B, the bytes written in each track |
 * +------------------------------------------------------------+ align(8 x trackCount, 64)
 * | track 0 | track 1 | ... each at its offset, 64-byte aligned |
 * |   (a variable-shape array track: its shape record, 192 B,   |
 * |    just before: ndim (8), extents (8 each))                 |
 * +------------------------------------------------------------+
 *
 * Track record (256 B)
 *   0  name length (1) | kind (1: bytes 0, array 1, variable-shape array 2) | dtype (1) | ndim (1) | padding (4)
 *   8  offset of the track in the entry's data (8)
 *  16  size in bytes (8)
 *  24  shape: 16 x 8
 * 152  name (UTF-8, up to 63 bytes)
 *
 * Slot ctl (a little-endian long: the low word first)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |  Token of the claiming producer, or the popping / removing    |   0  low word, bits 0..31
 *  |  consumer (32)                                                |
 *  +-------+-------+-----------------------------------------------+
 *  | State |(unusd)|                 Lap (24)                      |   4  high word: state bits 32..35,
 *  +-------+-------+-----------------------------------------------+      lap bits 40..63
 * </pre>
 *
 * Slot pins: the readers that hold the entry in place (read, readLatest), not counting its consumer
 * 0 1 2 3 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-------------------------------------------------------------+-+ | Count (31) |R| 0 low word (R:
 * frozen for a recount) +---------------+-----------------------------------------------+ |
 * (unused) | Lap (24) | 4 high word: the lap the count is for
 * +---------------+-----------------------------------------------+
 *
 * <p>A position {@code p} lives in slot {@code p % capacity} during lap {@code p / capacity}. Slot
 * states: {@code EMPTY(lap)} (free for position lap * capacity + slot), {@code CLAIMED(lap,
 * producer)}, {@code COMMITTED(lap)}, {@code POPPED(lap, consumer)} (taken by a consumer that has
 * not released it yet: the head has moved past it, but the slot is not free until the release),
 * {@code REDELIVER(lap)} (a dead consumer's popped entry, to be delivered again by the next pop),
 * {@code REMOVING(lap, consumer)} (a delete or force pop in progress), {@code SKIP(lap)} (aborted
 * or deleted; the next consumer passes it), {@code RELEASED(lap)} (consumed, or passed, and waiting
 * for its last reader: then EMPTY for the next lap). Every transition is one CAS of the ctl word
 * that records who made it, so a dead process's half-done position can be told apart and skipped,
 * redelivered or undone.
 */
final class QueueDescriptor {
  static final long MAGIC = 0x34305154_4f504544L; // "DEPOTQ04"
  static final int MAGIC_OFFSET = 0;
  static final int CAPACITY_OFFSET = 8;
  static final int TRACK_COUNT_OFFSET = 12;
  static final int ENTRY_LENGTH_OFFSET = 16;
  static final int QUEUE_VERSION_OFFSET = 24;

  /** The queue's {@link io.depot.Overflow} policy, by ordinal. */
  static final int OVERFLOW_OFFSET = 32;

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

  /** Track kinds, at TRACK_IS_ARRAY_OFFSET. */
  static final int TRACK_BYTES = 0;

  static final int TRACK_FIXED_ARRAY = 1;
  static final int TRACK_VARIABLE_ARRAY = 2;

  /**
   * Per entry, before the data of each variable-shape array track: ndim (8), then up to MAX_DIMS
   * extents (8 each), rounded up to 64 bytes so that the data stays 64-byte aligned.
   */
  static final int SHAPE_RECORD_LENGTH = 192;

  static final int LINE = 128;
  static final int SLOT_LENGTH = 16;
  static final int SLOT_CTL_OFFSET = 0;
  static final int SLOT_PINS_OFFSET = 8;

  static final int EMPTY = 0;
  static final int CLAIMED = 1;
  static final int COMMITTED = 2;
  static final int REMOVING = 3;
  static final int SKIP = 4;
  static final int POPPED = 5;
  static final int REDELIVER = 6;
  static final int RELEASED = 7;

  /**
   * Pins word: the count is frozen for a recount (a reader died between its journal write and its
   * CAS).
   */
  static final long PINS_RECOUNT = 1L << 31;

  private static final long PINS_COUNT_MASK = PINS_RECOUNT - 1;

  static final int LAP_BITS = 24;
  static final int LAP_MASK = (1 << LAP_BITS) - 1;

  /** The fixed header at the start of the value (its first cache line). */
  static final StructLayout HEADER_LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("magic"),
          JAVA_INT.withName("capacity"),
          JAVA_INT.withName("trackCount"),
          JAVA_LONG.withName("entryStride"),
          JAVA_LONG.withName("queueVersion"),
          JAVA_BYTE.withName("overflow"),
          MemoryLayout.paddingLayout(31));

  /** One record of the track table. */
  static final StructLayout TRACK_LAYOUT =
      MemoryLayout.structLayout(
          JAVA_BYTE.withName("nameLength"),
          JAVA_BYTE.withName("kind"),
          JAVA_BYTE.withName("dtype"),
          JAVA_BYTE.withName("ndim"),
          MemoryLayout.paddingLayout(4),
          JAVA_LONG.withName("dataOffset"),
          JAVA_LONG.withName("size"),
          MemoryLayout.sequenceLayout(NDArray.MAX_DIMS, JAVA_LONG).withName("shape"),
          MemoryLayout.sequenceLayout(Track.MAX_NAME_BYTES, JAVA_BYTE).withName("name"),
          MemoryLayout.paddingLayout(TRACK_LENGTH - TRACK_NAME_OFFSET - Track.MAX_NAME_BYTES));

  /** One slot of the ring. */
  static final StructLayout SLOT_LAYOUT =
      MemoryLayout.structLayout(JAVA_LONG.withName("ctl"), JAVA_LONG.withName("pins"));

  /** The shape record of a variable-shape track in an entry, just before the track's data. */
  static final StructLayout SHAPE_RECORD_LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("ndim"),
          MemoryLayout.sequenceLayout(NDArray.MAX_DIMS, JAVA_LONG).withName("extents"),
          MemoryLayout.paddingLayout(SHAPE_RECORD_LENGTH - 8 - 8L * NDArray.MAX_DIMS));

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

  static long redeliveriesOffset(int trackCount) {
    return notFullOffset(trackCount) + LINE;
  }

  /** The event count that cursors and readLatestAfter wait on: every commit signals all of them. */
  static long publishedOffset(int trackCount) {
    return redeliveriesOffset(trackCount) + LINE;
  }

  /**
   * The count of entries dropped by overwrite, beside the published event count (producers write
   * both).
   */
  static long droppedOffset(int trackCount) {
    return publishedOffset(trackCount) + 8;
  }

  static long slotsOffset(int trackCount) {
    return publishedOffset(trackCount) + LINE;
  }

  static long entriesOffset(int trackCount, int capacity) {
    return StoreLayout.align(slotsOffset(trackCount) + (long) SLOT_LENGTH * capacity, 64);
  }

  /** The size of an entry's lengths table: one long per track, rounded up to 64 bytes. */
  static long lengthsLength(int trackCount) {
    return StoreLayout.align(8L * trackCount, 64);
  }

  static String stateName(int state) {
    return switch (state) {
      case EMPTY -> "EMPTY";
      case CLAIMED -> "CLAIMED";
      case COMMITTED -> "COMMITTED";
      case REMOVING -> "REMOVING";
      case SKIP -> "SKIP";
      case POPPED -> "POPPED";
      case REDELIVER -> "REDELIVER";
      case RELEASED -> "RELEASED";
      default -> "state" + state;
    };
  }

  /**
   * The length of a queue's value, its entries included.
   *
   * @throws ArithmeticException if it does not fit in a long
   */
  static long length(int trackCount, int capacity, long stride) {
    return Math.addExact(
        entriesOffset(trackCount, capacity), Math.multiplyExact((long) capacity, stride));
  }

  /** A pins word: {@code count} readers holding the entry of lap {@code lap}. */
  static long pins(int lap, long count) {
    return ((long) (lap & LAP_MASK) << 32) | (count & PINS_COUNT_MASK);
  }

  static int pinsLap(long pins) {
    return (int) (pins >>> 32) & LAP_MASK;
  }

  static long pinsCount(long pins) {
    return pins & PINS_COUNT_MASK;
  }

  static boolean pinsRecounting(long pins) {
    return (pins & PINS_RECOUNT) != 0;
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
