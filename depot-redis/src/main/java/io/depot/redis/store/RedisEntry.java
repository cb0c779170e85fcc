package io.depot.redis.store;

import io.depot.DType;
import io.depot.Entry;
import io.depot.HandleClosedException;
import io.depot.NDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * An entry on Redis: a copy of its tracks. A popped entry is pending in the consumer group (and
 * heart-beaten) until closed, which acknowledges and deletes it.
 */
final class RedisEntry implements Entry {
  private final RedisQueue queue;
  private final long sequence;
  private final MemorySegment[] tracks;
  private final long[][] shapes;
  private final boolean popped;
  private volatile boolean open = true;

  RedisEntry(
      RedisQueue queue, long sequence, MemorySegment[] tracks, long[][] shapes, boolean popped) {
    this.queue = queue;
    this.sequence = sequence;
    this.tracks = tracks;
    this.shapes = shapes;
    this.popped = popped;
  }

  @Override
  public long sequence() {
    return sequence;
  }

  @Override
  public int trackCount() {
    return tracks.length;
  }

  @Override
  public MemorySegment track(int index) {
    if (!open) {
      throw new HandleClosedException(
          "entry is closed: sequence=" + sequence + " queue=" + queue.name());
    }
    if (index < 0 || index >= tracks.length) {
      throw new IndexOutOfBoundsException(
          "no track index=" + index + " of " + tracks.length + ": queue=" + queue.name());
    }
    return tracks[index];
  }

  @Override
  public MemorySegment track(String name) {
    return track(queue.trackIndex(name));
  }

  @Override
  public NDArray array(int index) {
    MemorySegment s = track(index);
    Track t = queue.tracks().get(index);
    if (!t.isArray()) {
      throw new TypeMismatchException(
          "track holds bytes, not an array: track=" + t.name() + " queue=" + queue.name());
    }
    DType d = Objects.requireNonNull(t.dtype()); // an array track
    return NDArray.of(d, s, shapes[index] != null ? shapes[index] : t.shape());
  }

  @Override
  public NDArray array(String name) {
    return array(queue.trackIndex(name));
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    if (!open) {
      return;
    }
    open = false;
    if (popped) {
      queue.release(this);
    }
  }

  static List<Entry> none() {
    return List.of();
  }
}
