package io.depot.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/**
 * Tells a warm-up loop when the JIT has settled: when this JVM's compilers have spent no time for
 * {@link #QUIET_NANOS}. A fixed warm-up is not enough on a small machine: on 2 cores, C2 finished
 * compiling Depot's get path (and Chronicle Map's) 0.7 to 1.1 s after a process started, so a 0.3 s
 * warm-up timed the first workload of each process partly on C1's profiling code (a 64 B get
 * measured 0.33 to 2.1 µs from one process to the next, 0.3 µs once compiled). Every peer's process
 * warms up the same way.
 */
public final class JitSettled {
  /** How long the compilers must have been idle. */
  public static final long QUIET_NANOS = 200_000_000L;

  /** The longest a warm-up waits for the JIT to settle beyond its own minimum. */
  public static final long CAP_NANOS = 5_000_000_000L;

  private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
  private final boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
  private final long deadline;
  private long lastTotal = -1;
  private long lastChange;

  /** A watch whose {@link #settled} gives up {@link #CAP_NANOS} after {@code from}. */
  public JitSettled(long from) {
    deadline = from + CAP_NANOS;
    lastChange = from;
  }

  /**
   * Whether the compilers have spent no time since the calls of the last {@link #QUIET_NANOS}, or
   * the cap has passed (or this JVM does not report compilation time). Call it between rounds of
   * the warm-up.
   */
  public boolean settled() {
    long now = System.nanoTime();
    if (!timed || now - deadline >= 0) {
      return true;
    }
    long total = jit.getTotalCompilationTime();
    if (total != lastTotal) {
      lastTotal = total;
      lastChange = now;
      return false;
    }
    return now - lastChange >= QUIET_NANOS;
  }
}
