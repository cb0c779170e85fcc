package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.InvalidArgumentException;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * The format of a queue object's value ({@link QueueDescriptor}): checking a queue definition,
 * laying out its entries, writing a new queue's header and track table, and checking an existing
 * one's track table when it is opened (a damaged table is reported, never followed).
 */
final class QueueFormat {
  private QueueFormat() {}

  /**
   * Checks a queue definition; returns each track's offset in an entry's data, and the data length
   * last.
   */
  static long[] layout(int capacity, Track[] tracks) {
    if (capacity < 1 || capacity > io.depot.Depot.MAX_QUEUE_CAPACITY) {
      throw new InvalidArgumentException(
          "queue capacity must be 1.."
              + io.depot.Depot.MAX_QUEUE_CAPACITY
              + ": capacity="
              + capacity);
    }
    if (tracks.length == 0 || tracks.length > Track.MAX_TRACKS) {
      throw new InvalidArgumentException(
          "a queue needs 1.." + Track.MAX_TRACKS + " tracks: tracks=" + tracks.length);
    }
    long[] offsets = new long[tracks.length + 1];
    long at = lengthsLength(tracks.length);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < tracks.length; i++) {
      if (!names.add(tracks[i].name())) {
        throw new InvalidArgumentException("two tracks named track=" + tracks[i].name());
      }
      if (tracks[i].isVariableShape()) {
        at += SHAPE_RECORD_LENGTH; // the entry's shape of this track, just before its data
      }
      offsets[i] = at;
      at = StoreLayout.align(at + tracks[i].size(), 64);
    }
    offsets[tracks.length] = at;
    return offsets;
  }

  /** The length of a queue's value with these tracks ({@link #layout} gives the stride, last). */
  static long valueLength(int capacity, Track[] tracks, long[] offsets) {
    try {
      return QueueDescriptor.length(tracks.length, capacity, offsets[tracks.length]);
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "queue too large: capacity="
              + capacity
              + " x entry of "
              + offsets[tracks.length]
              + " bytes");
    }
  }

  /**
   * Writes a new queue's header, track table and empty ring into {@code q} (a claim's value). The
   * entries are left as they are (like any claimed memory, unless the store zeroes claims).
   */
  static void format(
      Mem mem, long q, int capacity, io.depot.Overflow overflow, Track[] tracks, long[] offsets) {
    long entries = QueueDescriptor.entriesOffset(tracks.length, capacity);
    mem.segment().asSlice(q, entries).fill((byte) 0);
    mem.putInt(q + CAPACITY_OFFSET, capacity);
    @SuppressWarnings(
        "EnumOrdinal") // the layout records the overflow policy as its ordinal (QueueRing reads it)
    int policy = overflow.ordinal();
    mem.putByte(q + OVERFLOW_OFFSET, policy);
    mem.putInt(q + TRACK_COUNT_OFFSET, tracks.length);
    mem.putLong(q + ENTRY_LENGTH_OFFSET, offsets[tracks.length]);
    for (int i = 0; i < tracks.length; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      byte[] n = tracks[i].name().getBytes(StandardCharsets.UTF_8);
      mem.putByte(t + TRACK_NAME_LENGTH_OFFSET, n.length);
      MemorySegment.copy(
          n, 0, mem.segment(), ValueLayout.JAVA_BYTE, t + TRACK_NAME_OFFSET, n.length);
      mem.putByte(
          t + TRACK_IS_ARRAY_OFFSET,
          tracks[i].isVariableShape()
              ? TRACK_VARIABLE_ARRAY
              : tracks[i].isArray() ? TRACK_FIXED_ARRAY : TRACK_BYTES);
      mem.putByte(t + TRACK_DTYPE_OFFSET, tracks[i].isArray() ? tracks[i].dtype().code() : 0);
      long[] shape = tracks[i].shape();
      mem.putByte(t + TRACK_NDIM_OFFSET, shape.length);
      for (int d = 0; d < shape.length; d++) {
        mem.putLong(t + TRACK_SHAPE_OFFSET + 8L * d, shape[d]);
      }
      mem.putLong(t + TRACK_DATA_OFFSET_OFFSET, offsets[i]);
      mem.putLong(t + TRACK_SIZE_OFFSET, tracks[i].size());
    }
    mem.putLongRelease(q + MAGIC_OFFSET, MAGIC);
  }

  /**
   * Checks the track table of the queue at {@code ring} against its entry stride.
   *
   * @throws io.depot.CorruptStoreException naming the queue and the track if a record is damaged
   */
  static void checkTracks(Mem mem, QueueRing ring, String name) {
    long q = ring.q;
    for (int i = 0; i < ring.trackCount; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      long off = mem.getLong(t + TRACK_DATA_OFFSET_OFFSET);
      long size = mem.getLong(t + TRACK_SIZE_OFFSET);
      int nameLength = mem.getByte(t + TRACK_NAME_LENGTH_OFFSET);
      int kind = mem.getByte(t + TRACK_IS_ARRAY_OFFSET);
      long before =
          lengthsLength(ring.trackCount) + (kind == TRACK_VARIABLE_ARRAY ? SHAPE_RECORD_LENGTH : 0);
      if (off < before
          || size < 0
          || off > ring.stride - size
          || nameLength < 1
          || kind < 0
          || kind > 2
          || nameLength > Track.MAX_NAME_BYTES
          || mem.getByte(t + TRACK_NDIM_OFFSET) > io.depot.NDArray.MAX_DIMS
          || (kind == TRACK_VARIABLE_ARRAY && mem.getByte(t + TRACK_NDIM_OFFSET) != 1)) {
        throw new io.depot.CorruptStoreException(
            "queue track "
                + i
                + " is damaged (offset="
                + off
                + " size="
                + size
                + " entry stride="
                + ring.stride
                + "): name="
                + name);
      }
    }
  }

  /** Track {@code i} of the (checked) track table of the queue at {@code q}. */
  static Track readTrack(Mem mem, long q, int i) {
    long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
    String name =
        new String(
            mem.slice(t + TRACK_NAME_OFFSET, mem.getByte(t + TRACK_NAME_LENGTH_OFFSET))
                .toArray(ValueLayout.JAVA_BYTE),
            StandardCharsets.UTF_8);
    int kind = mem.getByte(t + TRACK_IS_ARRAY_OFFSET);
    if (kind == TRACK_BYTES) {
      return Track.bytes(name, mem.getLong(t + TRACK_SIZE_OFFSET));
    }
    long[] shape = new long[mem.getByte(t + TRACK_NDIM_OFFSET)];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = mem.getLong(t + TRACK_SHAPE_OFFSET + 8L * d);
    }
    io.depot.DType dtype = io.depot.DType.ofCode(mem.getByte(t + TRACK_DTYPE_OFFSET));
    return kind == TRACK_VARIABLE_ARRAY
        ? Track.arrayUpTo(name, dtype, shape[0])
        : Track.array(name, dtype, shape);
  }

  /** The offset of track {@code i}'s data in an entry of the queue at {@code q}. */
  static long trackDataOffset(Mem mem, long q, int i) {
    return mem.getLong(q + TRACKS_OFFSET + (long) TRACK_LENGTH * i + TRACK_DATA_OFFSET_OFFSET);
  }
}
