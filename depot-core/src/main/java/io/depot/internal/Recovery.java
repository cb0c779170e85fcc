package io.depot.internal;

import static io.depot.internal.ObjectDescriptor.*;

import io.depot.IdleStrategy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;

/**
 * Recovery of what dead processes left in the store: their claims, pins, half-done frees, queue
 * positions, locks.
 *
 * <p>Who recovers, and when:
 *
 * <ul>
 *   <li><b>On contact</b>: an operation blocked by a dead process's state recovers that process
 *       there and then and proceeds: a claim of a name it held in WRITE ({@link #recoverIfDead}), a
 *       queue position it held (see {@link ShmQueue}), a claim that finds the store or the
 *       directory full ({@link #recoverOnContention}), an attach to a full client table (the dead
 *       slot is adopted, see {@link ClientTable}). A lock it held is taken over and repaired by the
 *       waiter (see {@link Locks}), which holds other locks at that point: the rest of the dead
 *       process's state is then recovered on the recovery thread ({@link #recoverSoon}),
 *       milliseconds later.
 *   <li><b>By the sweep</b>: every attached process with a non-zero {@code recoveryInterval} runs
 *       {@link #sweep} on a daemon thread every half interval; a lease in the header lets one sweep
 *       run per half interval for the whole store. A sweep checks each attached slot's process (pid
 *       and start time) and recovers the dead ones, so a dead process's memory comes back within
 *       one interval even if nobody runs into it.
 *   <li><b>Explicitly</b>: {@link #recoverDeadClients(boolean)} ({@code Depot.recoverDeadClients},
 *       {@code depot fsck --recover}), which also reclaims state owned by tokens no slot holds any
 *       more.
 * </ul>
 *
 * <pre>
 * Concurrency: a dead slot is recovered by whoever wins the CAS of its state word to RECOVERING(gen, own token) (or
 * adopts it, see ClientTable); a dead recoverer's recovery is taken over by the same CAS from its token. Each step
 * takes what it recovers by a CAS (a descriptor's owner token, a queue slot's ctl), so two recoverers, or a
 * recoverer and an operation on contact, never act on the same thing twice, and every step is idempotent. Only the
 * holder of a slot's RECOVERING word (or its adopter) reads and clears the slot's journal row.
 * </pre>
 */
final class Recovery {
  private static final System.Logger LOG = System.getLogger("io.depot");

  /** A claim that finds the store full sweeps at most this often per process. */
  private static final long CONTENTION_GAP_NANOS = 20_000_000L;

  /** How long a waiter for a recount waits before it checks whether the recounter died. */
  private static final long RECOUNT_CHECK_NANOS = 200_000_000L;

  /** How long {@link #recoverIfDead} waits for a live recoverer of the dead client to finish. */
  private static final long RECOVERER_WAIT_NANOS = 10_000_000_000L;

