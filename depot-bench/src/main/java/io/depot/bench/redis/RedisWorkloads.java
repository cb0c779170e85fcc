package io.depot.bench.redis;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.ObjectHandle;
import io.depot.ObjectStore;
import io.depot.Track;
import io.depot.testkit.ChildJvm;
import io.depot.testkit.RedisServer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * W1 and W3-small on shared memory and on Redis in the same run, through the same {@link
 * ObjectStore} code opened by URI: the ratio users pay for crossing machines. Redis is a real
 * {@code redis-server} started here on loopback (so the figures are a lower bound of a network's).
 *
 * <ul>
 *   <li>W1: a writer process puts {@code n} objects of 1 KiB (seeded bytes), then a reader process
 *       gets, verifies and closes each. Redis runs it on one connection, one thread (each op a
 *       round trip), and with 4 threads on the same connection (Lettuce pipelines their commands).
 *   <li>W3-small: a producer process pushes {@code n} entries of 64 B into a queue of capacity 1024
 *       while a consumer process pops and releases them; the consumer's rate from its first pop to
 *       its last.
 * </ul>
 *
 * Each child warms up on names of its own first (untimed). Usage: {@code Harness redis}, or {@code
 * java -cp ... io.depot.bench.redis.RedisWorkloads [n1] [n3]} (defaults 5000 and 20000).
 */
public final class RedisWorkloads {
  static final int SIZE = 1024;
  static final int SMALL = 64;

  private RedisWorkloads() {}

  public static void main(String[] args) throws Exception {
    int n1 = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int n3 = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    run(n1, n3).forEach(System.out::println);
  }

  /** Runs both workloads on both backends and returns the table's lines. */
  public static List<String> run(int n1, int n3) throws Exception {
    List<String> table = new ArrayList<>();
    String shmName = "bench-redis-" + ProcessHandle.current().pid();
    DepotOptions shmOptions = DepotOptions.builder().capacity(64L << 20).maxObjects(65_536).build();
    try (RedisServer redis = RedisServer.start()) {
      URI shm = URI.create("shm:" + shmName);
      URI red = URI.create(redis.uri() + "/0?prefix=bench");
      try (ObjectStore s = Depot.openOrCreate(shm, shmOptions);
          ObjectStore r = Depot.openOrCreate(red, shmOptions)) {
        String[] shmW1 = w1(shm, n1, 1);
        String[] redW1 = w1(red, n1, 1);
        String[] redW1p = w1(red, n1, 4);
        table.add(row("W1 put 1 KiB (µs/op, median)", shmW1[0], redW1[0], redW1p[0]));
        table.add(row("W1 get+verify+close (µs/op, median)", shmW1[1], redW1[1], redW1p[1]));
        table.add(row("W1 put, throughput (ops/s)", shmW1[2], redW1[2], redW1p[2]));
        table.add(row("W1 get, throughput (ops/s)", shmW1[3], redW1[3], redW1p[3]));
        s.createQueue("w3s", 1024, Track.bytes("v", SMALL)).close();
        r.createQueue("w3s", 1024, Track.bytes("v", SMALL)).close();
        table.add(row("W3-small 64 B, consumer (entries/s)", w3(shm, n3), w3(red, n3), "-"));
      }
    } finally {
      Depot.destroy(shmName, shmOptions);
    }
    List<String> out = new ArrayList<>();
    out.add(
        String.format(
            Locale.ROOT,
            "%-40s %14s %14s %18s",
            "workload",
            "shm",
            "redis 1 thread",
            "redis 4 threads"));
    out.addAll(table);
    return out;
  }

  private static String row(String what, String shm, String redis, String pipelined) {
    return String.format(Locale.ROOT, "%-40s %14s %14s %18s", what, shm, redis, pipelined);
  }

  private static String[] w1(URI uri, int n, int threads) throws Exception {
    String prefix = "w1-" + threads + "-" + System.nanoTime() + "/";
    String put;
    String putRate;
    try (ChildJvm w =
        ChildJvm.start(
            List.of("-Xmx512m"),
            Ops.class,
            "put",
            uri.toString(),
            prefix,
            Integer.toString(n),
            Integer.toString(threads))) {
      w.awaitSuccess(600, TimeUnit.SECONDS);
      String[] p = w.output().getLast().split(" ");
      put = p[1];
      putRate = p[2];
    }
    try (ChildJvm rd =
        ChildJvm.start(
            List.of("-Xmx512m"),
            Ops.class,
            "get",
            uri.toString(),
            prefix,
            Integer.toString(n),
            Integer.toString(threads))) {
      rd.awaitSuccess(600, TimeUnit.SECONDS);
      String[] p = rd.output().getLast().split(" ");
      return new String[] {put, p[1], putRate, p[2]};
    }
  }

  private static String w3(URI uri, int n) throws Exception {
    try (ChildJvm c =
            ChildJvm.start(
                List.of("-Xmx512m"),
                Ops.class,
                "pop",
                uri.toString(),
                "w3s",
                Integer.toString(n),
                "1");
        ChildJvm p =
            ChildJvm.start(
                List.of("-Xmx512m"),
                Ops.class,
                "push",
                uri.toString(),
                "w3s",
                Integer.toString(n),
                "1")) {
      p.awaitSuccess(600, TimeUnit.SECONDS);
      c.awaitSuccess(600, TimeUnit.SECONDS);
      return c.output().getLast().split(" ")[2];
    }
  }

  static byte[] value(long seed, int size) {
    byte[] b = new byte[size];
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    r.nextBytes(b);
    return b;
  }

  /** Child: one side of a workload; prints {@code RESULT <median µs/op> <ops/s>} last. */
  public static final class Ops {
    private Ops() {}

    public static void main(String[] args) throws Exception {
      String op = args[0];
      URI uri = URI.create(args[1]);
      String name = args[2];
      int n = Integer.parseInt(args[3]);
      int threads = Integer.parseInt(args[4]);
      try (ObjectStore store = Depot.open(uri)) {
        switch (op) {
          case "put", "get" -> objects(store, op, name, n, threads);
          case "push" -> push(store, name, n);
          case "pop" -> pop(store, name, n);
          default -> throw new IllegalArgumentException(op);
        }
      }
    }

    private static void objects(ObjectStore store, String op, String prefix, int n, int threads)
        throws Exception {
      byte[][] values = new byte[n][];
      for (int i = 0; i < n; i++) {
        values[i] = value(i, SIZE);
      }
      // warm-up, untimed, on names of its own
      int warm = Math.min(n, 2_000);
      for (int i = 0; i < warm; i++) {
        String k = prefix + "warm-" + op + "/" + i;
        store.replace(k, values[i]);
        try (ObjectHandle h = store.get(k)) {
          h.toByteArray();
        }
        store.remove(k);
      }
      long[] nanos = new long[n];
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      long t0 = System.nanoTime();
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int first = t;
          fs.add(
              pool.submit(
                  () -> {
                    for (int i = first; i < n; i += threads) {
                      String k = prefix + i;
                      long s = System.nanoTime();
                      if (op.equals("put")) {
                        store.put(k, values[i]);
                      } else {
                        try (ObjectHandle h = store.get(k)) {
                          if (MemorySegment.mismatch(
                                  h.segment(),
                                  0,
                                  h.size(),
                                  MemorySegment.ofArray(values[i]),
                                  0,
                                  values[i].length)
                              != -1) {
                            throw new AssertionError("wrong bytes: " + k);
                          }
                        }
                      }
                      nanos[i] = System.nanoTime() - s;
                    }
                    return null;
                  }));
        }
        for (Future<?> f : fs) {
          f.get();
        }
      } finally {
        pool.shutdown();
      }
      long total = System.nanoTime() - t0;
      report(nanos, n, total);
    }

    private static void report(long[] nanos, int n, long total) {
      long[] sorted = nanos.clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "RESULT %.1f %.0f%n", sorted[n / 2] / 1e3, n / (total / 1e9));
    }

    private static void push(ObjectStore store, String queue, int n) {
      try (DepotQueue q = store.openQueue(queue)) {
        MemorySegment v = MemorySegment.ofArray(value(1, SMALL));
        long[] nanos = new long[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          v.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, i);
          long s = System.nanoTime();
          q.push(Duration.ofSeconds(60), v);
          nanos[i] = System.nanoTime() - s;
        }
        report(nanos, n, System.nanoTime() - t0);
      }
    }

    private static void pop(ObjectStore store, String queue, int n) {
      try (DepotQueue q = store.openQueue(queue)) {
        long[] nanos = new long[n];
        long t0 = 0;
        for (int i = 0; i < n; i++) {
          long s = System.nanoTime();
          try (Entry e = q.pop(Duration.ofSeconds(60))) {
            if (e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0) != i) {
              throw new AssertionError("entry " + i + " out of order");
            }
          }
          if (i == 0) {
            t0 = System.nanoTime();
          }
          nanos[i] = System.nanoTime() - s;
        }
        report(nanos, n, System.nanoTime() - t0);
      }
    }
  }
}
