package io.depot.internal;

import io.depot.Entry;
import io.depot.HandleClosedException;
import io.depot.NDArray;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pin on one queue entry, holding a journal entry of its process: either popped (its position stays POPPED by
 * this client until the entry is closed, which consumes it) or read in place.
 */
final class EntryImpl implements Entry {
  private final ShmQueue queue;
  private final Store store;
  private final long sequence;
  private final int index;
  private final int generation;
  private final int journalEntry;
  private final long data;
  /** The lap of the position this entry was popped from, or -1 for an entry read in place. */
  private final int lap;
  private final AtomicBoolean closed = new AtomicBoolean();

  EntryImpl(ShmQueue queue, long sequence, int index, int generation, int journalEntry, long data, int lap) {
    this.queue = queue;
    this.store = queue.store();
    this.sequence = sequence;
    this.index = index;
    this.generation = generation;
    this.journalEntry = journalEntry;
    this.data = data;
    this.lap = lap;
  }

  int index() {
    return index;
  }

  int generation() {
    return generation;
  }

  int journalEntry() {
    return journalEntry;
  }

  int lap() {
    return lap;
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
    if (closed.get()) {
      throw new HandleClosedException("entry is closed: sequence=" + sequence + " queue=" + queue.name());
    }
  }

  @Override
  public MemorySegment track(int i) {
    checkOpen();
    queue.checkTrack(i);
    return store.mem.slice(data + queue.trackOffset(i), queue.trackLength(data, i)).asReadOnly();
  }

  @Override
  public MemorySegment track(String name) {
    return track(queue.trackIndex(name));
  }

  @Override
  public NDArray array(int i) {
    MemorySegment s = track(i);
    Track t = queue.track(i);
    if (!t.isArray()) {
      throw new TypeMismatchException("track " + t.name() + " holds raw bytes, not an array: queue=" + queue.name());
    }
    return NDArray.of(t.dtype(), s, t.shape());
  }

  @Override
  public NDArray array(String name) {
    return array(queue.trackIndex(name));
  }

  @Override
  public boolean isOpen() {
    return !closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true) || store.isClosed()) {
      return;
    }
    if (lap >= 0) {
      queue.releasePopped(this);
      return;
    }
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      return;
    }
    try {
      store.unpin(index, generation, journalEntry);
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  @Override
  public String toString() {
    return "Entry[" + queue.name() + "#" + sequence + (closed.get() ? ", closed" : "") + "]";
  }
}