  /** One daemon thread per process runs the sweeps of all its stores. */
  private static final class Sweeper {
    static final ScheduledExecutorService EXECUTOR =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("depot-recovery").unstarted(r));
  }

  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;
  private final AtomicLong lastContention =
      new AtomicLong(System.nanoTime() - 2 * CONTENTION_GAP_NANOS);
  private volatile ScheduledFuture<?> sweeping;

  /** Tokens whose recovery {@link #recoverSoon} has queued and not finished. */
  private final Set<Long> queued = ConcurrentHashMap.newKeySet();

  Recovery(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
  }

  // ------------------------------------------------------------------ the sweep

  /**
   * Schedules this attachment's sweeps (the first at once), unless its recovery interval is zero.
   */
  void startSweeping() {
    Duration interval = store.options.recoveryInterval();
    if (interval.isZero()) {
      return;
    }
    long half = interval.toNanos() / 2;
    sweeping =
        Sweeper.EXECUTOR.scheduleWithFixedDelay(
            () -> sweepIfDue(half), 0, half, TimeUnit.NANOSECONDS);
  }

  void stopSweeping() {
    ScheduledFuture<?> f = sweeping;
    if (f != null) {
      f.cancel(false);
    }
  }

  /**
   * Sweeps if no process of the store swept in the last {@code leaseNanos}: takes the lease in the
   * header with a CAS, then recovers every dead client. A lease further in the future than twice
   * its length (a clock from another boot, for a store file that outlived one) counts as expired.
   */
  private void sweepIfDue(long leaseNanos) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      return;
    }
    try {
      long now = System.nanoTime();
      long lease = mem.getLongAcquire(HeaderDescriptor.SWEEP_LEASE_OFFSET);
      if (now - lease < 0 && lease - now <= 2 * leaseNanos) {
        return;
      }
      if (mem.compareAndSetLong(HeaderDescriptor.SWEEP_LEASE_OFFSET, lease, now + leaseNanos)) {
        sweep();
      }
    } catch (RuntimeException | InternalError e) {
      LOG.log(System.Logger.Level.WARNING, "recovery sweep of " + store.path + " failed", e);
    } finally {
      store.exit();
    }
  }

  /** Recovers every dead client slot; returns how many. */
  int sweep() {
    int recovered = 0;
    for (int s = 0; s < layout.maxClients; s++) {
      if (s != store.slot && recoverSlotIfDead(s)) {
        recovered++;
      }
    }
    return recovered;
  }

  /**
   * {@link #sweep()}, then, if {@code orphans}, reclaims whatever is still owned by tokens that no
   * slot holds any more (left by a damaged file, or by a version of Depot with a bug): WRITE and
   * FREEING descriptors, queue positions.
   */
  int recoverDeadClients(boolean orphans) {
    int recovered = sweep();
    if (orphans) {
      reclaimOwned(t -> t != store.token && store.clients.isTokenDetached(t));
    }
    return recovered;
  }

  /**
   * A claim found the store or the directory full: dead clients may hold the memory or the
   * descriptors. Sweeps now, unless this process did so in the last 20 ms.
   *
   * @return the number of dead clients recovered (if any, the caller tries again)
   */
  int recoverOnContention() {
    long now = System.nanoTime();
    long last = lastContention.get();
    if (now - last < CONTENTION_GAP_NANOS || !lastContention.compareAndSet(last, now)) {
      return 0;
    }
    return sweep();
  }

  // ------------------------------------------------------------------ one client

  /**
   * If the client that holds or held {@code token} is dead, makes sure what it left is recovered
   * (its whole slot if it is still attached; else whatever the token still owns) and returns true;
   * returns false if it is alive or is this client.
   */
  boolean recoverIfDead(long token) {
    if (token == 0 || token == store.token) {
      return false;
    }
    int s = ClientDescriptor.slotOf(token);
    if (s < 0 || s >= layout.maxClients) {
      reclaimOwned(t -> t == token);
      return true;
    }
    long deadline = System.nanoTime() + RECOVERER_WAIT_NANOS;
    IdleStrategy idle = null;
    for (; ; ) {
      long word = store.clients.slotWord(s);
      long st = ClientDescriptor.state(word);
      boolean same = ClientDescriptor.generation(word) == ClientDescriptor.generationOf(token);
      if (same
          && (st == ClientDescriptor.STATE_ATTACHED || st == ClientDescriptor.STATE_CLAIMING)) {
        if (store.clients.isSlotAlive(s, word)) {
          return false;
        }
        if (recoverSlotIfDead(s)) {
          return true;
        }
      } else if (same && st == ClientDescriptor.STATE_RECOVERING) {
        long recoverer = ClientDescriptor.recoverer(word);
        if (recoverer != store.token && !store.clients.isTokenAlive(recoverer)) {
          recoverSlotIfDead(s); // take the dead recoverer's work over
        } else if (System.nanoTime() - deadline > 0) {
          return false; // a live recoverer is taking very long: report the conflict
        } else {
          if (idle == null) {
            idle = store.newIdleStrategy();
          }
          idle.idle();
        }
      } else {
        // FREE, or another generation: the client detached or was recovered; what it still owns is
        // orphaned.
        reclaimOwned(t -> t == token);
        return true;
      }
    }
  }

  /**
   * {@link #recoverIfDead} on the recovery thread, as soon as it is free: for a caller that ran
   * into a dead client's state while holding locks that the recovery needs (a lock taken over from
   * a dead holder). Queued once per token.
   */
  void recoverSoon(long token) {
    if (token == 0 || token == store.token || !queued.add(token)) {
      return;
    }
    Sweeper.EXECUTOR.execute(
        () -> {
          try {
            store.enter();
          } catch (io.depot.StoreClosedException e) {
            queued.remove(token);
            return;
          }
          try {
            recoverIfDead(token);
          } catch (RuntimeException | InternalError e) {
            LOG.log(
                System.Logger.Level.WARNING,
                "recovery of a dead client of " + store.path + " failed",
                e);
          } finally {
            queued.remove(token);
            store.exit();
          }
        });
  }

  /**
   * If slot {@code s} is held by a dead process (or being recovered by a dead recoverer), claims
   * its recovery with a CAS, recovers it and frees the slot.
   *
   * @return whether this call recovered it
   */
  boolean recoverSlotIfDead(int s) {
    long word = store.clients.slotWord(s);
    long st = ClientDescriptor.state(word);
    long c = layout.client(s);
    boolean takeover;
    if (st == ClientDescriptor.STATE_FREE) {
      return false;
    } else if (st == ClientDescriptor.STATE_RECOVERING) {
      long recoverer = ClientDescriptor.recoverer(word);
      if (recoverer == store.token || store.clients.isTokenAlive(recoverer)) {
        return false;
      }
      takeover = true;
    } else {
      if (store.clients.isSlotAlive(s, word)) {
        return false;
      }
      // A dead adopter was recovering the slot's previous occupant: its recovery was under way.
      takeover = mem.getLongAcquire(c + ClientDescriptor.ADOPTING_OFFSET) != 0;
    }
    int gen = ClientDescriptor.generation(word);
    if (!mem.compareAndSetLong(
        c + ClientDescriptor.STATE_OFFSET,
        word,
        ClientDescriptor.recoveringWord(gen, store.token))) {
      return false;
    }
    recoverSlot(s, takeover, 0);
    mem.putLong(c + ClientDescriptor.RECOUNTING_OFFSET, 0);
    mem.putLongRelease(c + ClientDescriptor.ADOPTING_OFFSET, 0);
    mem.putLongRelease(
        c + ClientDescriptor.STATE_OFFSET,
        ClientDescriptor.stateWord(ClientDescriptor.STATE_FREE, gen, 0));
    store.counters.recoveredClients.increment();
    return true;
  }

  /**
   * Recovers everything slot {@code deadSlot}'s previous occupants left: the locks they held (taken
   * over and repaired), the pins of its journal row (released; recounted where a pin was in flight
   * or, with {@code takeover}, everywhere, since an earlier recovery may have released some
   * already), then the WRITE claims and unfinished frees and the queue positions of every token of
   * that slot but {@code keepToken} (this client's own, when it adopted the slot; 0 otherwise). The
   * journal row is done first, because when this client adopted the slot it is also this client's
   * row, which the later steps use.
   */
  void recoverSlot(int deadSlot, boolean takeover, long keepToken) {
    store.blocks.repairAbandoned();
    store.directory.repairAbandoned();
    releaseJournal(deadSlot, takeover);
    reclaimOwned(t -> ClientDescriptor.slotOf(t) == deadSlot && t != keepToken);
  }

  /**
   * Gives back what clients whose token matches {@code dead} own: aborts their WRITE claims
   * (objects and queue entries), finishes their FREEING frees, and resolves the queue positions
   * they hold (a claimed position is skipped, a popped entry delivered again, a removal completed
   * or undone).
   *
   * @return the number of claims, frees and positions resolved
   */
  long reclaimOwned(LongPredicate dead) {
    long n = 0;
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      long owner = count(c);
      if ((st == WRITE || st == FREEING) && owner != 0 && dead.test(owner)) {
        if (!mem.compareAndSetLong(d + CTL_OFFSET, c, with(c, st, store.token))) {
          continue;
        }
        if (st == WRITE) {
          store.abort(i);
        } else {
          store.freeObject(i);
        }
        n++;
      }
    }
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      if ((st != COMMITTED && st != ZOMBIE)
          || mem.getByte(d + KIND_OFFSET) != io.depot.ValueKind.QUEUE.code()) {
        continue;
      }
      int gen = generation(c);
      int entry = store.pinLive(i, gen);
      if (entry < 0) {
        continue; // freed meanwhile: its positions went with it
      }
      try {
        QueueRing ring = QueueRing.ofDescriptor(store, i);
        if (ring != null) {
          n += ring.recoverPositions(dead);
        }
      } finally {
        store.unpin(i, gen, entry);
      }
    }
    return n;
  }

  /**
   * Releases the pins held in the journal row of {@code deadSlot} and empties it. A PINNED entry is
   * surely in its object's count: decrement once per entry. A pending entry may or may not be:
   * recount that object from the other clients' journals (the row's entries on it are all left out,
   * so its PINNED entries on that object are not decremented as well). With {@code takeover} every
   * object is recounted.
   */
  private void releaseJournal(int deadSlot, boolean takeover) {
    // Pins on queue slots first: while this row still pins their queues' descriptors, the queues
    // are alive.
    for (int e = 0; e < layout.handlesPerClient; e++) {
      long at = layout.journal(deadSlot, e);
      long entry = mem.getLongAcquire(at);
      long st = JournalDescriptor.state(entry);
      if (st == JournalDescriptor.EMPTY || !JournalDescriptor.isSlot(entry)) {
        continue;
      }
      QueueRing ring = liveRing(JournalDescriptor.index(entry));
      int slot = JournalDescriptor.slot(entry);
      if (ring != null && slot < ring.capacity) {
        int lapLow = JournalDescriptor.slotLap(entry);
        if (st == JournalDescriptor.PINNED && !takeover) {
          ring.releaseDeadPin(slot, lapLow);
        } else {
          // pending (the count may or may not include it), or a recovery taken over: recount the
          // slot
          int lap = QueueDescriptor.pinsLap(ring.pins(ring.slotAt(slot)));
          if ((lap & JournalDescriptor.SLOT_LAP_MASK) == lapLow) {
            ring.recount(slot, lap, deadSlot, false);
          }
        }
      }
      mem.putLongRelease(at, JournalDescriptor.EMPTY);
    }
    Map<Long, Boolean> recount = new HashMap<>();
    for (int e = 0; e < layout.handlesPerClient; e++) {
      long entry = mem.getLongAcquire(layout.journal(deadSlot, e));
      long st = JournalDescriptor.state(entry);
      if (st == JournalDescriptor.EMPTY
          || JournalDescriptor.isSlot(entry)
          || JournalDescriptor.index(entry) < 0
          || JournalDescriptor.index(entry) >= layout.maxObjects) {
        continue;
      }
      long key = ownerTag(JournalDescriptor.index(entry), JournalDescriptor.generation(entry));
      if (takeover || st != JournalDescriptor.PINNED) {
        recount.put(key, true);
      } else {
        recount.putIfAbsent(key, false);
      }
    }
    for (var r : recount.entrySet()) {
      if (r.getValue()) {
        recount(
            ObjectDescriptor.ownerIndex(r.getKey()),
            ObjectDescriptor.ownerGeneration(r.getKey()),
            deadSlot,
            false);
      }
    }
    for (int e = 0; e < layout.handlesPerClient; e++) {
      long at = layout.journal(deadSlot, e);
      long entry = mem.getLongAcquire(at);
      if (JournalDescriptor.state(entry) == JournalDescriptor.PINNED) {
        int index = JournalDescriptor.index(entry);
        int gen = JournalDescriptor.generation(entry);
        if (Boolean.FALSE.equals(recount.get(ownerTag(index, gen)))) {
          releaseDeadPin(index, gen);
        }
      }
      mem.putLongRelease(at, JournalDescriptor.EMPTY);
    }
  }

  /**
   * The ring of queue {@code index} if it is a live (committed or zombie) queue object, else null.
   */
  QueueRing liveRing(int index) {
    if (index < 0 || index >= layout.maxObjects) {
      return null;
    }
    int st = state(mem.getLongAcquire(layout.descriptor(index) + CTL_OFFSET));
    return st == COMMITTED || st == ZOMBIE ? QueueRing.ofDescriptor(store, index) : null;
  }

  /** Decrements a count a dead client held (its journal said PINNED). */
  private void releaseDeadPin(int index, int gen) {
    if (store.dropReference(index, gen, -1)) {
      store.freeObject(index);
    }
  }

  // ------------------------------------------------------------------ recounts

  /**
   * Waits while descriptor {@code d}'s count is frozen for a recount. If no live client is
   * recounting it (the recounter died), this caller does the recount itself.
   */
  void awaitRecount(long d) {
    IdleStrategy idle = store.newIdleStrategy();
    long deadline = System.nanoTime() + RECOUNT_CHECK_NANOS;
    for (long c = mem.getLongAcquire(d + CTL_OFFSET);
        recounting(c);
        c = mem.getLongAcquire(d + CTL_OFFSET)) {
      idle.idle();
      if (System.nanoTime() - deadline > 0) {
        int index = (int) ((d - layout.descriptorOffset) / ObjectDescriptor.LENGTH);
        if (!someoneRecounting(index)) {
          recount(index, generation(c), -1, true);
        }
        deadline = System.nanoTime() + RECOUNT_CHECK_NANOS;
      }
    }
  }

  /** Whether a live client says (in its slot) that it is recounting descriptor {@code index}. */
  private boolean someoneRecounting(int index) {
    for (int s = 0; s < layout.maxClients; s++) {
      long c = layout.client(s);
      if (mem.getLongAcquire(c + ClientDescriptor.RECOUNTING_OFFSET) == index + 1L
          && store.clients.isSlotAlive(s, store.clients.slotWord(s))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Recounts the readers of descriptor {@code index}: freezes its count (RECOUNT; or finds it
   * frozen by a dead recounter, with {@code takeOver}), waits until no live client has a pending
   * pin on it, counts the PINNED journal entries of live clients (leaving out row {@code
   * deadSlot}), stores that count and unfreezes. While it works, this client's slot names the
   * descriptor, so waiters can tell a live recount from an abandoned one.
   */
  private void recount(int index, int gen, int deadSlot, boolean takeOver) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || (st != COMMITTED && st != ZOMBIE)) {
        if (takeOver
            && recounting(c)
            && st != WRITE) { // on a WRITE descriptor the bit means SUPERSEDED
          mem.compareAndSetLong(d + CTL_OFFSET, c, c & ~RECOUNT); // not a countable object any more
        }
        return;
      }
      if (recounting(c)) {
        if (takeOver) {
          break;
        }
        awaitRecount(d);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      if (mem.compareAndSetLong(d + CTL_OFFSET, c, c | RECOUNT)) {
        break;
      }
      c = mem.getLongAcquire(d + CTL_OFFSET);
    }
    long me = layout.client(store.slot) + ClientDescriptor.RECOUNTING_OFFSET;
    mem.putLongVolatile(me, index + 1L);
    try {
      long count =
          countLivePins(
              entry ->
                  !JournalDescriptor.isSlot(entry)
                      && JournalDescriptor.index(entry) == index
                      && JournalDescriptor.generation(entry) == gen,
              deadSlot);
      c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      boolean free = st == ZOMBIE && count == 0;
      long n = free ? with(c, FREEING, store.token) : with(c, st, count);
      mem.putLongVolatile(d + CTL_OFFSET, n & ~RECOUNT);
      if (free) {
        store.freeObject(index);
      }
    } finally {
      mem.putLongRelease(me, 0);
    }
  }

  /**
   * Counts the PINNED journal entries matching {@code pin} in the rows of attached clients other
   * than {@code deadSlot}, for a recount: the count being recounted is frozen, so a live client
   * between its journal write and its count CAS (pending) settles (its CAS fails on the frozen
   * count and it reverts) and is waited for; a dead client's pending entries are left to its own
   * recovery, its PINNED ones counted (its own recovery releases them).
   */
  long countLivePins(LongPredicate pin, int deadSlot) {
    long count = 0;
    IdleStrategy idle = store.newIdleStrategy();
    for (int s = 0; s < layout.maxClients; s++) {
      if (s == deadSlot) {
        continue;
      }
      long word = store.clients.slotWord(s);
      if (ClientDescriptor.state(word) == ClientDescriptor.STATE_FREE) {
        continue;
      }
      boolean alive = s == store.slot || store.clients.isSlotAlive(s, word);
      for (int e = 0; e < layout.handlesPerClient; e++) {
        long at = layout.journal(s, e);
        for (int spins = 0; ; spins++) {
          long entry = mem.getLongAcquire(at);
          long st = JournalDescriptor.state(entry);
          if (st == JournalDescriptor.EMPTY || !pin.test(entry)) {
            break;
          }
          if (st == JournalDescriptor.PINNED) {
            count++;
            break;
          }
          if (!alive
              || s == store.slot
              || (spins % 1024 == 1023
                  && !store.clients.isSlotAlive(s, store.clients.slotWord(s)))) {
            break;
          }
          idle.idle();
        }
      }
    }
    return count;
  }
}
