package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.Entry;
import io.depot.HandleClosedException;
import io.depot.ObjectNotFoundException;
import io.depot.QueueCursor;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link QueueCursor}: a position of this process only, moved over the ring by the slot states it
 * finds (see {@link QueueDescriptor}). At its position {@code p}, in slot {@code p % capacity}:
 *
 * <pre>
 *   lap(p), COMMITTED              pin it (as read does) and return it; p + 1
 *   lap(p), CLAIMED / EMPTY        not committed yet: wait (as consumers do, behind an open claim)
 *   lap(p), POPPED / REDELIVER /   consumed (or being consumed) before the cursor came: passed, missed + 1
 *           RELEASED
 *   lap(p), SKIP / REMOVING        deleted or aborted (or dropped: then the dropped count tells): passed
 *   an older lap                   p is not claimed yet: wait
 *   a newer lap                    consumed (or deleted) and the slot freed for the next lap: passed, missed + 1
 *   p < tail - capacity            overwritten: the cursor fell a lap behind; it moves to the oldest position
 *                                  still in the ring, and counts what it skipped as missed
 * </pre>
 *
 * Waiting is on the queue's published event count, which every commit signals (all cursors wake;
 * consumers have their own count). Thread-safe: the position moves by CAS-free updates under this
 * object's monitor (cursors are cheap to create; share one across threads only if they must see
 * disjoint entries).
 */
final class QueueCursorImpl implements QueueCursor {
  private final ShmQueue queue;
  private final QueueRing ring;
  private final Mem mem;
  private final AtomicBoolean closed = new AtomicBoolean();
  private long position;
  private long missed;

  QueueCursorImpl(ShmQueue queue, long from) {
    this.queue = queue;
    this.ring = queue.ring();
    this.mem = ring.mem;
    this.position = from;
  }

  @Override
  public synchronized long position() {
    return position;
  }

  @Override
  public synchronized long missed() {
    return missed;
  }

  @Override
  public Optional<Entry> tryNext() {
    checkOpen();
    return Optional.ofNullable(queue.withRef(this::step));
  }

  @Override
  public Entry next(Duration timeout) {
    checkOpen();
    return queue.withRef(
        () -> {
          EntryImpl e = step();
          if (e != null) {
            return e;
          }
          return Waiter.await(
              mem,
              ring.published,
              timeout.toNanos(),
              queue.cursorSpin,
              this::step,
              () -> queue.checkBlockedAt(position()),
              "no entry at sequence="
                  + position()
                  + " in queue="
                  + queue.name()
                  + " within timeout="
                  + timeout);
        });
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new HandleClosedException("cursor is closed: queue=" + queue.name());
    }
  }

  /**
   * One look at the cursor's position (inside the store's gate): the entry there, or null to wait.
   */
  private synchronized EntryImpl step() {
    checkOpen();
    if (queue.removed()) {
      throw new ObjectNotFoundException(
          "queue was removed: name=" + queue.name() + " (cursor at sequence=" + position + ")");
    }
    int capacity = ring.capacity;
    for (; ; ) {
      long t = mem.getLongAcquire(ring.tail);
      if (position >= t) {
        return null;
      }
      if (position < t - capacity) {
        missed += t - capacity - position; // overwritten: more than a capacity behind
        position = t - capacity;
      }
      long s = ring.slot(position);
      long c = ring.ctl(s);
      int lap = ring.lapOf(position);
      int sl = QueueDescriptor.lap(c);
      if (sl == previousLap(lap)) {
        return null; // claimed (the tail passed it) but the slot is not yet this lap's: a moment
        // away
      }
      if (sl != lap) {
        // a newer lap: the entry was consumed (or deleted) and its slot freed for the next one:
        // gone
        missed++;
        position++;
        continue;
      }
      switch (state(c)) {
        case COMMITTED -> {
          EntryImpl e = queue.readPinned(position);
          if (e != null) {
            position++;
            return e;
          }
          // popped or deleted between the two reads: look again
        }
        case EMPTY, CLAIMED -> {
          return null;
        }
        case POPPED, REDELIVER, RELEASED -> {
          missed++;
          position++;
        }
        default -> position++; // SKIP, REMOVING: deleted, aborted, dropped
      }
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      queue.release();
    }
  }

  @Override
  public String toString() {
    return "QueueCursor["
        + queue.name()
        + ", position="
        + position()
        + ", missed="
        + missed()
        + "]";
  }
}
