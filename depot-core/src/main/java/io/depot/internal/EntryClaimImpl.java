package io.depot.internal;

import io.depot.EntryClaim;
import io.depot.HandleClosedException;
import io.depot.MutableNDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/** A claimed queue position: its slot's entry in the WRITE stage, for this producer alone. */
final class EntryClaimImpl implements EntryClaim {
  private static final int OPEN = 0;
  private static final int COMMITTED = 1;
  private static final int ABORTED = 2;

  private final ShmQueue queue;
  final long sequence;
  private final long data;
  private final AtomicInteger state = new AtomicInteger(OPEN);

  EntryClaimImpl(ShmQueue queue, long sequence, long data) {
    this.queue = queue;
    this.sequence = sequence;
    this.data = data;
  }

  @Override
  public long sequence() {
    return sequence;
  }

  private void checkOpen() {
    int s = state.get();
    if (s != OPEN) {
      throw new HandleClosedException(
          "entry claim is "
              + (s == COMMITTED ? "committed" : "aborted")
              + ": sequence="
              + sequence
              + " queue="
              + queue.name());
    }
  }

  @Override
  public MemorySegment track(int i) {
    checkOpen();
    queue.trackTable().checkTrack(i);
    return queue
        .store()
        .mem
        .slice(data + queue.trackTable().trackOffset(i), queue.trackTable().trackSize(i));
  }

  @Override
  public void setLength(int i, long length) {
    checkOpen();
    queue.trackTable().setTrackLength(data, i, length);
  }

  @Override
  public void setLength(String name, long length) {
    setLength(queue.trackIndex(name), length);
  }

  @Override
  public MemorySegment track(String name) {
    return track(queue.trackIndex(name));
  }

  @Override
  public MutableNDArray array(int i) {
    MemorySegment s = track(i);
    Track t = queue.trackTable().track(i);
    if (!t.isArray()) {
      throw new TypeMismatchException(
          "track " + t.name() + " holds raw bytes, not an array: queue=" + queue.name());
    }
    if (t.isVariableShape()) {
      long[] shape = queue.trackTable().entryShape(data, i);
      return MutableNDArray.wrap(
          t.dtype(), s.asSlice(0, queue.trackTable().trackLength(data, i)), shape);
    }
    return MutableNDArray.wrap(t.dtype(), s, t.shape());
  }

  @Override
  public MutableNDArray array(String name) {
    return array(queue.trackIndex(name));
  }

  @Override
  public MutableNDArray array(int i, long... shape) {
    checkOpen();
    queue.trackTable().setEntryShape(data, i, shape.clone());
    return array(i);
  }

  @Override
  public MutableNDArray array(String name, long... shape) {
    return array(queue.trackIndex(name), shape);
  }

  @Override
  public void commit() {
    if (!state.compareAndSet(OPEN, COMMITTED)) {
      checkOpen();
    }
    queue.commitClaim(this);
  }

  @Override
  public void abort() {
    if (state.compareAndSet(OPEN, ABORTED)) {
      queue.abortClaim(this);
    }
  }

  @Override
  public void close() {
    abort();
  }

  @Override
  public String toString() {
    return "EntryClaim[" + queue.name() + "#" + sequence + "]";
  }
}
