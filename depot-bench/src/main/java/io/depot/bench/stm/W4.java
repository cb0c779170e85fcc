package io.depot.bench.stm;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.Workflow;
import io.depot.testkit.ChildJvm;
import io.depot.testkit.RedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Workload W4, workflow short-term memory: a writer process sets {@code n} keys (default 10,000) in
 * workflow {@code wf-1}, each value {@code {"step": i, "text": <200 characters>}} as JSON; then a
 * separate reader process gets every key, decodes it into a record and verifies it. Both run for
 * the shared-memory backend and for Redis (a real {@code redis-server} started here on loopback) in
 * the same run; the table gives the median and p99 of each operation in µs, and how many times
 * faster shared memory is.
 *
 * <p>Each child JVM first warms up with the same workload on workflows of its own (set and get
 * every key, then end the workflow; 20 rounds, or at least 2 rounds and 15 seconds) so that the
 * timed operations run compiled code, as in a long-lived worker. The rounds done are printed. Every
 * operation is timed on its own ({@link System#nanoTime()}); keys and values are built before the
 * loop.
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp &lt;class path&gt; io.depot.bench.stm.W4 [n]
 * </pre>
 */
public final class W4 {
  static final String WORKFLOW = "wf-1";

  /**
   * Warm-up: this many rounds of the measured workload on workflows of its own, or at least {@link
   * #MIN_WARMUP_ROUNDS} and {@link #WARMUP_NANOS}, whichever comes first (Redis is ~100 times
   * slower per op).
   */
  static final int WARMUP_ROUNDS = 20;

  static final int MIN_WARMUP_ROUNDS = 2;
  static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(15);

  /** The value of every key. */
  public record Step(int step, String text) {}

  private W4() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && (args[0].equals("writer") || args[0].equals("reader"))) {
      child(args);
      return;
    }
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    String store = "w4-" + ProcessHandle.current().pid();
    String shmUri = "shm:" + store; // default settings: 64 MiB, 65,536 objects
    List<String> jvm = List.of("-Xmx512m", "-Xms512m", "--sun-misc-unsafe-memory-access=allow");
    List<Row> rows = new ArrayList<>();
    try (RedisServer redis = RedisServer.start()) {
      for (String[] backend : new String[][] {{"shm", shmUri}, {"redis", redis.uri() + "/0"}}) {
        Stats set = run(jvm, "writer", backend[1], n);
        Stats get = run(jvm, "reader", backend[1], n);
        rows.add(new Row(backend[0], set, get));
        try (ShortTermMemory stm = ShortTermMemory.open(backend[1])) {
          stm.workflow(WORKFLOW).end();
        }
      }
      print(n, rows, RedisServer.binaryVersion());
    } finally {
      Depot.destroy(store, DepotOptions.defaults());
    }
  }

  private static Stats run(List<String> jvm, String role, String uri, int n)
      throws InterruptedException {
    try (ChildJvm child = ChildJvm.start(jvm, W4.class, role, uri, Integer.toString(n))) {
      child.awaitSuccess(10, TimeUnit.MINUTES);
      String line =
          child.output().stream()
              .filter(l -> l.startsWith("RESULT "))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException(role + " printed no RESULT: " + child.output()));
      return Stats.parse(line);
    }
  }

  static String text(int i) {
    StringBuilder sb = new StringBuilder(200).append("step ").append(i).append(": ");
    while (sb.length() < 200) {
      sb.append((char) ('a' + (sb.length() * 7 + i) % 26));
    }
    return sb.toString();
  }

  private static void child(String[] args) {
    String role = args[0];
    String uri = args[1];
    int n = Integer.parseInt(args[2]);
    String[] keys = new String[n];
    Step[] values = new Step[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "key-" + i;
      values[i] = new Step(i, text(i));
    }
    long[] nanos = new long[n];
    int warmupRounds;
    try (ShortTermMemory stm = ShortTermMemory.open(uri)) {
      warmupRounds = warmUp(stm, role + "-warmup-" + ProcessHandle.current().pid(), keys, values);
      Workflow wf = stm.workflow(WORKFLOW);
      if (role.equals("writer")) {
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          wf.put(keys[i], values[i]);
          nanos[i] = System.nanoTime() - t0;
        }
      } else {
        int bad = 0;
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          Step s = wf.get(keys[i], Step.class);
          nanos[i] = System.nanoTime() - t0;
          if (s == null || s.step() != i || !s.text().equals(values[i].text())) {
            bad++;
          }
        }
        if (bad != 0) {
          throw new IllegalStateException("reader: " + bad + " of " + n + " keys missing or wrong");
        }
      }
    }
    System.out.println("RESULT " + Stats.of(nanos, warmupRounds));
  }

  private static int warmUp(ShortTermMemory stm, String id, String[] keys, Step[] values) {
    long deadline = System.nanoTime() + WARMUP_NANOS;
    int round = 0;
    for (;
        round < WARMUP_ROUNDS && (round < MIN_WARMUP_ROUNDS || System.nanoTime() < deadline);
        round++) {
      Workflow wf = stm.workflow(id + "-" + round);
      for (int i = 0; i < keys.length; i++) {
        wf.put(keys[i], values[i]);
      }
      for (String key : keys) {
        if (wf.get(key, Step.class) == null) {
          throw new IllegalStateException("warm-up read failed: key=" + key);
        }
      }
      wf.end();
    }
    return round;
  }

  /** Latency figures of one run, in microseconds. */
  record Stats(int n, double median, double p99, double mean, int warmupRounds) {
    static Stats of(long[] nanos, int warmupRounds) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      double sum = 0;
      for (long v : sorted) {
        sum += v;
      }
      return new Stats(
          sorted.length,
          sorted[sorted.length / 2] / 1e3,
          sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e3,
          sum / sorted.length / 1e3,
          warmupRounds);
    }

    static Stats parse(String line) {
      String[] f = line.substring("RESULT ".length()).split(" ");
      return new Stats(
          Integer.parseInt(f[0]),
          Double.parseDouble(f[1]),
          Double.parseDouble(f[2]),
          Double.parseDouble(f[3]),
          Integer.parseInt(f[4]));
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%d %.3f %.3f %.3f %d", n, median, p99, mean, warmupRounds);
    }
  }

  private record Row(String backend, Stats set, Stats get) {}

  private static void print(int n, List<Row> rows, String redisVersion) {
    System.out.printf(
        Locale.ROOT,
        "W4: %,d keys in workflow %s, value {\"step\": i, \"text\": <200 chars>} as JSON;"
            + " writer and reader are separate JVMs (µs/op)%n",
        n,
        WORKFLOW);
    System.out.printf(
        Locale.ROOT,
        "%-10s %12s %10s %10s %12s %10s %10s%n",
        "backend",
        "set median",
        "set p99",
        "set mean",
        "get median",
        "get p99",
        "get mean");
    for (Row r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-10s %12.2f %10.2f %10.2f %12.2f %10.2f %10.2f%n",
          r.backend,
          r.set.median,
          r.set.p99,
          r.set.mean,
          r.get.median,
          r.get.p99,
          r.get.mean);
    }
    Row shm = rows.get(0);
    Row redis = rows.get(1);
    System.out.printf(
        Locale.ROOT,
        "%-10s %11.1fx %9.1fx %9.1fx %11.1fx %9.1fx %9.1fx%n",
        "redis/shm",
        redis.set.median / shm.set.median,
        redis.set.p99 / shm.set.p99,
        redis.set.mean / shm.set.mean,
        redis.get.median / shm.get.median,
        redis.get.p99 / shm.get.p99,
        redis.get.mean / shm.get.mean);
    System.out.println("redis: " + redisVersion + ", one connection (Lettuce), loopback");
    StringBuilder warm = new StringBuilder("warm-up rounds (writer/reader):");
    for (Row r : rows) {
      warm.append(' ')
          .append(r.backend)
          .append(' ')
          .append(r.set.warmupRounds)
          .append('/')
          .append(r.get.warmupRounds);
    }
    System.out.println(warm);
  }
}
