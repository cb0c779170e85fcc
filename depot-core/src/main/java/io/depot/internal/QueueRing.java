package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.Track;
import java.util.function.LongPredicate;

/**
 * The shared structure of one queue object at address {@code q} of a store: its ring of slots, its
 * entries, its sequence numbers and event counts, and the slot protocols that do not depend on an
 * open handle (the pins of readers, the freeing of a released slot, the resolution of positions
 * held by dead clients). {@link ShmQueue} is the handle built on it; {@link Recovery} and {@link
 * Checker} use it directly.
 *
 * <pre>
 * Concurrency:
 *  - A slot's ctl word (lap, state, token) is the truth of its position; every transition is one CAS that names
 *    who made it (see QueueDescriptor).
 *  - A slot's pins word counts the readers holding its entry in place (read, readLatest), for one lap: a reader
 *    writes PIN_PENDING to its journal, CASes the count up if the word is still for that lap, re-reads the ctl (still
 *    COMMITTED in that lap, or it unpins and fails), then writes PINNED. A reader that dies holding a pin has it
 *    released by recovery from its journal (a pending one by a recount of that slot, the count frozen meanwhile).
 *  - Freeing: a released (consumed) or passed (skipped) position with no pin goes straight to EMPTY(lap + 1), the
 *    producers' next position in the slot; with pins, to RELEASED, and whoever then sees it RELEASED with no pin
 *    (the releaser, or the last reader's unpin) CASes it to EMPTY(lap + 1). Releaser and last reader both write then
 *    read (CAS, then a volatile read of the other word), so at least one of them sees the slot free. A successful
 *    reader's count CAS precedes its ctl read that saw COMMITTED, which precedes the pop: a releaser always sees it.
 *    The pins word is brought to a new lap by that lap's first reader (a word of an older lap with no count is
 *    free); a reader that pins a slot freed meanwhile sees another ctl on its re-read and backs off.
 *  - A force pop or force delete moves the pins word on at once: the readers' later unpins see another lap and do
 *    nothing, their views may show the next entry (documented as unsafe for them).
 * </pre>
 */
final class QueueRing {
  /** Iterations of a reader waiting for a slot's recount before it recounts the slot itself. */
  private static final long RECOUNT_WAIT_NANOS = 200_000_000L;

  final Store store;
  final Mem mem;
  final long q;
  final int queueIndex;
  final int capacity;
  final int trackCount;
  final long stride;
  final long head;
  final long tail;
  final long notEmpty;
  final long notFull;
  final long redeliveries;
  final long published;
  final long dropped;
  final io.depot.Overflow overflow;
  final long slots;

  /** capacity - 1 and log2(capacity) if the capacity is a power of two; else -1 and 0. */
  private final long indexMask;

  private final int lapShift;
  final long entries;

  private QueueRing(
      Store store, long q, int queueIndex, int capacity, int trackCount, long stride) {
    this.store = store;
    this.mem = store.mem;
    this.q = q;
    this.queueIndex = queueIndex;
    this.capacity = capacity;
    this.trackCount = trackCount;
    this.stride = stride;
    this.head = q + headOffset(trackCount);
    this.tail = q + tailOffset(trackCount);
    this.notEmpty = q + notEmptyOffset(trackCount);
    this.notFull = q + notFullOffset(trackCount);
    this.redeliveries = q + redeliveriesOffset(trackCount);
    this.published = q + publishedOffset(trackCount);
    this.dropped = q + droppedOffset(trackCount);
    @SuppressWarnings(
        "EnumOrdinal") // the store's layout records the overflow policy as its ordinal
    // (QueueFormat)
    io.depot.Overflow policy = io.depot.Overflow.values()[mem.getByte(q + OVERFLOW_OFFSET)];
    this.overflow = policy;
    this.slots = q + slotsOffset(trackCount);
    boolean pow2 = Integer.bitCount(capacity) == 1;
    this.indexMask = pow2 ? capacity - 1 : -1;
    this.lapShift = pow2 ? Integer.numberOfTrailingZeros(capacity) : 0;
    this.entries = q + entriesOffset(trackCount, capacity);
  }

