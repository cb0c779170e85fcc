package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.EntryNotFoundException;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.NDArray;
import io.depot.QueueCursor;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A queue object, open in this process (it holds a pin on the queue's descriptor until closed). Its
 * entries are allocated with the queue, one per slot ({@link QueueRing}): producing and consuming
 * touch only the slot words and the entries, never the store's allocator or directory.
 *
 * <pre>
 * Concurrency (see {@link QueueDescriptor} for the slot states, {@link QueueRing} for pins and freeing):
 *  - claim:    read tail (acquire); CAS slot EMPTY(lap) -> CLAIMED(lap, token); CAS tail pos -> pos + 1 (anyone
 *              who sees a claimed slot at the tail helps move the tail on). The slot CAS is the claim: it records
 *              the producer, so a claim whose producer died is recognisable. The entry is the slot's own.
 *  - commit:   CAS CLAIMED -> COMMITTED (release: the entry's bytes are visible to whoever acquires the slot).
 *  - pop:      if the redelivery count is non-zero, first look for a REDELIVER slot behind the head and CAS it
 *              to POPPED(lap, token). Else read head (acquire); CAS slot COMMITTED(lap) -> POPPED(lap, token); CAS
 *              head on. The slot stays POPPED while the consumer holds the entry: the producers' position
 *              p + capacity waits for it.
 *  - release:  (closing a popped entry) CAS POPPED(lap, token) -> RELEASED(lap); free it unless readers pin it
 *              (the last one frees it). An entry is consumed when released: a consumer that dies holding it (slot
 *              POPPED by a dead token) has it delivered again: REDELIVER(lap), the count incremented, consumers
 *              woken. Delivery is at least once.
 *  - read:     pin the slot for the lap (QueueRing.pin), journaled, so the producers wait for the reader too.
 *  - delete:   CAS COMMITTED -> REMOVING; release-store SKIP(lap); a consumer passes it (SKIP -> RELEASED, freed
 *              once no reader pins it). A force pop or force delete also moves the pins on at once.
 *  - waiting:  consumers wait on the notEmpty event count, producers on notFull (see Waiter: an adaptive spin,
 *              then FUTEX_WAIT; a signaller writes nothing unless someone sleeps). A commit wakes one consumer, a
 *              freed slot one producer; a woken waiter that succeeds wakes the next while entries (room) remain; a
 *              skipped or recovered position wakes them all.
 *  - failure:  a waiter that has waited a while, or a tryPop that finds a CLAIMED position ahead of committed
 *              ones, checks the token of the slot blocking it (at most every 20 ms per queue handle) and recovers a
 *              dead holder: a producer's claim is skipped, a consumer's popped entry delivered again, a deleter's
 *              removal completed.
 *  - overwrite: (OVERWRITE_OLDEST) a producer whose position's slot still holds the previous lap's COMMITTED entry
 *              CASes it to SKIP (dropped: a racing pop gets it or sees it skipped), counts it and frees it.
 *  - handles:  a DepotQueue handle pins the queue object; operations and entries hold references on the handle,
 *              so the pin (and the queue's memory) outlives both, whatever the order of the closes.
 * </pre>
 *
 * <p>The parts: {@link QueueFormat} (the value's format, checked at open), {@link QueueTracks} (the
 * tracks and the entries' records of them), {@link QueueProducer} (claim, commit, abort, push,
 * overwrite), {@link QueueConsumer} (pop, redelivery, release, force pop, delete), {@link
 * QueueRing} (the shared slot protocols: pins, freeing, dead positions), {@link QueueCursorImpl}
 * (cursors), {@link Waiter} (waiting); this class is the handle: references, reads in place,
 * waiting and the recovery of a position that blocks a waiter.
 */
final class ShmQueue implements DepotQueue {
  private static final long LIVENESS_CHECK_NANOS = Waiter.LIVENESS_CHECK_NANOS;

  private final ShmDepot depot;
  private final Store store;
  private final Mem mem;
  private final String name;
  private final ObjectHandleImpl pin;
  private final QueueRing ring;
  private final int capacity;
  private final QueueTracks trackTable;
  private final QueueProducer producer;
  private final QueueConsumer consumer;
  private final long head;
  private final long tail;
  private final long notEmpty;
  private final long notFull;
  private final AtomicBoolean closed = new AtomicBoolean();

  /**
   * Low word: references (the handle itself until closed, entries, claims and cursors handed out,
   * blocking waits); high word: operations in flight. Both in one word, so that an operation enters
   * the handle and the store with one atomic add (see {@link #opEnter}); the queue is unpinned when
   * the whole word drops to zero.
   */
  private final AtomicLong refs = new AtomicLong(1);

  /** When a non-blocking operation next checks whether the process blocking it is alive. */
  private volatile long nextBlockedCheck;

  /** The adaptive spins of this handle's consumers (pop) and producers (push, createEntry). */
  private final Waiter.Spin consumerSpin;

  private final Waiter.Spin producerSpin;

  /** The adaptive spin of this handle's cursors and readLatestAfter. */
  final Waiter.Spin cursorSpin;

  private ShmQueue(ShmDepot depot, Store store, String name, ObjectHandleImpl pin, QueueRing ring) {
    this.depot = depot;
    this.store = store;
    this.mem = store.mem;
    this.name = name;
    this.pin = pin;
    this.ring = ring;
    this.capacity = ring.capacity;
    this.trackTable = new QueueTracks(store.mem, ring, name);
    this.head = ring.head;
    this.tail = ring.tail;
    this.notEmpty = ring.notEmpty;
    this.notFull = ring.notFull;
    this.consumerSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.producerSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.cursorSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.producer = new QueueProducer(this);
    this.consumer = new QueueConsumer(this);
    store.queueHandles.add(this);
  }

  // ------------------------------------------------------------------ creation

  /**
   * Opens the queue behind a pinned handle (which it takes over), after checking its header against
   * its size.
   */
  static ShmQueue open(ShmDepot depot, Store store, ObjectHandleImpl pin) {
    long q = pin.dataAddress();
    Mem mem = store.mem;
    QueueRing ring = QueueRing.at(store, ObjectDescriptor.ownerIndex(pin.version()), q, pin.size());
    if (ring == null) {
      throw new io.depot.CorruptStoreException(
          "queue object has no valid queue header (capacity="
              + mem.getInt(q + CAPACITY_OFFSET)
              + " tracks="
              + mem.getInt(q + TRACK_COUNT_OFFSET)
              + " stride="
              + mem.getLong(q + ENTRY_LENGTH_OFFSET)
              + " size="
              + pin.size()
              + "): name="
              + pin.name());
    }
    QueueFormat.checkTracks(mem, ring, pin.name());
    store.queuesOpened = true; // its claims and popped entries are given back at close
    return new ShmQueue(depot, store, pin.name(), pin, ring);
  }

  // ------------------------------------------------------------------ accessors

  @Override
  public String name() {
    return name;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public List<Track> tracks() {
    return List.copyOf(trackTable.list());
  }

  @Override
  public int trackIndex(String trackName) {
    return trackTable.indexOf(trackName);
  }

  /** The tracks and the entries' records of them. */
  QueueTracks trackTable() {
    return trackTable;
  }

  @Override
  public long headSequence() {
    return mem.getLongAcquire(head);
  }

  @Override
  public long tailSequence() {
    return mem.getLongAcquire(tail);
  }

  @Override
  public int size() {
    long t = mem.getLongAcquire(tail);
    long h = mem.getLongAcquire(head);
    return Math.clamp(t - h, 0, capacity);
  }

  /**
   * Takes a reference on this handle (a wait, a cursor, an entry read in place); fails once it is
   * closed.
   */
  private void acquire() {
    for (long r = refs.get(); ; r = refs.get()) {
      if (references(r) == 0 || closed.get()) {
        throw new HandleClosedException("queue is closed: name=" + name);
      }
      if (refs.compareAndSet(r, r + 1)) {
        return;
      }
    }
  }

  /** One operation in flight, in the high word of {@link #refs}; references are its low word. */
  private static final long OP = 1L << 32;

  /** The references (the handle's own, waits, cursors, entries) of a {@link #refs} word. */
  private static int references(long refsWord) {
    return (int) refsWord;
  }

  /** The operations in flight of a {@link #refs} word. */
  private static int operations(long refsWord) {
    return (int) (refsWord >>> 32);
  }

  /**
   * Enters an operation of the handle: one atomic add, then checks that the handle and the store
   * are open. It is the store's gate for queue operations: the store's close, after setting its
   * closed flag, waits until no registered queue handle has an operation in flight (a Dekker pair
   * of volatile accesses: either the close sees this operation, or this operation sees the store
   * closed).
   */
  private void opEnter() {
    long r = refs.getAndAdd(OP);
    if (references(r) == 0 || closed.get()) {
      opExit();
      throw new HandleClosedException("queue is closed: name=" + name);
    }
    if (store.isClosed()) {
      opExit();
      throw new io.depot.StoreClosedException("store is closed: " + store.path);
    }
  }

  /**
   * Enters an operation of an entry or claim, which holds a reference (the handle itself may be
   * closed).
   */
  private boolean opEnterHeld() {
    refs.getAndAdd(OP);
    if (store.isClosed()) {
      opExit();
      return false;
    }
    return true;
  }

  private void opExit() {
    if (refs.addAndGet(-OP) == 0) {
      unpin();
    }
  }

  /**
   * Ends an operation that hands out an entry or a claim: its hold becomes the reference the
   * handout keeps.
   */
  private void opExitKeeping() {
    refs.getAndAdd(1 - OP);
  }

  /**
   * Ends an operation of an entry or claim that is done: the operation and the handout's reference
   * go.
   */
  private void opExitReleasing() {
    if (refs.addAndGet(-OP - 1) == 0) {
      unpin();
    }
  }

  /** Whether an operation is in flight (the store's close waits for none). */
  boolean operating() {
    return operations(refs.get()) != 0;
  }

  private void unpin() {
    store.queueHandles.remove(this);
    pin.close();
  }

  /**
   * Iterations without any progress of the head or tail after which a slot state is taken as
   * damage.
   */
  static final int STUCK_LIMIT = 100_000;

  io.depot.CorruptStoreException stuck(String where, long pos, long c) {
    return new io.depot.CorruptStoreException(
        "queue slot of position="
            + pos
            + " is inconsistent at the "
            + where
            + " (lap "
            + QueueDescriptor.lap(c)
            + ", expected "
            + ring.lapOf(pos)
            + ", state "
            + QueueDescriptor.stateName(state(c))
            + "): queue="
            + name
            + " in "
            + store.path);
  }

  /** Drops a reference; the last one (the handle closed, nothing in flight) unpins the queue. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      unpin();
    }
  }

  private long slot(long position) {
    return ring.slot(position);
  }

  /**
   * Whether a non-blocking operation may check the liveness of whoever blocks it now (at most every
   * 20 ms).
   */
  boolean blockedCheckDue() {
    long now = System.nanoTime();
    if (now - nextBlockedCheck < 0) {
      return false;
    }
    nextBlockedCheck = now + LIVENESS_CHECK_NANOS;
    return true;
  }

  // ------------------------------------------------------------------ producing

  @Override
  public Optional<EntryClaim> tryCreateEntry() {
    return Optional.ofNullable(gatedClaim());
  }

  /**
   * One claim attempt as an operation: the claim (which keeps the operation's hold as its
   * reference), or null.
   */
  private EntryClaimImpl gatedClaim() {
    opEnter();
    EntryClaimImpl c = null;
    try {
      c = producer.claimNow();
      return c;
    } finally {
      if (c != null) {
        opExitKeeping();
      } else {
        opExit();
      }
    }
  }

  @Override
  public EntryClaim createEntry(Duration timeout) {
    acquire();
    try {
      EntryClaimImpl c = gatedClaim();
      if (c != null) {
        return c;
      }
      if (ring.overflow == io.depot.Overflow.FAIL) {
        throw new io.depot.QueueFullException(
            "queue is full (capacity=" + capacity + ", overflow=FAIL): name=" + name);
      }
      return Waiter.await(
          mem,
          notFull,
          timeout.toNanos(),
          producerSpin,
          this::gatedClaim,
          () -> checkBlocked(mem.getLongAcquire(tail) - capacity),
          "no room in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  @Override
  public long tryPush(MemorySegment... values) {
    trackTable.checkValues(values);
    return gatedPush(values, null);
  }

  /** One push attempt as an operation. */
  private long gatedPush(MemorySegment[] values, long[][] shapes) {
    opEnter();
    try {
      return producer.pushNow(values, shapes);
    } finally {
      opExit();
    }
  }

  @Override
  public long tryPush(NDArray... values) {
    MemorySegment[] segments = trackTable.segments(values);
    trackTable.checkValues(segments);
    return gatedPush(segments, trackTable.shapes(values));
  }

  @Override
  public long push(Duration timeout, MemorySegment... values) {
    trackTable.checkValues(values);
    return pushWaiting(timeout, values, null);
  }

  private long pushWaiting(Duration timeout, MemorySegment[] values, long[][] shapes) {
    acquire();
    try {
      long pos = gatedPush(values, shapes);
      if (pos != FULL || ring.overflow == io.depot.Overflow.FAIL) {
        return pos;
      }
      return Waiter.await(
          mem,
          notFull,
          timeout.toNanos(),
          producerSpin,
          () -> {
            long p = gatedPush(values, shapes);
            return p == FULL ? null : p;
          },
          () -> checkBlocked(mem.getLongAcquire(tail) - capacity),
          "no room in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  @Override
  public long push(Duration timeout, NDArray... values) {
    MemorySegment[] segments = trackTable.segments(values);
    trackTable.checkValues(segments);
    return pushWaiting(timeout, segments, trackTable.shapes(values));
  }

  // ------------------------------------------------------------------ consuming

  /** Releases a reader's pin on an entry read in place (its handle is closing). */
  void releaseRead(EntryImpl e) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException closed) {
      release();
      return; // released by the store's close
    }
    try {
      ring.unpin(e.sequence(), e.lap(), e.journalEntry(), true);
      store.journal.release(e.journalEntry());
    } catch (RuntimeException ex) {
      throw store.translate(ex);
    } finally {
      store.exit();
      release();
    }
  }

  @Override
  public Optional<Entry> tryPop() {
    return Optional.ofNullable(gatedPop());
  }

  /**
   * One pop attempt as an operation: the entry (which keeps the operation's hold as its reference),
   * or null.
   */
  private EntryImpl gatedPop() {
    opEnter();
    EntryImpl e = null;
    try {
      e = consumer.popNow();
      return e;
    } finally {
      if (e != null) {
        opExitKeeping();
      } else {
        opExit();
      }
    }
  }

  @Override
  public Entry pop(Duration timeout) {
    acquire();
    try {
      EntryImpl e = gatedPop();
      if (e != null) {
        return e;
      }
      return Waiter.await(
          mem,
          notEmpty,
          timeout.toNanos(),
          consumerSpin,
          this::gatedPop,
          () -> checkBlocked(mem.getLongAcquire(head)),
          "no entry in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  @Override
  @SuppressWarnings(
      "ReferenceEquality") // EMPTY_QUEUE is a sentinel object: identity is the comparison meant
  public boolean forcePop() {
    opEnter();
    try {
      return consumer.popOnce(true) != QueueConsumer.EMPTY_QUEUE;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      opExit();
    }
  }

  // ------------------------------------------------------------------ reading in place

  @Override
  public Entry read(long sequence) {
    acquire();
    try {
      EntryImpl e = readPinned(sequence);
      if (e == null) {
        throw new EntryNotFoundException(describeMissing(sequence));
      }
      return e;
    } finally {
      release();
    }
  }

  private String describeMissing(long sequence) {
    long h = mem.getLongAcquire(head);
    long t = mem.getLongAcquire(tail);
    String why =
        sequence < 0
            ? "negative"
            : sequence >= t
                ? "not claimed yet"
                : sequence < h ? "already popped" : "not committed, or deleted";
    return "no committed entry sequence="
        + sequence
        + " ("
        + why
        + "; queue holds "
        + h
        + ".."
        + (t - 1)
        + "): queue="
        + name;
  }

  /** {@link #readOnce} inside the store's gate. */
  EntryImpl readPinned(long sequence) {
    return store.call(() -> readOnce(sequence));
  }

  /** Runs {@code op} holding a reference on this handle (it fails once the handle is closed). */
  <T> T withRef(java.util.function.Supplier<T> op) {
    acquire();
    try {
      return op.get();
    } finally {
      release();
    }
  }

  /**
   * Whether the queue object was removed (its descriptor is no longer the committed object this
   * handle pins).
   */
  boolean removed() {
    long c =
        mem.getLongAcquire(
            store.layout.descriptor(ObjectDescriptor.ownerIndex(pin.version()))
                + ObjectDescriptor.CTL_OFFSET);
    return ObjectDescriptor.state(c) != ObjectDescriptor.COMMITTED
        || ObjectDescriptor.generation(c) != ObjectDescriptor.ownerGeneration(pin.version());
  }

  QueueRing ring() {
    return ring;
  }

  /** Recovers the holder of {@code position} if it died (a cursor waiting there). */
  void checkBlockedAt(long position) {
    checkBlocked(position);
  }

  /** A handle on the committed entry at {@code sequence} (pinned in place), or null. */
  private EntryImpl readOnce(long sequence) {
    if (sequence < 0 || sequence >= mem.getLongAcquire(tail)) {
      return null;
    }
    long s = slot(sequence);
    long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
    int lap = ring.lapOf(sequence);
    if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
      return null;
    }
    int entry = store.journal.acquire();
    if (!ring.pin(sequence, entry)) {
      store.journal.release(entry);
      return null;
    }
    refs.incrementAndGet(); // the handle stays pinned until this entry is closed
    return new EntryImpl(this, sequence, ring.entry(sequence), lap, entry);
  }

  @Override
  public Optional<Entry> readLatest() {
    acquire();
    store.enter();
    try {
      for (; ; ) {
        long t = mem.getLongAcquire(tail);
        long h = mem.getLongAcquire(head);
        // at most capacity positions are in the queue: a damaged head or tail must not make this
        // loop unbounded
        long lowest = Math.max(0, Math.max(h, t - capacity));
        for (long p = t - 1; p >= lowest; p--) {
          EntryImpl e = readOnce(p);
          if (e != null) {
            return Optional.of(e);
          }
        }
        if (mem.getLongAcquire(head) == h) {
          return Optional.empty();
        }
      }
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  @Override
  public Entry readLatestAfter(long sequence, Duration timeout) {
    acquire();
    try {
      EntryImpl e = latestAfter(sequence);
      if (e != null) {
        return e;
      }
      return Waiter.await(
          mem,
          ring.published,
          timeout.toNanos(),
          cursorSpin,
          () -> latestAfter(sequence),
          null,
          "no entry after sequence="
              + sequence
              + " in queue="
              + name
              + " within timeout="
              + timeout);
    } finally {
      release();
    }
  }

  /** The latest committed entry if its sequence is above {@code sequence}, else null. */
  private EntryImpl latestAfter(long sequence) {
    if (mem.getLongAcquire(tail) - 1 <= sequence) {
      return null; // nothing claimed after it: no need to look
    }
    Optional<Entry> latest = readLatest();
    if (latest.isEmpty()) {
      return null;
    }
    if (latest.get().sequence() <= sequence) {
      latest.get().close();
      return null;
    }
    return (EntryImpl) latest.get();
  }

  @Override
  public QueueCursor subscribe() {
    return subscribe(mem.getLongAcquire(tail));
  }

  @Override
  public QueueCursor subscribe(long from) {
    if (from < 0) {
      throw new InvalidArgumentException(
          "cursor start must be a sequence number >= 0: from=" + from + " queue=" + name);
    }
    acquire(); // the cursor holds a reference on this handle until it is closed
    return new QueueCursorImpl(this, from);
  }

  @Override
  public io.depot.Overflow overflow() {
    return ring.overflow;
  }

  @Override
  public long dropped() {
    return mem.getLongAcquire(ring.dropped);
  }

  @Override
  public List<Entry> batchRead(long... sequences) {
    List<Entry> out = new ArrayList<>(sequences.length);
    try {
      for (long seq : sequences) {
        out.add(read(seq));
      }
      return out;
    } catch (RuntimeException e) {
      DepotQueue.release(out);
      throw e;
    }
  }

  @Override
  public boolean deleteEntry(long sequence) {
    return withRef(() -> consumer.delete(sequence, false));
  }

  @Override
  public boolean forceDeleteEntry(long sequence) {
    return withRef(() -> consumer.delete(sequence, true));
  }

  // ------------------------------------------------------------------ entries and claims closing

  void commitClaim(EntryClaimImpl claim) {
    if (!opEnterHeld()) {
      release();
      throw new io.depot.StoreClosedException(
          "store is closed: " + store.path); // its close skipped the position
    }
    try {
      producer.commitClaim(claim);
    } finally {
      opExitReleasing();
    }
  }

  void abortClaim(EntryClaimImpl claim) {
    if (!opEnterHeld()) {
      release();
      return; // given back by the store's close
    }
    try {
      producer.abortClaim(claim);
    } finally {
      opExitReleasing();
    }
  }

  void releasePopped(EntryImpl e) {
    if (!opEnterHeld()) {
      release();
      return; // the store's close delivered it again
    }
    try {
      consumer.releasePopped(e);
    } finally {
      opExitReleasing();
    }
  }

  // ------------------------------------------------------------------ waiting and failure

  /**
   * Resolves the position a waiter is blocked at if the process holding it died: a dead producer's
   * claim is skipped, a dead consumer's popped entry redelivered, a dead deleter's removal
   * completed.
   */
  private void checkBlocked(long position) {
    if (position < 0) {
      return;
    }
    store.run(() -> recoverPosition(position));
  }

  /**
   * If position {@code position} is CLAIMED, POPPED or REMOVING by a dead client, recovers that
   * client (the position among what it left) there and then. Returns whether it changed anything.
   */
  boolean recoverPosition(long position) {
    long s = slot(position);
    int lap = ring.lapOf(position);
    long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
    int st = state(c);
    if (QueueDescriptor.lap(c) != lap || (st != CLAIMED && st != REMOVING && st != POPPED)) {
      return false;
    }
    long owner = QueueDescriptor.token(c);
    return owner != store.token && store.recovery.recoverIfDead(owner);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release();
    }
  }

  @Override
  public String toString() {
    return "DepotQueue["
        + name
        + ", capacity="
        + capacity
        + ", tracks="
        + trackTable.list()
        + ", head="
        + headSequence()
        + ", tail="
        + tailSequence()
        + "]";
  }

  ShmDepot depot() {
    return depot;
  }

  Store store() {
    return store;
  }
}
