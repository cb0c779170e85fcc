package io.depot.bench.peers;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.Track;
import io.depot.bench.Stats;
import io.depot.testkit.ChildJvm;
import io.depot.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Depot side by side with the systems its users would pick instead, in one run on one machine: W1 (put, then get +
 * verify in another process) at 64 B .. 1 MiB, and W3-small (64 B entries through a queue, 1 → 1 and 2 → 2
 * processes). Every writer and reader is its own JVM ({@link ChildJvm}); each workload runs {@code reps} times and
 * the report gives each system's median over the repetitions, their spread (min–max) and Depot's ratio to it.
 *
 * <p>Usage: {@code java -jar depot-bench/target/benchmarks.jar peers [--quick | --smoke] [--reps N]
 * [--report PATH | --no-report] [--label TEXT]}, also {@code ./depot bench peers …}. The report (markdown) replaces
 * what stands between {@value Report#BEGIN} and {@value Report#END} in {@code PATH} (default: the repository's
 * {@code BENCHMARKS.md}, found from the current directory) and is printed too.
 */
public final class PeersBench {
  /** The key-value systems, in table order. */
  public static final List<String> KV_PEERS =
      List.of("depot", "depot-eager", "memcpy", "chm", "chronicle-map", "lmdb", "redis-pipelined", "redis");
  /** The 1 → 1 queue systems, in table order. */
  public static final List<String> QUEUE_PEERS = List.of("depot", "agrona-1to1", "chronicle-queue", "redis");
  /** The 2 → 2 queue systems (agrona's many-to-one ring has one consumer: 2 → 1). */
  public static final List<String> QUEUE2_PEERS = List.of("depot", "agrona-mto1", "redis");

  /** The W2 (float64 array) systems: the others have no typed arrays and no bulk value path. */
  public static final List<String> ARRAY_PEERS = List.of("depot", "memcpy", "lmdb");