  /**
   * The ring of the queue whose value (of {@code valueLength} bytes) is at {@code q}, or null if
   * its header is not a valid queue header for that length.
   */
  static QueueRing at(Store store, int queueIndex, long q, long valueLength) {
    Mem mem = store.mem;
    if (mem.getLongAcquire(q + MAGIC_OFFSET) != MAGIC) {
      return null;
    }
    int capacity = mem.getInt(q + CAPACITY_OFFSET);
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    long stride = mem.getLong(q + ENTRY_LENGTH_OFFSET);
    if (capacity < 1
        || capacity > io.depot.Depot.MAX_QUEUE_CAPACITY
        || trackCount < 1
        || trackCount > Track.MAX_TRACKS
        || stride < lengthsLength(trackCount)
        || stride % 64 != 0
        || mem.getByte(q + OVERFLOW_OFFSET) < 0
        || mem.getByte(q + OVERFLOW_OFFSET) >= io.depot.Overflow.values().length) {
      return null;
    }
    try {
      if (QueueDescriptor.length(trackCount, capacity, stride) > valueLength) {
        return null;
      }
    } catch (ArithmeticException e) {
      return null;
    }
    return new QueueRing(store, q, queueIndex, capacity, trackCount, stride);
  }

  /**
   * The ring of queue object {@code index} (committed or a zombie), or null if it is not a valid
   * queue.
   */
  static QueueRing ofDescriptor(Store store, int index) {
    long d = store.layout.descriptor(index);
    if (store.mem.getByte(d + ObjectDescriptor.KIND_OFFSET) != io.depot.ValueKind.QUEUE.code()
        || store.mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET) == 0) {
      return null;
    }
    return at(
        store,
        index,
        store.dataAddress(index),
        store.mem.getLong(d + ObjectDescriptor.DATA_LENGTH_OFFSET));
  }

  /**
   * The slot index of {@code position}: a mask when the capacity is a power of two (the usual case:
   * a 64-bit division costs tens of cycles, and every operation needs the slot and the lap of its
   * position).
   */
  int slotIndex(long position) {
    return (int) (indexMask >= 0 ? position & indexMask : position % capacity);
  }

  long slot(long position) {
    return slots + (long) slotIndex(position) * SLOT_LENGTH;
  }

  long slotAt(int index) {
    return slots + (long) index * SLOT_LENGTH;
  }

  /** The address of the entry of position {@code position}. */
  long entry(long position) {
    return entries + slotIndex(position) * stride;
  }

  int lapOf(long position) {
    return (int) (indexMask >= 0 ? position >>> lapShift : position / capacity) & LAP_MASK;
  }

  long ctl(long s) {
    return mem.getLongAcquire(s + SLOT_CTL_OFFSET);
  }

  long pins(long s) {
    return mem.getLongAcquire(s + SLOT_PINS_OFFSET);
  }

  /**
   * Signals a commit (or a position consumers can pass): {@code count} consumers, and every cursor.
   */
  void signalNotEmpty(int count) {
    Waiter.signal(mem, notEmpty, count);
    Waiter.signal(mem, published, Integer.MAX_VALUE);
  }

  /**
   * A producer found the queue full because of a REDELIVER slot: the redelivery count may have been
   * reset by a scan that raced the recovery that set it (it is a hint). Raise it and wake the
   * consumers, so that one delivers the entry again.
   */
  void remindRedelivery() {
    mem.getAndAddLong(redeliveries, 1);
    signalNotEmpty(1);
  }

  void signalNotFull(int count) {
    Waiter.signal(mem, notFull, count);
  }

  // ------------------------------------------------------------------ freeing

  /**
   * If slot {@code s} is RELEASED in {@code lap} and no reader pins it, frees it for the producers:
   * its pins word on to the next lap, then EMPTY(lap + 1). Called by every party that may have made
   * it free.
   */
  void tryFree(long s, int lap) {
    long c = ctl(s);
    if (QueueDescriptor.lap(c) != lap || state(c) != RELEASED || held(s, lap)) {
      return; // a reader still holds it: its unpin frees the slot
    }
    if (mem.compareAndSetLong(
        s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0))) {
      signalNotFull(1);
    }
  }

  /**
   * Whether readers pin slot {@code s} in {@code lap}. The pins word is brought to a new lap
   * lazily, by the first reader of that lap: a word of another lap with no count holds nothing.
   */
  boolean held(long s, int lap) {
    long p = pins(s);
    return pinsLap(p) == lap && (pinsCount(p) != 0 || pinsRecounting(p));
  }

  /**
   * Frees slot {@code s}, at position lap {@code lap} in state {@code from} (a popped entry being
   * released, a skipped position being passed), for the producers at once if no reader pins it;
   * else moves it to RELEASED, for the last reader to free. A reader that pins it meanwhile
   * re-reads the ctl after its count CAS and backs off.
   *
   * @return whether this call made the transition (false: the ctl was not {@code from})
   */
  boolean free(long s, int lap, long from) {
    if (!held(s, lap)) {
      if (mem.compareAndSetLong(
          s + SLOT_CTL_OFFSET, from, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0))) {
        signalNotFull(1);
        return true;
      }
      if (ctl(s) != from) {
        return false;
      }
    }
    if (!mem.compareAndSetLong(s + SLOT_CTL_OFFSET, from, QueueDescriptor.ctl(lap, RELEASED, 0))) {
      return false;
    }
    tryFree(s, lap); // the last reader may have let go before the CAS
    return true;
  }

  /**
   * Moves {@code s}'s pins word on to the lap after {@code lap}, whatever its count (force
   * operations).
   */
  void invalidatePins(long s, int lap) {
    mem.putLongVolatile(s + SLOT_PINS_OFFSET, QueueDescriptor.pins(nextLap(lap), 0));
  }

  // ------------------------------------------------------------------ readers' pins

  /**
   * Pins the committed entry of {@code position} for a reader, recording it in journal entry {@code
   * entry} of this client.
   *
   * @return whether it is pinned (false: not committed at that position)
   */
  boolean pin(long position, int entry) {
    long s = slot(position);
    int lap = lapOf(position);
    long c = ctl(s);
    if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
      return false;
    }
    HandleJournal journal = store.journal;
    long pending =
        JournalDescriptor.slotEntry(
            JournalDescriptor.PIN_PENDING, queueIndex, slotIndex(position), lap);
    journal.write(entry, pending);
    for (; ; ) {
      long p = pins(s);
      if (pinsLap(p) != lap) {
        if (pinsCount(p) != 0 || pinsRecounting(p)) {
          journal.write(entry, JournalDescriptor.EMPTY);
          return false; // another lap's readers: this entry is gone
        }
        // the first reader of this lap brings the word to it (the ctl re-read below says whether it
        // still is)
        if (mem.compareAndSetLong(s + SLOT_PINS_OFFSET, p, QueueDescriptor.pins(lap, 1))) {
          break;
        }
        continue;
      }
      if (pinsRecounting(p)) {
        journal.write(entry, JournalDescriptor.EMPTY);
        awaitRecount(s, lap);
        journal.write(entry, pending);
        continue;
      }
      if (pinsCount(p) >= PINS_RECOUNT - 1) {
        journal.write(entry, JournalDescriptor.EMPTY);
        throw new io.depot.CorruptStoreException(
            "queue slot "
                + slotIndex(position)
                + " counts "
                + pinsCount(p)
                + " readers: "
                + store.path);
      }
      if (mem.compareAndSetLong(s + SLOT_PINS_OFFSET, p, p + 1)) {
        break;
      }
    }
    c = ctl(s);
    if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
      unpin(position, lap, entry, false); // popped or deleted meanwhile
      return false;
    }
    journal.write(
        entry,
        JournalDescriptor.slotEntry(
            JournalDescriptor.PINNED, queueIndex, slotIndex(position), lap));
    return true;
  }

  /**
   * Releases a reader's pin (journal entry {@code entry}) on the entry of {@code position} in
   * {@code lap}.
   */
  void unpin(long position, int lap, int entry, boolean pinned) {
    long s = slot(position);
    HandleJournal journal = store.journal;
    long pending =
        JournalDescriptor.slotEntry(
            JournalDescriptor.UNPIN_PENDING, queueIndex, slotIndex(position), lap);
    journal.write(entry, pending);
    for (; ; ) {
      long p = pins(s);
      if (pinsLap(p) != lap || pinsCount(p) == 0) {
        break; // force-reused meanwhile: nothing to release
      }
      if (pinsRecounting(p)) {
        journal.write(
            entry,
            pinned
                ? JournalDescriptor.slotEntry(
                    JournalDescriptor.PINNED, queueIndex, slotIndex(position), lap)
                : JournalDescriptor.EMPTY);
        awaitRecount(s, lap);
        journal.write(entry, pending);
        continue;
      }
      if (mem.compareAndSetLong(s + SLOT_PINS_OFFSET, p, p - 1)) {
        if (pinsCount(p) == 1) {
          tryFree(s, lap);
        }
        break;
      }
    }
    journal.write(entry, JournalDescriptor.EMPTY);
  }

  /**
   * Decrements a pin a dead reader held (its journal said PINNED) on slot {@code slot}, lap low
   * bits {@code lapLow}.
   */
  void releaseDeadPin(int slot, int lapLow) {
    long s = slotAt(slot);
    for (; ; ) {
      long p = pins(s);
      int lap = pinsLap(p);
      if ((lap & JournalDescriptor.SLOT_LAP_MASK) != lapLow || pinsCount(p) == 0) {
        return;
      }
      if (pinsRecounting(p)) {
        awaitRecount(s, lap);
        continue;
      }
      if (mem.compareAndSetLong(s + SLOT_PINS_OFFSET, p, p - 1)) {
        if (pinsCount(p) == 1) {
          tryFree(s, lap);
        }
        return;
      }
    }
  }

  /**
   * Waits while slot {@code s}'s pins are frozen for a recount; recounts itself if that takes too
   * long.
   */
  private void awaitRecount(long s, int lap) {
    long deadline = System.nanoTime() + RECOUNT_WAIT_NANOS;
    while (pinsRecounting(pins(s))) {
      Thread.onSpinWait();
      Thread.yield();
      if (System.nanoTime() - deadline > 0) {
        recount((int) ((s - slots) / SLOT_LENGTH), lap, -1, true);
        deadline = System.nanoTime() + RECOUNT_WAIT_NANOS;
      }
    }
  }

  /**
   * Recounts the readers of slot {@code slot} in {@code lap} from the journals of live clients
   * (leaving out row {@code deadSlot}): freezes the count, waits for live clients' pending pins on
   * it to settle, stores the count and unfreezes; frees the slot if it was released and nobody
   * holds it. With {@code takeOver}, a count frozen by a recounter that did not finish is taken
   * over.
   */
  void recount(int slot, int lap, int deadSlot, boolean takeOver) {
    long s = slotAt(slot);
    long p;
    for (; ; ) {
      p = pins(s);
      if (pinsLap(p) != lap) {
        return;
      }
      if (pinsRecounting(p)) {
        if (takeOver) {
          break;
        }
        awaitRecount(s, lap);
        continue;
      }
      if (mem.compareAndSetLong(s + SLOT_PINS_OFFSET, p, p | PINS_RECOUNT)) {
        break;
      }
    }
    int lapLow = lap & JournalDescriptor.SLOT_LAP_MASK;
    long count =
        store.recovery.countLivePins(
            entry ->
                JournalDescriptor.isSlot(entry)
                    && JournalDescriptor.index(entry) == queueIndex
                    && JournalDescriptor.slot(entry) == slot
                    && JournalDescriptor.slotLap(entry) == lapLow,
            deadSlot);
    mem.putLongVolatile(s + SLOT_PINS_OFFSET, QueueDescriptor.pins(lap, count));
    if (count == 0) {
      tryFree(s, lap);
    }
  }

  // ------------------------------------------------------------------ positions held by the dead

  /**
   * Resolves a slot whose ctl {@code c} is CLAIMED, POPPED or REMOVING by a dead client: takes it
   * over with a CAS, then skips a dead producer's claim (SKIP), delivers a dead consumer's popped
   * entry again (REDELIVER), or completes a dead deleter's removal (SKIP).
   *
   * @return whether this call resolved the slot
   */
  boolean resolveDead(long s, int lap, long position, long c) {
    if (!mem.compareAndSetLong(
        s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
      return false;
    }
    if (state(c) == POPPED) {
      mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, REDELIVER, 0));
      mem.getAndAddLong(redeliveries, 1);
      // A consumer that died between its slot CAS and its head CAS left the head at its position:
      // move it on.
      mem.compareAndSetLong(head, position, position + 1);
    } else {
      mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, SKIP, 0));
    }
    signalNotEmpty(Integer.MAX_VALUE);
    return true;
  }

  /**
   * Resolves every position held by a client whose token matches {@code dead} (client recovery, or
   * this client's own at close).
   *
   * @return the number of positions resolved
   */
  long recoverPositions(LongPredicate dead) {
    long t = mem.getLongAcquire(tail);
    long n = 0;
    // Every position with state lies in [t - capacity, t]: popped ones not yet released down to t -
    // capacity (the
    // producers wait for them), and a claim whose tail update is late at t itself.
    for (long p = Math.max(0, t - capacity); p <= t; p++) {
      long s = slot(p);
      long c = ctl(s);
      int st = state(c);
      if ((st == CLAIMED || st == REMOVING || st == POPPED)
          && dead.test(QueueDescriptor.token(c))
          && QueueDescriptor.lap(c) == lapOf(p)
          && resolveDead(s, QueueDescriptor.lap(c), p, c)) {
        n++;
      }
    }
    return n;
  }

  /**
   * The committed entries in the ring (a snapshot: positions being popped or claimed change under
   * it).
   */
  long committedEntries() {
    long n = 0;
    for (int i = 0; i < capacity; i++) {
      if (state(ctl(slotAt(i))) == COMMITTED) {
        n++;
      }
    }
    return n;
  }
}
