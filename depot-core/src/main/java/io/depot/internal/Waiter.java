package io.depot.internal;

import io.depot.DepotInterruptedException;
import io.depot.DepotTimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * One wait for an event that another process (or thread) signals through an event count in the
 * shared mapping: a 32-bit futex word that signallers increment, with a 32-bit count of registered
 * sleepers beside it. A waiter spins for an adaptive while, then yields a little, then registers
 * and sleeps on the word ({@code FUTEX_WAIT} on a platform thread; park with back-off on a virtual
 * thread, which a native wait would pin to its carrier), in slices of at most 10 ms: the timeout,
 * {@link Thread#interrupt()} and a caller's liveness check are all seen within that. The slow path
 * only: callers try their operation once before they create a waiter.
 *
 * <pre>
 * Concurrency (no lost wake-ups without a store on the signalling fast path):
 *   waiter:     seen = word; sleepers++ (RMW, a full fence); try again; if that fails: FUTEX_WAIT(word, seen)
 *   signaller:  make the event true (a CAS, a full fence); if sleepers != 0 (volatile read): word++; FUTEX_WAKE
 * Either the signaller sees the waiter registered and wakes it (a FUTEX_WAIT after the increment returns at once,
 * the word no longer being seen), or the waiter's second try, after its registration, sees the event. A signaller
 * that finds no sleeper writes nothing. A waiter that gives up (timeout, interrupt) after the word moved passes the
 * wake-up on to one other sleeper, since it may have consumed a wake-up meant for someone who would have acted.
 * </pre>
 */
final class Waiter {
  /**
   * The longest single sleep: the bound on how late a timeout, an interrupt or a liveness check is
   * seen.
   */
  private static final long MAX_SLEEP_NANOS = 10_000_000L;

  /** Virtual threads park from this long, doubling up to the maximum. */
  private static final long MIN_PARK_NANOS = 20_000L;

  private static final long MAX_PARK_NANOS = 1_000_000L;

  /** After the spin, this long of {@link Thread#yield()} before sleeping. */
  private static final long YIELD_NANOS = 20_000L;

  /** How often a caller's liveness check runs while waiting. */
  static final long LIVENESS_CHECK_NANOS = 20_000_000L;

  /**
   * An adaptive spin budget shared by the waits of one side of one queue handle (or of one kind of
   * wait): doubled (up to its maximum) when a wait ends during its spin; after a wait that had to
   * sleep, set to one and a half times that wait if it was shorter than the maximum (the event
   * comes that often: spinning that long saves the sleep and the wake-up), else halved.
   * Process-local; racy updates are harmless (it is a heuristic).
   */
  static final class Spin {
    private static final long MIN_NANOS = 1_000L;
    private final long maxNanos;
    private volatile long nanos;

    Spin(long maxNanos) {
      this.maxNanos = maxNanos;
      this.nanos = Math.min(maxNanos, 20_000L);
    }

    long nanos() {
      return nanos;
    }

    void spun() {
      nanos = Math.min(maxNanos, nanos * 2 + MIN_NANOS);
    }

    void slept(long waitedNanos) {
      nanos =
          waitedNanos < maxNanos
              ? Math.min(maxNanos, waitedNanos + waitedNanos / 2)
              : Math.max(Math.min(MIN_NANOS, maxNanos), nanos / 2);
    }
  }

  private Waiter() {}

  /**
   * Signals the event count at {@code word}: wakes up to {@code count} sleepers, if there are any.
   */
  static void signal(Mem mem, long word, int count) {
    if (mem.getIntVolatile(word + 4) != 0) {
      mem.getAndAddInt(word, 1);
      Native.futexWake(mem.slice(word, 4), count);
    }
  }

  /**
   * Tries {@code attempt} until it returns non-null, waiting on the event count at {@code word} in
   * between.
   *
   * @param liveness run about every 20 ms while waiting (a check of whether a dead process blocks
   *     the wait), or null
   * @throws DepotTimeoutException with {@code what} once {@code timeoutNanos} have passed
   * @throws DepotInterruptedException if the thread is interrupted (its interrupt status is set
   *     again)
   */
  static <T> T await(
      Mem mem,
      long word,
      long timeoutNanos,
      Spin spin,
      Supplier<T> attempt,
      Runnable liveness,
      String what) {
    long start = System.nanoTime();
    long deadline = start + Math.max(0, timeoutNanos);
    long spinUntil = start + spin.nanos();
    long yieldUntil = spinUntil + YIELD_NANOS;
    long nextCheck = start + LIVENESS_CHECK_NANOS;
    long park = MIN_PARK_NANOS;
    boolean virtual = Thread.currentThread().isVirtual();
    boolean slept = false;
    for (; ; ) {
      long now = System.nanoTime();
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        throw new DepotInterruptedException("interrupted while waiting: " + what);
      }
      if (liveness != null && now - nextCheck > 0) {
        nextCheck = now + LIVENESS_CHECK_NANOS;
        liveness.run();
      }
      if (now - spinUntil < 0 || now - yieldUntil < 0) {
        if (now - spinUntil < 0) {
          Thread.onSpinWait();
        } else {
          Thread.yield();
        }
        T r = attempt.get();
        if (r != null) {
          if (now - spinUntil < 0) {
            spin.spun();
          }
          return r;
        }
        continue;
      }
      if (now - deadline >= 0) {
        throw new DepotTimeoutException(what);
      }
      int seen = mem.getIntVolatile(word);
      mem.getAndAddInt(word + 4, 1);
      boolean done = false;
      try {
        T r = attempt.get();
        if (r != null) {
          done = true;
          if (slept) {
            spin.slept(System.nanoTime() - start);
          }
          return r;
        }
        long sleep = Math.min(deadline - now, MAX_SLEEP_NANOS);
        slept = true;
        if (virtual) {
          LockSupport.parkNanos(Math.min(sleep, park));
          park = Math.min(MAX_PARK_NANOS, park * 2);
        } else if (mem.getIntVolatile(word) == seen
            && Native.futexWait(mem.slice(word, 4), seen, sleep) == -1) {
          LockSupport.parkNanos(Math.min(sleep, 200_000)); // no futex here: poll
        }
      } finally {
        mem.getAndAddInt(word + 4, -1);
        if (!done
            && mem.getIntVolatile(word) != seen
            && (Thread.currentThread().isInterrupted() || System.nanoTime() - deadline >= 0)) {
          Native.futexWake(
              mem.slice(word, 4), 1); // giving up: pass a wake-up this waiter may have taken on
        }
      }
    }
  }
}
