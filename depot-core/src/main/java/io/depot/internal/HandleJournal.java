package io.depot.internal;

import io.depot.TooManyHandlesException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's handle journal: its row of the shared journal region, plus a process-local free
 * list of the row's entries (a Treiber stack with a tag against ABA).
 *
 * <pre>
 * Concurrency: entries are written only by this process, with release stores, so recovery and recounting in other
 * processes read them with acquire. The free list is process-local and lock-free.
 * </pre>
 */
final class HandleJournal {
  private final Mem mem;
  private final long base;
  private final int capacity;
  private final int[] next;

  /**
   * The free list's head: {@link #top} (entry + 1, 0 = empty) in the low word, an ABA tag in the
   * high word.
   */
  private final AtomicLong head = new AtomicLong();

  HandleJournal(Mem mem, long base, int capacity) {
    this.mem = mem;
    this.base = base;
    this.capacity = capacity;
    this.next = new int[capacity];
    for (int i = 0; i < capacity; i++) {
      next[i] = i + 2 <= capacity ? i + 2 : 0;
    }
    head.set(capacity > 0 ? 1 : 0);
  }

  /**
   * Empties the row. Only once the row's previous entries are of no use: a freed slot's row is
   * empty already, an adopted slot's row is cleared by the recovery of its dead occupant's pins.
   */
  void clear() {
    for (int i = 0; i < capacity; i++) {
      mem.putLongRelease(base + (long) i * JournalDescriptor.LENGTH, JournalDescriptor.EMPTY);
    }
  }

  /** The top of a head word: the first free entry + 1, 0 if none. */
  private static int top(long head) {
    return (int) head;
  }

  /** A head word with top {@code newTop} and the tag of {@code head} plus one. */
  private static long retagged(long head, int newTop) {
    return ((head >>> 32) + 1) << 32 | Integer.toUnsignedLong(newTop);
  }

  /** Takes a free entry. */
  int acquire() {
    for (; ; ) {
      long h = head.get();
      int top = top(h);
      if (top == 0) {
        throw new TooManyHandlesException(
            "this process holds maxHandlesPerClient="
                + capacity
                + " open handles; close some or raise the limit");
      }
      long nh = retagged(h, next[top - 1]);
      if (head.compareAndSet(h, nh)) {
        return top - 1;
      }
    }
  }

  /** Returns an entry (already written EMPTY) to the free list. */
  void release(int entry) {
    for (; ; ) {
      long h = head.get();
      next[entry] = top(h);
      long nh = retagged(h, entry + 1);
      if (head.compareAndSet(h, nh)) {
        return;
      }
    }
  }

  void write(int entry, long value) {
    mem.putLongRelease(base + (long) entry * JournalDescriptor.LENGTH, value);
  }

  long read(int entry) {
    return mem.getLongAcquire(base + (long) entry * JournalDescriptor.LENGTH);
  }

  int capacity() {
    return capacity;
  }
}
