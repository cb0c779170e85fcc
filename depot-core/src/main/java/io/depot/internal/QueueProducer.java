package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.DepotQueue;
import java.lang.foreign.MemorySegment;

/**
 * The producing side of an open queue: claiming positions (and, for {@link
 * io.depot.Overflow#OVERWRITE_OLDEST}, dropping the oldest entry to make room), committing and
 * aborting claims, and the one-call push. See {@link ShmQueue} for the protocol.
 */
final class QueueProducer extends QueueSide {
  private final QueueTracks tracks;

  QueueProducer(ShmQueue queue) {
    super(queue);
    this.tracks = queue.trackTable();
  }

  /** Claims the next position: returns it, or -1 if the queue is full. */
  long claimPosition() {
    long last = -1;
    int stuck = 0;
    for (; ; ) {
      long pos = mem.getLongAcquire(tail);
      if (pos == last) {
        if (++stuck > STUCK_LIMIT) {
          throw stuck("tail", pos, mem.getLongAcquire(slot(pos) + SLOT_CTL_OFFSET));
        }
      } else {
        last = pos;
        stuck = 0;
      }
      int lap = ring.lapOf(pos);
      long s = slot(pos);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int sl = QueueDescriptor.lap(c);
      if (sl == lap) {
        if (state(c) == EMPTY
            && mem.compareAndSetLong(
                s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, CLAIMED, store.token))) {
          mem.compareAndSetLong(tail, pos, pos + 1);
          return pos;
        }
        if (state(c) != EMPTY) {
          mem.compareAndSetLong(
              tail, pos, pos + 1); // claimed by someone whose tail update is late: help
        }
      } else if (sl == previousLap(lap)) {
        if (mem.getLongAcquire(tail) != pos) {
          continue;
        }
        if (state(c) == COMMITTED && ring.overflow == io.depot.Overflow.OVERWRITE_OLDEST) {
          dropOldest(s, sl, c, pos - capacity);
          continue; // the slot is free now, or RELEASED until its readers let go (then: full)
        }
        // The previous round's position is still in the queue (or popped and not released, or
        // read): full. If a
        // dead consumer holds it, recover it; if it waits to be delivered again, remind the
        // consumers (each at
        // most every 20 ms per handle) and look again.
        if (pos >= capacity && blockedCheckDue()) {
          if (recoverPosition(pos - capacity)) {
            continue;
          }
          if (state(c) == REDELIVER) {
            ring.remindRedelivery();
          } else if (state(c) == RELEASED && store.recovery.recoverOnContention() > 0) {
            continue; // consumed, but readers pin it: one of them may be dead (the sweep releases
            // its pins)
          }
        }
        return -1;
      } else {
        mem.compareAndSetLong(tail, pos, pos + 1); // this position was claimed and consumed already
      }
    }
  }

  /**
   * Drops the committed entry of {@code position} (slot {@code s}, ctl {@code c}, lap {@code lap})
   * unread, for an overwriting producer: COMMITTED -> SKIP (a consumer popping it at the same
   * moment wins or loses that CAS), then freed like any passed position, the head helped past it.
   */
  void dropOldest(long s, int lap, long c, long position) {
    long skip = QueueDescriptor.ctl(lap, SKIP, 0);
    if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, skip)) {
      mem.getAndAddLong(ring.dropped, 1);
      ring.free(s, lap, skip);
      mem.compareAndSetLong(head, position, position + 1);
    }
  }

  /** Claims a position (its entry is the slot's own); null if full. */
  EntryClaimImpl tryClaim() {
    long pos = claimPosition();
    if (pos < 0) {
      return null;
    }
    long data = ring.entry(pos);
    if (store.options.zeroClaims()) {
      mem.segment()
          .asSlice(
              data + lengthsLength(ring.trackCount), ring.stride - lengthsLength(ring.trackCount))
          .fill((byte) 0);
    }
    tracks.resetRecords(data);
    return new EntryClaimImpl(queue, pos, data);
  }

  void commitClaim(EntryClaimImpl claim) {
    try {
      long s = slot(claim.sequence);
      int lap = ring.lapOf(claim.sequence);
      if (!mem.compareAndSetLong(
          s + SLOT_CTL_OFFSET,
          QueueDescriptor.ctl(lap, CLAIMED, store.token),
          QueueDescriptor.ctl(lap, COMMITTED, 0))) {
        // Only possible if another process took this client for dead and skipped the claim.
        throw new io.depot.DepotException(
            "entry position was skipped before commit (this process was taken for "
                + "dead): sequence="
                + claim.sequence
                + " queue="
                + name);
      }
      notifyNotEmpty();
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }

  void abortClaim(EntryClaimImpl claim) {
    try {
      long s = slot(claim.sequence);
      int lap = ring.lapOf(claim.sequence);
      mem.compareAndSetLong(
          s + SLOT_CTL_OFFSET,
          QueueDescriptor.ctl(lap, CLAIMED, store.token),
          QueueDescriptor.ctl(lap, SKIP, 0));
      notifyAllNotEmpty(); // consumers blocked at this position can pass it now
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }

  /** One claim attempt: the claim, or null if the queue is full. */
  EntryClaimImpl claimNow() {
    try {
      EntryClaimImpl c = tryClaim();
      if (c != null
          && mem.getIntVolatile(notFull + 4) != 0
          && mem.getLongAcquire(tail) - mem.getLongAcquire(head) < capacity) {
        notifyNotFull(); // a woken producer passes the wake-up on while room remains
      }
      return c;
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }

  /**
   * One push attempt, without a claim handle: claims a position, copies the values into its entry,
   * records the tracks' lengths (and the shapes of variable-shape tracks: from {@code shapes}, or
   * 1-D) and commits.
   *
   * @return the sequence number, or {@link DepotQueue#FULL}
   */
  long pushNow(MemorySegment[] values, long[][] shapes) {
    try {
      long pos = claimPosition();
      if (pos < 0) {
        return DepotQueue.FULL;
      }
      long s = slot(pos);
      int lap = ring.lapOf(pos);
      long claimed = QueueDescriptor.ctl(lap, CLAIMED, store.token);
      try {
        long data = ring.entry(pos);
        tracks.copyIn(data, values, shapes);
      } catch (RuntimeException e) {
        // a value that cannot be read (closed, another thread's confined segment): give the
        // position up
        mem.compareAndSetLong(s + SLOT_CTL_OFFSET, claimed, QueueDescriptor.ctl(lap, SKIP, 0));
        notifyAllNotEmpty();
        throw e;
      }
      if (!mem.compareAndSetLong(
          s + SLOT_CTL_OFFSET, claimed, QueueDescriptor.ctl(lap, COMMITTED, 0))) {
        throw new io.depot.DepotException(
            "entry position was skipped before commit (this process was taken for "
                + "dead): sequence="
                + pos
                + " queue="
                + name);
      }
      notifyNotEmpty();
      if (mem.getIntVolatile(notFull + 4) != 0
          && mem.getLongAcquire(tail) - mem.getLongAcquire(head) < capacity) {
        notifyNotFull(); // a woken producer passes the wake-up on while room remains
      }
      return pos;
    } catch (RuntimeException e) {
      throw store.translate(e);
    }
  }
}
