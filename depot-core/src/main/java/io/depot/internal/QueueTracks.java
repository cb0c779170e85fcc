package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The tracks of an open queue and the entries' in-place records of them: the bytes written in each
 * track, and the shape of each variable-shape array track (see {@link QueueDescriptor}, "An
 * entry"). Checks values against their tracks before anything is claimed, and reads the records
 * back checked (a damaged record is reported, never read past). Immutable apart from the entries it
 * writes.
 */
final class QueueTracks {
  private final Mem mem;
  private final String name;
  private final List<Track> tracks;
  private final long[] trackOffset;
  private final long[] trackSize;

  /**
   * Per track: whether each entry records its shape, and the largest 1-D shape (for variable ones).
   */
  private final boolean[] variable;

  private final long[][] maxShape;
  private final Map<String, Integer> trackIndex = new HashMap<>();

  /**
   * The tracks of the queue at {@code ring}, whose track table {@link QueueFormat#checkTracks}
   * accepted.
   */
  QueueTracks(Mem mem, QueueRing ring, String name) {
    this.mem = mem;
    this.name = name;
    int trackCount = ring.trackCount;
    this.tracks = new ArrayList<>(trackCount);
    this.trackOffset = new long[trackCount];
    this.trackSize = new long[trackCount];
    this.variable = new boolean[trackCount];
    this.maxShape = new long[trackCount][];
    for (int i = 0; i < trackCount; i++) {
      Track t = QueueFormat.readTrack(mem, ring.q, i);
      tracks.add(t);
      trackOffset[i] = QueueFormat.trackDataOffset(mem, ring.q, i);
      trackSize[i] = t.size();
      trackIndex.put(t.name(), i);
      variable[i] = t.isVariableShape();
      maxShape[i] = variable[i] ? t.shape() : null;
    }
  }

  List<Track> list() {
    return tracks;
  }

  int count() {
    return tracks.size();
  }

  /** The index of track {@code trackName}, or an exception naming it. */
  int indexOf(String trackName) {
    Integer i = trackIndex.get(trackName);
    if (i == null) {
      throw new InvalidNameException(
          "queue " + name + " has no track=" + trackName + " (tracks: " + tracks + ")");
    }
    return i;
  }

  int checkTrack(int i) {
    if (i < 0 || i >= tracks.size()) {
      throw new IndexOutOfBoundsException(
          "track index=" + i + " of " + tracks.size() + " tracks: queue=" + name);
    }
    return i;
  }

  Track track(int i) {
    return tracks.get(i);
  }

  long trackOffset(int i) {
    return trackOffset[i];
  }

  long trackSize(int i) {
    return trackSize[i];
  }

  /** The bytes written in track {@code i} of the entry whose data is at {@code data}. */
  long trackLength(long data, int i) {
    long length = mem.getLong(data + 8L * i);
    if (length < 0 || length > trackSize[i]) {
      throw new io.depot.CorruptStoreException(
          "queue entry track "
              + tracks.get(i).name()
              + " records length="
              + length
              + " for a track of size="
              + trackSize[i]
              + ": queue="
              + name);
    }
    return length;
  }

  /**
   * The shape the entry at {@code data} records for variable-shape track {@code i}, checked against
   * the bytes it records (a damaged record is reported, never read past).
   */
  long[] entryShape(long data, int i) {
    long record = data + trackOffset[i] - SHAPE_RECORD_LENGTH;
    long ndim = mem.getLong(record);
    long length = trackLength(data, i);
    if (ndim < 0 || ndim > io.depot.NDArray.MAX_DIMS) {
      throw new io.depot.CorruptStoreException(
          "queue entry track "
              + tracks.get(i).name()
              + " records ndim="
              + ndim
              + ": queue="
              + name);
    }
    long[] shape = new long[(int) ndim];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = mem.getLong(record + 8 + 8L * d);
    }
    long elements;
    try {
      elements = io.depot.NDArray.elementCount(shape);
    } catch (InvalidArgumentException e) {
      elements = -1;
    }
    if (elements < 0 || elements * tracks.get(i).dtype().itemSize() != length) {
      throw new io.depot.CorruptStoreException(
          "queue entry track "
              + tracks.get(i).name()
              + " records shape="
              + Arrays.toString(shape)
              + " for length="
              + length
              + ": queue="
              + name);
    }
    return shape;
  }

  /**
   * Records shape {@code shape} (and the matching length) for array track {@code i} of the entry
   * claimed at {@code data}, after checking it against the track.
   */
  void setEntryShape(long data, int i, long[] shape) {
    Track t = tracks.get(checkTrack(i));
    if (!t.isArray()) {
      throw new TypeMismatchException(
          "track " + t.name() + " holds raw bytes, not an array: queue=" + name);
    }
    long elements = io.depot.NDArray.elementCount(shape);
    if (!t.isVariableShape()) {
      if (!Arrays.equals(shape, t.shape())) {
        throw new TypeMismatchException(
            "track "
                + t.name()
                + " holds arrays of shape="
                + Arrays.toString(t.shape())
                + " only, not shape="
                + Arrays.toString(shape)
                + ": queue="
                + name);
      }
      return;
    }
    if (elements > t.maxElements()) {
      throw new InvalidArgumentException(
          "shape="
              + Arrays.toString(shape)
              + " has "
              + elements
              + " elements, more than maxElements="
              + t.maxElements()
              + " of track="
              + t.name()
              + " in queue="
              + name);
    }
    writeShape(data, i, shape, elements * t.dtype().itemSize());
  }

  /**
   * Writes the shape record and the length of variable-shape track {@code i} (both already
   * checked).
   */
  void writeShape(long data, int i, long[] shape, long length) {
    long record = data + trackOffset[i] - SHAPE_RECORD_LENGTH;
    mem.putLong(record, shape.length);
    for (int d = 0; d < shape.length; d++) {
      mem.putLong(record + 8 + 8L * d, shape[d]);
    }
    mem.putLong(data + 8L * i, length);
  }

  /**
   * Records that {@code length} bytes were written in track {@code i} of the entry claimed at
   * {@code data}.
   */
  void setTrackLength(long data, int i, long length) {
    Track t = tracks.get(checkTrack(i));
    if (t.isArray()) {
      throw new TypeMismatchException(
          "track "
              + t.name()
              + " holds an array of fixed size="
              + trackSize[i]
              + ": its length cannot be set: queue="
              + name);
    }
    if (length < 0 || length > trackSize[i]) {
      throw new InvalidArgumentException(
          "length="
              + length
              + " out of 0.."
              + trackSize[i]
              + " for track="
              + t.name()
              + " of queue="
              + name);
    }
    mem.putLong(data + 8L * i, length);
  }

  /**
   * The arrays' segments, after checking each against its track (dtype; shape, or element count).
   */
  MemorySegment[] segments(NDArray[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException(
          "queue " + name + " has " + tracks.size() + " tracks, got values=" + values.length);
    }
    MemorySegment[] s = new MemorySegment[values.length];
    for (int i = 0; i < values.length; i++) {
      Track t = tracks.get(i);
      if (!t.isArray()
          || t.dtype() != values[i].dtype()
          || (!t.isVariableShape() && !Arrays.equals(t.shape(), values[i].shape()))) {
        throw new TypeMismatchException(
            "value " + values[i] + " does not match track " + t + " of queue=" + name);
      }
      if (t.isVariableShape() && values[i].size() > t.maxElements()) {
        throw new InvalidArgumentException(
            "value of shape="
                + Arrays.toString(values[i].shape())
                + " has "
                + values[i].size()
                + " elements, more than maxElements="
                + t.maxElements()
                + " of track="
                + t.name()
                + " in queue="
                + name);
      }
      s[i] = values[i].segment();
    }
    return s;
  }

  /** The arrays' shapes, for the variable-shape tracks (null if there are none). */
  long[][] shapes(NDArray[] values) {
    long[][] shapes = null;
    for (int i = 0; i < values.length; i++) {
      if (variable[i]) {
        if (shapes == null) {
          shapes = new long[values.length][];
        }
        shapes[i] = values[i].shape();
      }
    }
    return shapes;
  }

  void checkValues(MemorySegment[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException(
          "queue " + name + " has " + tracks.size() + " tracks, got values=" + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      long size = values[i].byteSize();
      if (size > trackSize[i]) {
        throw new InvalidArgumentException(
            "value of size="
                + size
                + " is larger than track="
                + tracks.get(i).name()
                + " of size="
                + trackSize[i]
                + " in queue="
                + name);
      }
      if (variable[i] && size % tracks.get(i).dtype().itemSize() != 0) {
        throw new InvalidArgumentException(
            "value of size="
                + size
                + " is not a whole number of "
                + tracks.get(i).dtype().numpyName()
                + " elements for track="
                + tracks.get(i).name()
                + " in queue="
                + name);
      }
      if (tracks.get(i).isArray() && !variable[i] && size != trackSize[i]) {
        throw new InvalidArgumentException(
            "value of size="
                + size
                + " does not fill array track="
                + tracks.get(i).name()
                + " of size="
                + trackSize[i]
                + " in queue="
                + name);
      }
    }
  }

  /**
   * Resets a newly claimed entry's records: every track holds its whole size (a variable one, its
   * 1-D maximum).
   */
  void resetRecords(long data) {
    for (int i = 0; i < trackSize.length; i++) {
      mem.putLong(data + 8L * i, trackSize[i]);
      if (variable[i]) {
        writeShape(data, i, maxShape[i], trackSize[i]);
      }
    }
  }

  /**
   * Copies checked values into the entry at {@code data} and records their lengths (and the shapes
   * of variable-shape tracks: from {@code shapes}, or 1-D).
   */
  void copyIn(long data, MemorySegment[] values, long[][] shapes) {
    for (int i = 0; i < values.length; i++) {
      long size = values[i].byteSize();
      mem.copyIn(values[i], data + trackOffset[i]);
      if (variable[i]) {
        writeShape(
            data,
            i,
            shapes != null ? shapes[i] : new long[] {size / tracks.get(i).dtype().itemSize()},
            size);
      } else {
        mem.putLong(data + 8L * i, size);
      }
    }
  }
}
