package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

/**
 * The consuming side of an open queue: popping (delivering again first what a dead consumer held),
 * releasing popped entries, force pops and deletes. See {@link ShmQueue} for the protocol.
 */
final class QueueConsumer extends QueueSide {
  private static final long LIVENESS_CHECK_NANOS = Waiter.LIVENESS_CHECK_NANOS;
  private static final long REMOVING_LIMIT_NANOS = 5_000_000_000L;

  QueueConsumer(ShmQueue queue) {
    super(queue);
  }

  /** Pops the head: an entry handle, {@link #EMPTY_QUEUE} if empty, or null after a force pop. */
  Object popOnce(boolean force) {
    if (!force && mem.getLongAcquire(redeliveries) != 0) {
      EntryImpl e = redeliver();
      if (e != null) {
        return e;
      }
    }
    long last = -1;
    int stuck = 0;
    long removingSince = 0;
    long lastCheck = 0;
    for (; ; ) {
      long pos = mem.getLongAcquire(head);
      if (pos == last) {
        stuck++;
      } else {
        last = pos;
        stuck = 0;
      }
      int lap = ring.lapOf(pos);
      long s = slot(pos);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int sl = QueueDescriptor.lap(c);
      if (sl == nextLap(lap)) {
        mem.compareAndSetLong(head, pos, pos + 1); // consumed already: the head is late, help it on
        continue;
      }
      if (sl == previousLap(lap)) {
        return EMPTY_QUEUE; // the slot still holds the previous round's entry: nothing claimed at
        // pos yet
      }
      if (sl != lap) {
        if (stuck > STUCK_LIMIT) {
          throw stuck("head", pos, c);
        }
        continue; // a stale head read
      }
      switch (state(c)) {
        case EMPTY -> {
          return EMPTY_QUEUE;
        }
        case CLAIMED -> {
          // Committed entries behind a claim whose producer may have died: check it (at most every
          // 20 ms).
          if (mem.getLongAcquire(tail) > pos + 1 && blockedCheckDue() && recoverPosition(pos)) {
            continue;
          }
          return EMPTY_QUEUE;
        }
        case POPPED, REDELIVER, RELEASED ->
            mem.compareAndSetLong(head, pos, pos + 1); // popped: the head is late
        case SKIP -> {
          if (ring.free(s, lap, c)) {
            mem.compareAndSetLong(head, pos, pos + 1);
          }
        }
        case COMMITTED -> {
          if (force) {
            if (mem.compareAndSetLong(
                s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
              ring.invalidatePins(s, lap);
              mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0));
              mem.compareAndSetLong(head, pos, pos + 1);
              notifyNotFull();
              return null;
            }
          } else if (mem.compareAndSetLong(
              s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, POPPED, store.token))) {
            mem.compareAndSetLong(head, pos, pos + 1);
            return popped(pos, lap);
          }
        }
        case REMOVING -> {
          // A deleter (or a force pop) is finishing this position: wait for it, since entries
          // behind it may be
          // poppable (reporting "empty" now would be wrong). If it stays, check whether its process
          // died (then
          // resolve the position); a position REMOVING for seconds under a live token is damage.
          if (stuck > 1_000) {
            long now = System.nanoTime();
            if (removingSince == 0) {
              removingSince = now;
              lastCheck = now;
            } else if (now - lastCheck > LIVENESS_CHECK_NANOS) {
              lastCheck = now;
              if (recoverPosition(pos)) {
                continue;
              }
            }
            if (now - removingSince > REMOVING_LIMIT_NANOS) {
              throw stuck("head", pos, c);
            }
            Thread.yield();
          } else {
            Thread.onSpinWait();
          }
        }
        default -> {
          if (stuck > STUCK_LIMIT) {
            throw stuck("head", pos, c);
          }
        }
      }
    }
  }

  static final Object EMPTY_QUEUE = new Object();

  /** The handle on the entry of a position this client just moved to POPPED. */
  private EntryImpl popped(long pos, int lap) {
    return new EntryImpl(queue, pos, ring.entry(pos), lap, -1);
  }

  /**
   * Takes a dead consumer's popped entry that is waiting to be delivered again (REDELIVER), oldest
   * first; null if there is none. The redelivery count is a hint: a scan that finds nothing resets
   * it.
   */
  private EntryImpl redeliver() {
    long hint = mem.getLongAcquire(redeliveries);
    long t = mem.getLongAcquire(tail);
    long h = mem.getLongAcquire(head);
    for (long p = Math.max(0, t - capacity); p < h; p++) {
      long s = slot(p);
      int lap = ring.lapOf(p);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      if (QueueDescriptor.lap(c) == lap
          && state(c) == REDELIVER
          && mem.compareAndSetLong(
              s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, POPPED, store.token))) {
        for (long r = mem.getLongAcquire(redeliveries);
            r > 0;
            r = mem.getLongAcquire(redeliveries)) {
          if (mem.compareAndSetLong(redeliveries, r, r - 1)) {
            break; // never below 0: a scan that found nothing may have reset it meanwhile
          }
        }
        return popped(p, lap);
      }
    }
    mem.compareAndSetLong(redeliveries, hint, 0);
    return null;
  }

  /**
   * Releases a popped entry (its handle is closing): the entry is consumed. Its slot goes to
   * RELEASED, and is freed for the producers unless readers pin it (the last one frees it then).
   */
  void releasePopped(EntryImpl e) {
    try {
      ring.free(slot(e.sequence()), e.lap(), QueueDescriptor.ctl(e.lap(), POPPED, store.token));
    } catch (RuntimeException ex) {
      throw store.translate(ex);
    }
  }

  /** One pop attempt: the entry, or null if the queue is empty. */
  EntryImpl popNow() {
    try {
      Object e = popOnce(false);
      if (e == EMPTY_QUEUE) {
        return null;
      }
      // A sleeping consumer woken for one entry passes the wake-up on while entries remain (it may
      // have been woken
      // for an entry someone else took, or behind a claim that held several back).
      if (mem.getIntVolatile(notEmpty + 4) != 0
          && mem.getLongAcquire(tail) > mem.getLongAcquire(head)) {
        notifyNotEmpty();
      }
      return (EntryImpl) e;
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }

  boolean delete(long sequence, boolean force) {
    try {
      if (sequence < 0 || sequence >= mem.getLongAcquire(tail)) {
        return false;
      }
      long s = slot(sequence);
      int lap = ring.lapOf(sequence);
      for (; ; ) {
        long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
        if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
          return false;
        }
        if (mem.compareAndSetLong(
            s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
          if (force) {
            ring.invalidatePins(s, lap); // the readers' views may show the next entry from now on
          }
          mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, SKIP, 0));
          notifyAllNotEmpty(); // consumers blocked at this position can pass it now
          return true;
        }
      }
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }
}
