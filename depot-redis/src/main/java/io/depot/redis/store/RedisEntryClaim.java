package io.depot.redis.store;

import io.depot.DType;
import io.depot.EntryClaim;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.MutableNDArray;
import io.depot.NDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A claim on Redis: heap buffers for the tracks, appended by one script at commit. It holds no
 * position in the stream: its sequence number is given at commit ({@link #sequence()} is -1 until
 * then), and it holds back no entry behind it. A commit that finds the queue full waits for room up
 * to the timeout the claim was made with.
 */
final class RedisEntryClaim implements EntryClaim {
  private final RedisQueue queue;
  private final MemorySegment[] tracks;
  private final long[] lengths;
  private final long[][] shapes;
  private final Duration timeout;
  private long sequence = -1;
  private boolean done;

  RedisEntryClaim(RedisQueue queue, Duration timeout) {
    this.queue = queue;
    this.timeout = timeout;
    int n = queue.tracks().size();
    this.tracks = new MemorySegment[n];
    this.lengths = new long[n];
    this.shapes = new long[n][];
    for (int i = 0; i < n; i++) {
      long size = queue.tracks().get(i).size();
      tracks[i] = MemorySegment.ofArray(new long[(int) ((size + 7) / 8)]).asSlice(0, size);
      lengths[i] = size;
    }
  }

  private synchronized void ensureOpen() {
    if (done) {
      throw new HandleClosedException("entry claim is committed or aborted: queue=" + queue.name());
    }
  }

  @Override
  public synchronized long sequence() {
    return sequence;
  }

  @Override
  public MemorySegment track(int index) {
    ensureOpen();
    return tracks[index];
  }

  @Override
  public MemorySegment track(String name) {
    return track(queue.trackIndex(name));
  }

  @Override
  public void setLength(int index, long length) {
    ensureOpen();
    Track t = queue.tracks().get(index);
    if (t.isArray()) {
      throw new TypeMismatchException(
          "track holds an array (always its full size): track=" + t.name());
    }
    if (length < 0 || length > t.size()) {
      throw new InvalidArgumentException(
          "length=" + length + " is not 0.." + t.size() + ": track=" + t.name());
    }
    lengths[index] = length;
  }

  @Override
  public void setLength(String name, long length) {
    setLength(queue.trackIndex(name), length);
  }

  @Override
  public MutableNDArray array(int index) {
    ensureOpen();
    Track t = queue.tracks().get(index);
    if (!t.isArray()) {
      throw new TypeMismatchException("track holds bytes, not an array: track=" + t.name());
    }
    return MutableNDArray.wrap(Objects.requireNonNull(t.dtype()), tracks[index], t.shape());
  }

  @Override
  public MutableNDArray array(String name) {
    return array(queue.trackIndex(name));
  }

  @Override
  public MutableNDArray array(int index, long... shape) {
    ensureOpen();
    Track t = queue.tracks().get(index);
    if (!t.isArray()) {
      throw new TypeMismatchException("track holds bytes, not an array: track=" + t.name());
    }
    long n = NDArray.elementCount(shape);
    if (!t.isVariableShape()) {
      if (!Arrays.equals(shape, t.shape())) {
        throw new TypeMismatchException(
            "fixed array track of shape="
                + Arrays.toString(t.shape())
                + ", not "
                + Arrays.toString(shape)
                + ": track="
                + t.name());
      }
      return array(index);
    }
    if (n > t.maxElements()) {
      throw new InvalidArgumentException(
          "shape="
              + Arrays.toString(shape)
              + " has more than maxElements="
              + t.maxElements()
              + ": track="
              + t.name());
    }
    shapes[index] = shape.clone();
    DType d = Objects.requireNonNull(t.dtype()); // a variable-shape array track
    lengths[index] = n * d.itemSize();
    return MutableNDArray.wrap(d, tracks[index].asSlice(0, lengths[index]), shape);
  }

  @Override
  public MutableNDArray array(String name, long... shape) {
    return array(queue.trackIndex(name), shape);
  }

  @Override
  public void commit() {
    ensureOpen();
    MemorySegment[] values = new MemorySegment[tracks.length];
    for (int i = 0; i < tracks.length; i++) {
      values[i] = tracks[i].asSlice(0, lengths[i]);
    }
    long seq = queue.append(values, shapes, timeout);
    synchronized (this) {
      sequence = seq;
      done = true;
    }
  }

  @Override
  public synchronized void abort() {
    done = true;
  }

  @Override
  public void close() {
    abort();
  }
}
