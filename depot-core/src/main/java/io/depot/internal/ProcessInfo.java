package io.depot.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Process identity for liveness checks: a pid plus the process start time, so that a reused pid is
 * never taken for the process that died. On Linux both come from {@code /proc/<pid>/stat}; a zombie
 * counts as dead.
 */
final class ProcessInfo {
  /** Returned by {@link #startTime(long)} when no live process has that pid. */
  public static final long DEAD = -1;

  private static final long SELF_PID = ProcessHandle.current().pid();
  private static final long SELF_START = computeSelfStart();

  private ProcessInfo() {}

  public static long selfPid() {
    return SELF_PID;
  }

  public static long selfStartTime() {
    return SELF_START;
  }

  /**
   * The start time of process {@code pid} (clock ticks since boot on Linux, or epoch millis
   * elsewhere), or {@link #DEAD} when there is no such process or it is a zombie.
   */
  public static long startTime(long pid) {
    if (pid <= 0) {
      return DEAD;
    }
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (Files.isReadable(Path.of("/proc/self/stat"))) {
      try {
        String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
        int close = s.lastIndexOf(')');
        if (close < 0) {
          return DEAD;
        }
        // fields after the command: state(3) ppid(4) ... starttime(22)
        String[] f = s.substring(close + 2).split(" ");
        char state = f[0].isEmpty() ? '?' : f[0].charAt(0);
        if (state == 'Z' || state == 'X' || state == 'x') {
          return DEAD;
        }
        return Long.parseLong(f[19]);
      } catch (IOException | RuntimeException e) {
        return DEAD;
      }
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().startInstant())
        .map(i -> i.toEpochMilli())
        .orElse(DEAD);
  }

  /** True when process {@code pid} is alive and started at {@code startTime}. */
  public static boolean isAlive(long pid, long startTime) {
    long now = startTime(pid);
    return now != DEAD && now == startTime;
  }

  private static long computeSelfStart() {
    long t = startTime(SELF_PID);
    return t == DEAD ? 0 : t;
  }
}
