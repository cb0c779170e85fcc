package io.depot;

import java.util.concurrent.locks.LockSupport;

/**
 * How a thread waits for a condition another process will make true (an entry to pop, a commit, a
 * lock). Depot never spins unboundedly: on a machine with few cores a busy spinner starves the very
 * process it waits for.
 *
 * <p>Instances are stateful and used by one waiter at a time; {@link DepotOptions} takes a
 * supplier.
 */
public interface IdleStrategy {
  /** Waits a little; each call without {@link #reset()} may wait longer than the last. */
  void idle();

  /** Starts over from the shortest wait, after progress. */
  void reset();

  /**
   * Spins {@code maxSpins} times ({@link Thread#onSpinWait()}), yields {@code maxYields} times,
   * then parks from {@code minParkNanos} doubling up to {@code maxParkNanos}.
   *
   * @param maxSpins how many spins before yielding
   * @param maxYields how many yields before parking
   * @param minParkNanos the first park, in nanoseconds
   * @param maxParkNanos the longest park, in nanoseconds
   * @return a new strategy (one per waiter)
   */
  static IdleStrategy backoff(int maxSpins, int maxYields, long minParkNanos, long maxParkNanos) {
    return new Backoff(maxSpins, maxYields, minParkNanos, maxParkNanos);
  }

  /** {@return the default: 100 spins, 20 yields, then parks from 1 µs up to 1 ms} */
  static IdleStrategy backoff() {
    return new Backoff(100, 20, 1_000, 1_000_000);
  }

  /** The default back-off strategy. */
  final class Backoff implements IdleStrategy {
    private final int maxSpins;
    private final int maxYields;
    private final long minPark;
    private final long maxPark;
    private int spins;
    private int yields;
    private long park;

    Backoff(int maxSpins, int maxYields, long minParkNanos, long maxParkNanos) {
      if (maxSpins < 0 || maxYields < 0 || minParkNanos < 1 || maxParkNanos < minParkNanos) {
        throw new InvalidArgumentException(
            "backoff needs spins>=0, yields>=0, 1<=minPark<=maxPark: maxSpins="
                + maxSpins
                + " maxYields="
                + maxYields
                + " minParkNanos="
                + minParkNanos
                + " maxParkNanos="
                + maxParkNanos);
      }
      this.maxSpins = maxSpins;
      this.maxYields = maxYields;
      this.minPark = minParkNanos;
      this.maxPark = maxParkNanos;
      this.park = minParkNanos;
    }

    @Override
    public void idle() {
      if (spins < maxSpins) {
        spins++;
        Thread.onSpinWait();
      } else if (yields < maxYields) {
        yields++;
        Thread.yield();
      } else {
        LockSupport.parkNanos(park);
        park = Math.min(park << 1, maxPark);
      }
    }

    @Override
    public void reset() {
      spins = 0;
      yields = 0;
      park = minPark;
    }
  }
}
