package io.depot.internal;

/**
 * Robust short locks on a word of the mapped file. The word holds the owner's client token (0 =
 * free), so a waiter can tell whether the owner's process is still alive; if it is dead, the waiter
 * takes the lock over and the caller repairs the structure from the intent record the dead owner
 * left next to the lock.
 *
 * <pre>
 * Concurrency:
 *  - acquire: CAS 0 -> token (volatile: acquire semantics for the protected data).
 *  - release: release-store 0, so the holder's writes are visible before the lock is seen free.
 *  - break:   CAS deadToken -> myToken. Only one waiter wins; the others keep waiting for it.
 *  Waiting: these locks are held for microseconds, so a waiter spins (Thread.onSpinWait) for a few hundred
 *  microseconds, then yields, and only then parks: a park of even 1 us sleeps 50 us or more on Linux (timer slack),
 *  which would cost far more than the wait. The owner's liveness is checked every 10 ms of waiting (reading /proc
 *  costs ~10 us), and a lock owned by this very process is never broken: its holder is a live thread. A waiter that
 *  takes a lock over also has the rest of the dead holder's state recovered, on the recovery thread (it holds locks
 *  the recovery needs).
 * </pre>
 */
final class Locks {
  private static final int SPINS = 8_192;
  private static final int YIELDS = 256;
  private static final long PARK_NANOS = 100_000;
  private static final long CHECK_NANOS = 10_000_000;

  private Locks() {}

  /**
   * Acquires the lock word at {@code offset}.
   *
   * @return {@code true} if the lock was taken over from a dead owner and the caller must repair
   *     what it guards
   */
  static boolean acquire(Store store, long offset) {
    Mem mem = store.mem;
    long token = store.token;
    long owner = mem.compareAndExchangeLong(offset, 0, token);
    if (owner == 0) {
      return false;
    }
    return acquireSlow(store, offset, owner);
  }

  private static boolean acquireSlow(Store store, long offset, long owner) {
    Mem mem = store.mem;
    long token = store.token;
    long nextCheck = System.nanoTime() + CHECK_NANOS;
    for (int rounds = 0; ; rounds++) {
      if (owner == 0) {
        owner = mem.compareAndExchangeLong(offset, 0, token);
        if (owner == 0) {
          return false;
        }
        continue;
      }
      if (rounds < SPINS) {
        Thread.onSpinWait();
      } else if (rounds < SPINS + YIELDS) {
        Thread.yield();
      } else {
        java.util.concurrent.locks.LockSupport.parkNanos(PARK_NANOS);
      }
      if ((rounds & 63) == 0 && System.nanoTime() - nextCheck > 0) {
        nextCheck = System.nanoTime() + CHECK_NANOS;
        if (owner != token
            && !store.clients.isTokenAlive(owner)
            && mem.compareAndSetLong(offset, owner, token)) {
          store.recovery.recoverSoon(
              owner); // what else the dead holder left (this caller holds locks: not here)
          return true;
        }
      }
      owner = mem.getLongAcquire(offset);
    }
  }

  /** Tries once; returns false if the lock is held (by anyone, alive or not). */
  static boolean tryAcquire(Store store, long offset) {
    return store.mem.compareAndSetLong(offset, 0, store.token);
  }

  static void release(Store store, long offset) {
    store.mem.putLongRelease(offset, 0);
  }

  /**
   * If the lock at {@code offset} is held by a dead client, takes it over.
   *
   * @return the dead holder's token if the lock was taken over (the caller then repairs and
   *     releases), else 0
   */
  static long breakIfDead(Store store, long offset) {
    long owner = store.mem.getLongAcquire(offset);
    if (owner == 0 || owner == store.token || store.clients.isTokenAlive(owner)) {
      return 0;
    }
    return store.mem.compareAndSetLong(offset, owner, store.token) ? owner : 0;
  }
}