  /**
   * JVM flags each peer needs on Java 25 (found by {@link #probe}: the report gives the error without them). Depot,
   * Lettuce needs none.
   */
  static final Map<String, List<String>> FLAGS = Map.of(
      "chronicle-map", Chronicle.FLAGS,
      "chronicle-queue", Chronicle.FLAGS,
      // lmdbjava 0.9.1 reads a direct buffer's address through java.nio.Buffer.address (reflection)
      // agrona 2.x reaches jdk.internal.misc.Unsafe (UnsafeApi)
      "agrona-1to1", List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"),
      "agrona-mto1", List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"),
      "lmdb", List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));

  /** Workload sizes of one run. */
  public record Size(String name, int[] kvSizes, int[] kvCounts, int redisDivisor, long warmMillis, int queueCount,
      int queueWarm, int redisQueueCount, int reps, int arrayElements) {
    /** The default run, sized for about 8 minutes on 2 cores (Redis on a fifth of the keys). */
    public static final Size FULL = new Size("full", new int[] {64, 1024, 4096, 65536, 1 << 20},
        new int[] {20_000, 20_000, 20_000, 2_000, 200}, 5, 1000, 1_000_000, 500_000, 20_000, 3, 64 << 20);
    /** A tenth of the work: about a minute and a half. */
    public static final Size QUICK = new Size("quick", new int[] {64, 1024, 4096, 65536, 1 << 20},
        new int[] {2_000, 2_000, 2_000, 200, 20}, 1, 300, 100_000, 50_000, 2_000, 2, 16 << 20);
    /** A few seconds per peer: the test suite's smoke run. */
    public static final Size SMOKE = new Size("smoke", new int[] {1024, 65536}, new int[] {200, 20}, 1, 0, 2_000,
        500, 200, 1, 1 << 16);
  }

  private PeersBench() {}

  public static void main(String[] args) throws Exception {
    Size size = Size.FULL;
    Integer reps = null;
    Path report = null;
    boolean write = true;
    String label = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> size = Size.QUICK;
        case "--smoke" -> size = Size.SMOKE;
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--report" -> report = Path.of(args[++i]);
        case "--no-report" -> write = false;
        case "--label" -> label = args[++i];
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (peers [--quick | --smoke] [--reps N] [--report PATH | --no-report] [--label TEXT])");
      }
    }
    if (reps != null) {
      size = new Size(size.name(), size.kvSizes(), size.kvCounts(), size.redisDivisor(), size.warmMillis(),
          size.queueCount(), size.queueWarm(), size.redisQueueCount(), reps, size.arrayElements());
    }
    StringBuilder command = new StringBuilder("./depot bench peers");
    for (String a : args) {
      command.append(' ').append(a);
    }
    Report r = run(size, command.toString(), label);
    String md = r.markdown();
    System.out.println(md);
    if (write) {
      Path target = report != null ? report : Report.findBenchmarksMd();
      if (target == null) {
        System.err.println("peers: no BENCHMARKS.md found from " + Path.of("").toAbsolutePath()
            + "; use --report PATH");
      } else {
        Report.rewrite(target, md);
        System.err.println("peers: report written into " + target);
      }
    }
  }

  /** Runs every workload on every peer and returns the report. */
  public static Report run(Size size, String command, String label) throws Exception {
    Report report = new Report(size, command, label);
    Path dir = Files.createDirectories(Path.of("/dev/shm", "depot-peers-" + ProcessHandle.current().pid()));
    try (RedisServer redis = RedisServer.start()) {
      report.note("redis-server " + RedisServer.binaryVersion() + " on 127.0.0.1 (no persistence)");
      for (String peer : List.of("lmdb", "chronicle-map", "chronicle-queue", "agrona-1to1")) {
        report.finding(peer, probe(peer, dir));
      }
      for (int rep = 0; rep < size.reps(); rep++) {
        for (String peer : KV_PEERS) {
          kv(report, size, peer, dir, redis, rep);
        }
        for (String peer : QUEUE_PEERS) {
          queue(report, size, peer, 1, dir, redis, rep);
        }
        for (String peer : QUEUE2_PEERS) {
          queue(report, size, peer, 2, dir, redis, rep);
        }
        for (String peer : ARRAY_PEERS) {
          array(report, size, peer, dir, rep);
        }
      }
    } finally {
      deleteTree(dir);
    }
    return report;
  }

  private static List<String> jvm(String peer, String heap) {
    List<String> opts = new ArrayList<>(List.of(heap));
    opts.addAll(FLAGS.getOrDefault(peer, List.of()));
    return opts;
  }

  private static void kv(Report report, Size size, String peer, Path dir, RedisServer redis, int rep)
      throws Exception {
    StringBuilder sizes = new StringBuilder();
    StringBuilder counts = new StringBuilder();
    // Redis takes 50-200 µs a command: it runs on a fraction of the keys (its medians need no more)
    int divisor = redisUsed(peer) ? size.redisDivisor() : 1;
    for (int i = 0; i < size.kvSizes().length; i++) {
      sizes.append(i == 0 ? "" : ",").append(size.kvSizes()[i]);
      counts.append(i == 0 ? "" : ",").append(Math.max(10, size.kvCounts()[i] / divisor));
    }
    String warm = Long.toString(size.warmMillis());
    String store = "peers-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts =
        DepotOptions.builder().capacity(kvBytes(size) * 11 / 10 + (64L << 20)).maxObjects(1 << 18).build();
    Path location = dir.resolve(peer + "-" + rep);
    Files.createDirectories(location);
    Depot depot = peer.startsWith("depot") ? Depot.create(store, opts) : null;
    try {
      String where = switch (peer) {
        case "depot", "depot-eager" -> store;
        case "redis", "redis-pipelined" -> redis.uri();
        default -> location.toString();
      };
      List<String> lines = new ArrayList<>();
      if (peer.equals("chm") || peer.equals("memcpy")) {
        lines.addAll(child(jvm(peer, "-Xmx2g"), KvChild.class, peer, "both", where, sizes.toString(),
            counts.toString(), warm));
      } else {
        lines.addAll(child(jvm(peer, "-Xmx1g"), KvChild.class, peer, "put", where, sizes.toString(),
            counts.toString(), warm));
        lines.addAll(child(jvm(peer, "-Xmx1g"), KvChild.class, peer, "get", where, sizes.toString(),
            counts.toString(), warm));
      }
      for (String l : lines) {
        if (l.startsWith("KVPUT ") || l.startsWith("KVGET ")) {
          int s = (int) Stats.field(l, "size");
          String op = l.startsWith("KVPUT ") ? "put" : "get";
          report.add("W1 " + Report.bytes(s), peer, op, Stats.field(l, "median_ns") / 1000.0);
        }
      }
      if (redisUsed(peer)) {
        flush(redis);
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  private static boolean redisUsed(String peer) {
    return peer.startsWith("redis");
  }

  private static long kvBytes(Size size) {
    long b = 0;
    for (int i = 0; i < size.kvSizes().length; i++) {
      // the w and k keys of each size, each value with its 64-byte header: in a slot of its size class (at most
      // 1.25× above 512 B; 1.5× here for the spans' slack), or above 256 KiB an extent of whole 64 KiB pages
      long block = size.kvSizes()[i] + 64L;
      long stored = block > 256 * 1024 ? (block + 65535) / 65536 * 65536 : Math.max(128, block * 3 / 2);
      b += 2L * size.kvCounts()[i] * stored;
    }
    return b;
  }

  private static void queue(Report report, Size size, String peer, int pairs, Path dir, RedisServer redis, int rep)
      throws Exception {
    int count = peer.equals("redis") ? size.redisQueueCount() : size.queueCount();
    int warm = peer.equals("redis") ? size.redisQueueCount() / 4 : size.queueWarm();
    int producers = pairs;
    int consumers = peer.equals("agrona-mto1") ? 1 : pairs;
    String store = "peersq-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts = DepotOptions.builder().capacity(64L << 20).maxObjects(1024).build();
    Path location = dir.resolve("q-" + peer + "-" + pairs + "-" + rep);
    Depot depot = null;
    String where;
    switch (peer) {
      case "depot" -> {
        depot = Depot.create(store, opts);
        depot.createQueue("q", 1024, Track.bytes("v", QueueChild.SIZE)).close();
        where = store + "/q";
      }
      case "agrona-1to1", "agrona-mto1" -> {
        Files.createDirectories(location);
        where = ring(location).toString();
      }
      case "redis" -> where = redis.uri();
      default -> {
        Files.createDirectories(location);
        where = location.toString();
      }
    }
    try {
      // consumers split the timed entries between them; each waits for (producers × per-producer) / consumers
      List<ChildJvm> cs = new ArrayList<>();
      List<ChildJvm> ps = new ArrayList<>();
      try {
        // chronicle-queue's tailers each read every entry (a journal, not a work queue): 2 → 2 is not run for it
        for (int c = 0; c < consumers; c++) {
          cs.add(ChildJvm.start(jvm(peer, "-Xmx256m"), QueueChild.class, peer, "consumer", where,
              Integer.toString(c), Integer.toString(warm), Integer.toString(count), Integer.toString(producers),
              Integer.toString(consumers)));
        }
        for (int p = 0; p < producers; p++) {
          ps.add(ChildJvm.start(jvm(peer, "-Xmx256m"), QueueChild.class, peer, "producer", where,
              Integer.toString(p), Integer.toString(warm), Integer.toString(count), Integer.toString(producers),
              Integer.toString(consumers)));
        }
        for (ChildJvm p : ps) {
          await(p, peer);
        }
        if (producers > 1) { // every producer is done: one pill per consumer, after all their entries
          child(jvm(peer, "-Xmx256m"), QueueChild.class, peer, "pills", where, "0", "0", "0", "1",
              Integer.toString(consumers));
        }
        double start = Double.MAX_VALUE;
        double end = 0;
        long timed = 0;
        for (ChildJvm c : cs) {
          await(c, peer);
          String l = line(c, "QCONSUMER ");
          start = Math.min(start, Stats.field(l, "start"));
          end = Math.max(end, Stats.field(l, "end"));
          timed += (long) Stats.field(l, "timed");
        }
        double rate = timed / ((end - start) / 1e9);
        String w = pairs == 1 ? "W3-small 1 → 1" : "W3-small 2 → 2";
        report.add(w, peer, "rate", rate / 1e6);
      } finally {
        cs.forEach(ChildJvm::close);
        ps.forEach(ChildJvm::close);
      }
      if (redisUsed(peer)) {
        flush(redis);
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  private static void array(Report report, Size size, String peer, Path dir, int rep) throws Exception {
    long bytes = 8L * size.arrayElements();
    String store = "peersa-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts = DepotOptions.builder().capacity(bytes + (16L << 20)).maxObjects(64).build();
    Path location = Files.createDirectories(dir.resolve("a-" + peer + "-" + rep));
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    String where = peer.equals("depot") ? store : location.toString();
    String heap = "-Xmx" + Math.max(256, 3 * (bytes >> 20) + 256) + "m"; // the values, memcpy's own copy
    String elements = Integer.toString(size.arrayElements());
    try {
      List<String> lines = new ArrayList<>();
      if (peer.equals("memcpy")) {
        lines.addAll(child(jvm(peer, heap), ArrayChild.class, peer, "both", where, elements));
      } else {
        lines.addAll(child(jvm(peer, heap), ArrayChild.class, peer, "put", where, elements));
        lines.addAll(child(jvm(peer, "-Xmx256m"), ArrayChild.class, peer, "get", where, elements));
      }
      int e = size.arrayElements();
      String w = "W2 float64 × " + (e >= 1 << 20 ? (e >> 20) + " Mi" : (e >> 10) + " Ki");
      for (String l : lines) {
        if (l.startsWith("ARRAY ")) {
          String op = l.contains("op=put") ? "put" : "get";
          report.add(w, peer, op, Stats.field(l, "gibs"));
        }
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  /** Creates a zeroed agrona ring file of 1024 small entries in {@code dir}. */
  private static Path ring(Path dir) throws IOException {
    Path file = dir.resolve("ring");
    try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(1), QueueChild.agronaFileLength(1024) - 1);
    }
    return file;
  }

  /**
   * Starts {@code peer} at a tiny size without the flags of {@link #FLAGS}: the error it fails with on this JVM, or
   * {@code null} when it runs without them.
   */
  static String probe(String peer, Path dir) throws Exception {
    Path location = Files.createDirectories(dir.resolve("probe-" + peer));
    boolean queue = peer.equals("chronicle-queue") || peer.startsWith("agrona");
    String where = peer.startsWith("agrona") ? ring(location).toString() : location.toString();
    try (ChildJvm c = !queue
        ? ChildJvm.start(List.of("-Xmx256m"), KvChild.class, peer, "both", where, "64", "10", "0")
        : ChildJvm.start(List.of("-Xmx256m"), QueueChild.class, peer, "producer", where, "0", "0", "10", "1",
            "1")) {
      int rc = c.await(120, TimeUnit.SECONDS);
      if (rc == 0) {
        return null;
      }
      // the deepest cause: the last line naming an exception with its message
      return c.errors().stream().filter(l -> l.matches(".*(Exception|Error)(: .*)?$") && !l.startsWith("\tat "))
          .reduce((a, b) -> b).map(l -> l.replaceFirst("^Caused by: ", "")).orElse("exit " + rc + ": " + String.join(" | ", c.errors().stream().limit(3).toList()));
    } finally {
      deleteTree(location);
    }
  }

  private static void flush(RedisServer redis) {
    try (var client = io.lettuce.core.RedisClient.create(redis.uri()); var c = client.connect()) {
      c.sync().flushall();
    }
  }

  private static List<String> child(List<String> jvm, Class<?> main, String... args) throws Exception {
    try (ChildJvm c = ChildJvm.start(jvm, main, args)) {
      await(c, args[0]);
      return c.output();
    }
  }

  private static void await(ChildJvm c, String peer) throws InterruptedException {
    int rc = c.await(600, TimeUnit.SECONDS);
    if (rc != 0) {
      throw new IllegalStateException(peer + ": child exited " + rc + ": "
          + String.join("\n", c.errors().stream().limit(40).toList()));
    }
  }

  private static String line(ChildJvm c, String prefix) {
    return c.output().stream().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + prefix + " in " + c.output()));
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  static Map<String, String> ordered() {
    return new LinkedHashMap<>();
  }

  static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
