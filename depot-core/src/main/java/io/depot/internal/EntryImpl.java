package io.depot.internal;

import io.depot.Entry;
import io.depot.HandleClosedException;
import io.depot.NDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A hold on one queue entry, in its slot: either popped (the slot stays POPPED by this client until
 * the entry is closed, which consumes it) or read in place (a reader's pin on the slot, recorded in
 * a journal entry of this process).
 */
final class EntryImpl implements Entry {
  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(EntryImpl.class, "closed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ShmQueue queue;
  private final Store store;
  private final long sequence;
  private final long data;
  private final int lap;

  /** The journal entry holding a reader's pin, or -1 for a popped entry. */
  private final int journalEntry;

  @SuppressWarnings("unused") // accessed through CLOSED
  private volatile int closed;

  EntryImpl(ShmQueue queue, long sequence, long data, int lap, int journalEntry) {
    this.queue = queue;
    this.store = queue.store();
    this.sequence = sequence;
    this.data = data;
    this.lap = lap;
    this.journalEntry = journalEntry;
  }

  int lap() {
    return lap;
  }

  int journalEntry() {
    return journalEntry;
  }

  @Override
  public long sequence() {
    return sequence;
  }

  @Override
  public int trackCount() {
    return queue.tracks().size();
  }

  private void checkOpen() {
    if ((int) CLOSED.getOpaque(this) != 0) {
      throw new HandleClosedException(
          "entry is closed: sequence=" + sequence + " queue=" + queue.name());
    }
  }

  @Override
  public MemorySegment track(int i) {
    checkOpen();
    queue.trackTable().checkTrack(i);
    return store.mem.readOnlySlice(
        data + queue.trackTable().trackOffset(i), queue.trackTable().trackLength(data, i));
  }

  @Override
  public MemorySegment track(String name) {
    return track(queue.trackIndex(name));
  }

  @Override
  public NDArray array(int i) {
    MemorySegment s = track(i);
    Track t = queue.trackTable().track(i);
    if (!t.isArray()) {
      throw new TypeMismatchException(
          "track " + t.name() + " holds raw bytes, not an array: queue=" + queue.name());
    }
    return NDArray.of(
        t.dtype(), s, t.isVariableShape() ? queue.trackTable().entryShape(data, i) : t.shape());
  }

  @Override
  public NDArray array(String name) {
    return array(queue.trackIndex(name));
  }

  @Override
  public boolean isOpen() {
    return (int) CLOSED.getOpaque(this) == 0;
  }

  @Override
  public void close() {
    if (!CLOSED.compareAndSet(this, 0, 1)) {
      return;
    }
    if (journalEntry < 0) {
      queue.releasePopped(this);
    } else {
      queue.releaseRead(this);
    }
  }

  @Override
  public String toString() {
    return "Entry[" + queue.name() + "#" + sequence + (isOpen() ? "" : ", closed") + "]";
  }
}
