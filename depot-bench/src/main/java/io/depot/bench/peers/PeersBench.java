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
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Depot side by side with the systems its users would pick instead, in one run on one machine: W1
 * (put, then get + verify in another process) at 64 B .. 1 MiB; W3-small (64 B entries through a
 * queue, 1 → 1 and 2 → 2 processes, and the ping-pong round trip between two processes); W2 (a
 * float64 array: put, then get + sum in another process); W3 (large entries through a 16-entry
 * queue, producer and consumer processes); W4 (workflow short-term memory values: put in one
 * process, get in another); and a mixed run of 2 writer and 2 reader processes at once on small
 * objects. Every writer and reader is its own JVM ({@link ChildJvm}); each workload runs {@code
 * reps} times and the report gives each system's median over the repetitions, their spread
 * (min–max) and Depot's ratio to it. Where Depot is behind a peer (full and quick runs), Depot's
 * side of that workload runs once more under JFR and the report lists the hottest frames ({@link
 * Profiles}).
 *
 * <p>Usage: {@code java -jar depot-bench/target/benchmarks.jar peers [--quick | --smoke] [--reps N]
 * [--report PATH | --no-report] [--label TEXT]}, also {@code ./depot bench peers …}. The report
 * (markdown) replaces what stands between {@value Report#BEGIN} and {@value Report#END} in {@code
 * PATH} (default: the repository's {@code BENCHMARKS.md}, found from the current directory) and is
 * printed too.
 */
public final class PeersBench {
  /** The key-value systems, in table order. */
  public static final List<String> KV_PEERS =
      List.of(
          "depot",
          "depot-copy",
          "depot-eager",
          "memcpy",
          "chm",
          "chronicle-map",
          "lmdb",
          "redis-pipelined",
          "redis");

  /** The 1 → 1 queue systems, in table order. */
  public static final List<String> QUEUE_PEERS =
      List.of("depot", "agrona-1to1", "chronicle-queue", "redis");

  /** The 2 → 2 queue systems (agrona's many-to-one ring has one consumer: 2 → 1). */
  public static final List<String> QUEUE2_PEERS = List.of("depot", "agrona-mto1", "redis");

  /** The ping-pong systems: two queues of each. */
  public static final List<String> PING_PEERS =
      List.of("depot", "agrona-1to1", "chronicle-queue", "redis");

  /** The W3 (large entries) systems, and memcpy of the entry size as the floor. */
  public static final List<String> BIG_PEERS =
      List.of("depot", "agrona-1to1", "chronicle-queue", "redis", "memcpy");

  /**
   * The W4 systems: the STM on shm and on Redis; Chronicle Map and LMDB with workflow-scoped keys.
   */
  public static final List<String> STM_PEERS =
      List.of("depot-stm", "redis-stm", "chronicle-map", "lmdb");

  /** The mixed-workload systems. */
  public static final List<String> MIXED_PEERS = List.of("depot", "chronicle-map", "lmdb", "redis");

  /** The W2 (float64 array) systems: the others have no typed arrays and no bulk value path. */
  public static final List<String> ARRAY_PEERS = List.of("depot", "memcpy", "lmdb");

  /** Value size of W4 and of the mixed workload. */
  static final int SMALL_VALUE = 1024;

  /** Entries of W3's queues. */
  static final int BIG_CAPACITY = 16;

  /**
   * JVM flags each peer needs on Java 25 (found by {@link #probe}: the report gives the error
   * without them). Depot, Lettuce needs none.
   */
  static final Map<String, List<String>> FLAGS =
      Map.of(
          "chronicle-map", Chronicle.FLAGS,
          "chronicle-queue", Chronicle.FLAGS,
          // lmdbjava 0.9.1 reads a direct buffer's address through java.nio.Buffer.address
          // (reflection)
          // agrona 2.x reaches jdk.internal.misc.Unsafe (UnsafeApi)
          "agrona-1to1", List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"),
          "agrona-mto1", List.of("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED"),
          "lmdb",
              List.of(
                  "--add-opens=java.base/java.nio=ALL-UNNAMED",
                  "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"));

  /**
   * Workload sizes of one run.
   *
   * @param kvSizes W1's value sizes
   * @param kvCounts W1's keys per size
   * @param redisDivisor Redis's key-value workloads run on this fraction of the keys
   * @param warmMillis key-value warm-up per size and process
   * @param queueCount W3-small's timed entries per producer
   * @param queueWarm W3-small's untimed entries first
   * @param redisQueueCount W3-small's timed entries on Redis
   * @param reps repetitions of every workload
   * @param arrayElements W2's float64 elements
   * @param bigSize W3's entry size
   * @param bigCount W3's timed entries (Redis: {@code redisBigCount})
   * @param bigWarm W3's untimed entries first
   * @param pingRounds ping-pong's timed round trips (Redis: a tenth), after a quarter as many
   *     untimed ones
   * @param stmCount W4's keys (Redis: over {@code redisDivisor})
   * @param mixedKeys the mixed workload's keys
   * @param mixedMillis the mixed workload's timed span
   * @param mixedWriters the mixed workload's writer processes
   * @param mixedReaders the mixed workload's reader processes
   * @param profile whether rows where Depot is behind get a JFR profile
   */
  public record Size(
      String name,
      int[] kvSizes,
      int[] kvCounts,
      int redisDivisor,
      long warmMillis,
      int queueCount,
      int queueWarm,
      int redisQueueCount,
      int reps,
      int arrayElements,
      int bigSize,
      int bigCount,
      int redisBigCount,
      int bigWarm,
      int pingRounds,
      int stmCount,
      int mixedKeys,
      long mixedMillis,
      int mixedWriters,
      int mixedReaders,
      boolean profile) {
    /** The default run, about 11 to 13 minutes on 2 cores (Redis on a fifth of the keys). */
    public static final Size FULL =
        new Size(
            "full",
            new int[] {64, 1024, 4096, 65536, 1 << 20},
            new int[] {20_000, 20_000, 20_000, 2_000, 200},
            5,
            300,
            1_000_000,
            300_000,
            20_000,
            2,
            64 << 20,
            8 << 20,
            500,
            40,
            32,
            100_000,
            10_000,
            10_000,
            2_000,
            2,
            2,
            true);

    /** A tenth of the work, one repetition: three to four minutes. */
    public static final Size QUICK =
        new Size(
            "quick",
            new int[] {64, 1024, 4096, 65536, 1 << 20},
            new int[] {2_000, 2_000, 2_000, 200, 20},
            1,
            200,
            100_000,
            50_000,
            2_000,
            1,
            16 << 20,
            8 << 20,
            100,
            10,
            16,
            20_000,
            2_000,
            2_000,
            500,
            2,
            2,
            true);

    /**
     * A few seconds per peer: the test suite's smoke run (W3 on 1 MiB entries; mixed: 1 writer, 1
     * reader).
     */
    public static final Size SMOKE =
        new Size(
            "smoke",
            new int[] {1024, 65536},
            new int[] {200, 20},
            1,
            0,
            2_000,
            500,
            200,
            1,
            1 << 16,
            1 << 20,
            20,
            4,
            4,
            500,
            200,
            500,
            300,
            1,
            1,
            false);

    /** This size with W1 at {@code kvSize} alone. */
    Size onlyKv(int kvSize) {
      int i = 0;
      while (kvSizes[i] != kvSize) {
        i++;
      }
      return new Size(
          name,
          new int[] {kvSize},
          new int[] {kvCounts[i]},
          redisDivisor,
          warmMillis,
          queueCount,
          queueWarm,
          redisQueueCount,
          reps,
          arrayElements,
          bigSize,
          bigCount,
          redisBigCount,
          bigWarm,
          pingRounds,
          stmCount,
          mixedKeys,
          mixedMillis,
          mixedWriters,
          mixedReaders,
          profile);
    }

    /** This size with {@code n} repetitions. */
    public Size withReps(int n) {
      return new Size(
          name,
          kvSizes,
          kvCounts,
          redisDivisor,
          warmMillis,
          queueCount,
          queueWarm,
          redisQueueCount,
          n,
          arrayElements,
          bigSize,
          bigCount,
          redisBigCount,
          bigWarm,
          pingRounds,
          stmCount,
          mixedKeys,
          mixedMillis,
          mixedWriters,
          mixedReaders,
          profile);
    }
  }

  /**
   * One run's shared state: its size, the scratch directory in /dev/shm, the Redis server, and
   * (when profiling) where the JFR recordings of Depot's children go.
   */
  record Run(Size size, Path dir, RedisServer redis, Path jfr) {
    Run profiling(Path jfrDir) {
      return new Run(size, dir, redis, jfrDir);
    }
  }

  private PeersBench() {}

  public static void main(String[] args) throws Exception {
    Size size = Size.FULL;
    Integer reps = null;
    Path report = null;
    boolean write = true;
    String label = null;
    Set<String> only = WORKLOADS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--quick" -> size = Size.QUICK;
        case "--smoke" -> size = Size.SMOKE;
        case "--reps" -> reps = Integer.parseInt(args[++i]);
        case "--report" -> report = Path.of(args[++i]);
        case "--no-report" -> write = false;
        case "--label" -> label = args[++i];
        case "--only" -> only = workloads(args[++i]);
        default ->
            throw new IllegalArgumentException(
                "unknown option "
                    + args[i]
                    + " (peers [--quick | --smoke] [--reps N] [--only W1,W2,...] [--report PATH | --no-report]"
                    + " [--label TEXT])");
      }
    }
    if (reps != null) {
      size = size.withReps(reps);
    }
    StringBuilder command = new StringBuilder("./depot bench peers");
    for (String a : args) {
      command.append(' ').append(a);
    }
    Report r = run(size, command.toString(), label, only);
    String md = r.markdown();
    System.out.println(md);
    if (write && !only.equals(WORKLOADS) && report == null) {
      System.err.println(
          "peers: a run of some workloads (--only) is not written into BENCHMARKS.md");
    } else if (write) {
      Path target = report != null ? report : Report.findBenchmarksMd();
      if (target == null) {
        System.err.println(
            "peers: no BENCHMARKS.md found from "
                + Path.of("").toAbsolutePath()
                + "; use --report PATH");
      } else {
        Report.rewrite(target, md);
        System.err.println("peers: report written into " + target);
      }
    }
  }

  /** The workloads of a run, in the order they run; {@code --only} picks some of them. */
  static final Set<String> WORKLOADS =
      Collections.unmodifiableSet(
          new LinkedHashSet<>(List.of("W1", "W3-small", "ping-pong", "W2", "W3", "W4", "mixed")));

  /**
   * The workloads of {@code --only}'s comma-separated list (they still run in {@link #WORKLOADS}'s
   * order).
   *
   * @throws IllegalArgumentException naming a workload that is not one of {@link #WORKLOADS}
   */
  static Set<String> workloads(String list) {
    Set<String> picked = new LinkedHashSet<>();
    for (String w : list.split(",")) {
      if (!WORKLOADS.contains(w.trim())) {
        throw new IllegalArgumentException(
            "unknown workload " + w.trim() + " in --only (one of " + WORKLOADS + ")");
      }
      picked.add(w.trim());
    }
    return picked;
  }

  /** Runs every workload on every peer and returns the report. */
  public static Report run(Size size, String command, String label) throws Exception {
    return run(size, command, label, WORKLOADS);
  }

  /**
   * Runs the workloads {@code only} (of {@link #WORKLOADS}) on every peer and returns the report.
   */
  public static Report run(Size size, String command, String label, Set<String> only)
      throws Exception {
    Report report = new Report(size, command, label);
    Path dir =
        Files.createDirectories(
            Path.of("/dev/shm", "depot-peers-" + ProcessHandle.current().pid()));
    try (RedisServer redis = RedisServer.start()) {
      Run run = new Run(size, dir, redis, null);
      report.note("redis-server " + RedisServer.binaryVersion() + " on 127.0.0.1 (no persistence)");
      for (String peer : List.of("lmdb", "chronicle-map", "chronicle-queue", "agrona-1to1")) {
        report.finding(peer, probe(peer, dir));
      }
      for (int rep = 0; rep < size.reps(); rep++) {
        final int r = rep;
        if (only.contains("W1")) {
          eachPeer("W1 rep " + rep, peers(size, "W1", KV_PEERS), report, run, r, PeersBench::kv);
        }
        if (only.contains("W3-small")) {
          timed(
              "W3-small rep " + rep,
              () -> {
                for (String peer : QUEUE_PEERS) {
                  queue(report, run, peer, 1, r);
                }
                for (String peer : QUEUE2_PEERS) {
                  queue(report, run, peer, 2, r);
                }
              });
        }
        if (only.contains("ping-pong")) {
          eachPeer(
              "ping-pong rep " + rep,
              peers(size, "ping", PING_PEERS),
              report,
              run,
              r,
              PeersBench::ping);
        }
        if (only.contains("W2")) {
          eachPeer("W2 rep " + rep, ARRAY_PEERS, report, run, r, PeersBench::array);
        }
        if (only.contains("W3")) {
          eachPeer("W3 rep " + rep, BIG_PEERS, report, run, r, PeersBench::big);
        }
        if (only.contains("W4")) {
          eachPeer("W4 rep " + rep, peers(size, "W4", STM_PEERS), report, run, r, PeersBench::stm);
        }
        if (only.contains("mixed")) {
          eachPeer("mixed rep " + rep, MIXED_PEERS, report, run, r, PeersBench::mixed);
        }
      }
      if (size.profile()) {
        timed("profiles", () -> profileBehind(report, run));
      }
    } finally {
      deleteTree(dir);
    }
    report.finish();
    return report;
  }

  /**
   * For each workload where Depot is behind a peer: runs Depot's side of it once more with JFR on
   * its children and puts the hottest frames of the children whose figure is behind under the table
   * ({@link Profiles}).
   */
  private static void profileBehind(Report report, Run run) throws Exception {
    Map<String, List<Report.Behind>> byWorkload = new LinkedHashMap<>();
    for (Report.Behind b : report.behind()) {
      byWorkload.computeIfAbsent(b.workload(), w -> new ArrayList<>()).add(b);
    }
    for (var e : byWorkload.entrySet()) {
      String workload = e.getKey();
      Path jfr =
          Files.createDirectories(
              run.dir().resolve("jfr-" + Integer.toHexString(workload.hashCode())));
      Report scratch = new Report(run.size(), "", null);
      Run profiled = run.profiling(jfr);
      String depot = report.results().get(workload).keySet().iterator().next();
      switch (Report.kind(workload)) {
        case "kv" -> {
          if (workload.startsWith("W4")) {
            stm(scratch, profiled, depot, 99);
          } else {
            kv(
                scratch,
                new Run(
                    run.size().onlyKv(workloadSize(run.size(), workload)),
                    run.dir(),
                    run.redis(),
                    jfr),
                depot,
                99);
          }
        }
        case "rate" -> queue(scratch, profiled, depot, workload.contains("2 → 2") ? 2 : 1, 99);
        case "ping" -> ping(scratch, profiled, depot, 99);
        case "array" -> array(scratch, profiled, depot, 99);
        case "big" -> big(scratch, profiled, depot, 99);
        case "mixed" -> mixed(scratch, profiled, depot, 99);
        default -> throw new IllegalStateException(workload);
      }
      List<String> lines = new ArrayList<>();
      List<String> ops =
          e.getValue().stream()
              .map(
                  b ->
                      b.op()
                          + " (behind "
                          + b.peer()
                          + ", "
                          + fmt(b.ratio() >= 0.1 ? "%.2f×" : "%.3f×", b.ratio())
                          + ")")
              .distinct()
              .toList();
      boolean waits = List.of("rate", "big", "ping").contains(Report.kind(workload));
      lines.add(
          "Why (Depot behind on "
              + String.join(", ", ops)
              + "): JFR execution samples of Depot's "
              + "processes in a repeat of this workload (warm-up included), the top frames by self time of the samples "
              + "inside Depot's calls"
              + (waits
                  ? " (waiting included: a pop on an empty queue or a push on a full one "
                      + "samples as its polling loop over the mapped segment)"
                  : "")
              + ":");
      lines.addAll(
          Profiles.summarize(
              jfr,
              Profiles.roles(
                  Report.kind(workload), e.getValue().stream().map(Report.Behind::op).toList()),
              6));
      report.profile(workload, lines);
      deleteTree(jfr);
    }
  }

  /**
   * What the smoke run leaves out, by workload: systems whose code the smoke run covers elsewhere
   * (the same child with other arguments), and whose JVMs (Chronicle's start slowest) would push
   * the test suite's run past its budget. {@code depot-eager} is {@code depot} with one option;
   * Chronicle Queue's ends run in W3-small and W3; Chronicle Map and LMDB with workflow-scoped keys
   * are W1's child with a key prefix.
   */
  private static final Map<String, List<String>> SMOKE_SKIPS =
      Map.of(
          "W1", List.of("depot-eager"),
          "ping", List.of("chronicle-queue"),
          "W4", List.of("chronicle-map", "lmdb"));

  /**
   * The systems of {@code workload} at {@code size}: {@code all}, less {@link #SMOKE_SKIPS} in the
   * smoke run.
   */
  public static List<String> peers(Size size, String workload, List<String> all) {
    if (!size.name().equals("smoke")) {
      return all;
    }
    List<String> skip = SMOKE_SKIPS.getOrDefault(workload, List.of());
    return all.stream().filter(p -> !skip.contains(p)).toList();
  }

  /** A step of the run. */
  private interface Step {
    void run() throws Exception;
  }

  /** One workload of one peer in one repetition. */
  private interface PeerStep {
    void run(Report report, Run run, String peer, int rep) throws Exception;
  }

  /** Runs {@code step} on each of {@code peers} in turn, timed as one step named {@code name}. */
  private static void eachPeer(
      String name, List<String> peers, Report report, Run run, int rep, PeerStep step)
      throws Exception {
    timed(
        name,
        () -> {
          for (String peer : peers) {
            step.run(report, run, peer, rep);
          }
        });
  }

  /** Runs {@code step} and says on standard error how long it took (where the run's minutes go). */
  private static void timed(String name, Step step) throws Exception {
    long t0 = System.nanoTime();
    step.run();
    System.err.println(fmt("peers: %s took %.1f s", name, (System.nanoTime() - t0) / 1e9));
  }

  /** The value size of a W1 workload's name. */
  private static int workloadSize(Size size, String workload) {
    for (int s : size.kvSizes()) {
      if (workload.equals("W1 " + Report.bytes(s))) {
        return s;
      }
    }
    throw new IllegalArgumentException(workload);
  }

  /**
   * The JVM options of a child of {@code peer} in {@code role}: the heap, the peer's flags, and
   * when profiling a Depot child, a JFR recording into the run's profile directory.
   */
  private static List<String> jvm(Run run, String peer, String heap, String role) {
    List<String> opts = new ArrayList<>(List.of(heap));
    // the smoke run checks that each peer runs, not its speed: C1 alone starts faster
    if (run.size().name().equals("smoke")) {
      opts.add("-XX:TieredStopAtLevel=1");
    }
    opts.addAll(FLAGS.getOrDefault(peer, List.of()));
    if (run.jfr() != null && peer.startsWith("depot")) {
      Path file = run.jfr().resolve(role + "-" + System.nanoTime() + ".jfr");
      opts.add(
          "-XX:StartFlightRecording=filename="
              + file
              + ",settings=profile,dumponexit=true,"
              + "jdk.ExecutionSample#period=1ms");
    }
    return opts;
  }

  private static void kv(Report report, Run run, String peer, int rep) throws Exception {
    Size size = run.size();
    keyValue(report, run, peer, rep, "W1", size.kvSizes(), size.kvCounts(), "");
  }

  /**
   * W4: the STM's values against Chronicle Map and LMDB with workflow-scoped keys (the key-value
   * child's run).
   */
  private static void stm(Report report, Run run, String peer, int rep) throws Exception {
    boolean scoped = !peer.endsWith("-stm");
    keyValue(
        report,
        run,
        peer,
        rep,
        "W4",
        new int[] {SMALL_VALUE},
        new int[] {run.size().stmCount()},
        scoped ? KvPeers.StmKv.WORKFLOW + "/" : "");
  }

  /**
   * The key-value workloads (W1, W4): the put process, then the get process, each over every size;
   * {@code prefix} starts every key name.
   */
  private static void keyValue(
      Report report,
      Run run,
      String peer,
      int rep,
      String workload,
      int[] kvSizes,
      int[] kvCounts,
      String prefix)
      throws Exception {
    Size size = run.size();
    StringBuilder sizes = new StringBuilder();
    StringBuilder counts = new StringBuilder();
    // Redis takes 50-200 µs a command: it runs on a fraction of the keys (its medians need no more)
    int divisor = redisUsed(peer) ? size.redisDivisor() : 1;
    long bytes = 0;
    for (int i = 0; i < kvSizes.length; i++) {
      sizes.append(i == 0 ? "" : ",").append(kvSizes[i]);
      counts.append(i == 0 ? "" : ",").append(Math.max(10, kvCounts[i] / divisor));
      bytes += kvBytes(kvSizes[i], kvCounts[i]);
      String name = workloadName(workload, kvSizes[i]);
      report.caption(
          name,
          "("
              + fmt("%,d", kvCounts[i])
              + " keys"
              + (size.redisDivisor() > 1
                  ? ", Redis " + fmt("%,d", Math.max(10, kvCounts[i] / size.redisDivisor()))
                  : "")
              + (workload.equals("W4")
                  ? " in workflow `"
                      + KvPeers.StmKv.WORKFLOW
                      + "` (Chronicle Map and LMDB: keys "
                      + "named `"
                      + KvPeers.StmKv.WORKFLOW
                      + "/key`)"
                  : "")
              + "; put in one process, get + verify in another)");
    }
    String warm = Long.toString(size.warmMillis());
    String store = "peers-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts =
        DepotOptions.builder().capacity(bytes * 11 / 10 + (64L << 20)).maxObjects(1 << 18).build();
    Path location = run.dir().resolve(workload + "-" + peer + "-" + rep);
    Files.createDirectories(location);
    Depot depot =
        peer.equals("depot") || peer.equals("depot-copy") || peer.equals("depot-eager")
            ? Depot.create(store, opts)
            : null;
    try {
      String where =
          switch (peer) {
            case "depot", "depot-copy", "depot-eager" -> store;
            case "depot-stm" -> "shm:" + store;
            case "redis", "redis-pipelined", "redis-stm" -> run.redis().uri();
            default -> location.toString();
          };
      List<String> lines = new ArrayList<>();
      if (peer.equals("chm") || peer.equals("memcpy")) {
        lines.addAll(
            child(
                jvm(run, peer, "-Xmx2g", "both"),
                KvChild.class,
                peer,
                "both",
                where,
                sizes.toString(),
                counts.toString(),
                warm,
                prefix));
      } else {
        lines.addAll(
            child(
                jvm(run, peer, "-Xmx1g", "put"),
                KvChild.class,
                peer,
                "put",
                where,
                sizes.toString(),
                counts.toString(),
                warm,
                prefix));
        lines.addAll(
            child(
                jvm(run, peer, "-Xmx1g", "get"),
                KvChild.class,
                peer,
                "get",
                where,
                sizes.toString(),
                counts.toString(),
                warm,
                prefix));
      }
      for (String l : lines) {
        if (l.startsWith("KVPUT ") || l.startsWith("KVGET ") || l.startsWith("KVGETR ")) {
          int s = (int) Stats.field(l, "size");
          String op =
              l.startsWith("KVPUT ") ? "put" : l.startsWith("KVGETR ") ? "getRandom" : "get";
          report.add(workloadName(workload, s), peer, op, Stats.field(l, "median_ns") / 1000.0);
        }
      }
      if (redisUsed(peer)) {
        flush(run.redis());
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      if (peer.equals("depot-stm")) {
        Depot.destroy(store, DepotOptions.defaults());
      }
      deleteTree(location);
    }
  }

  private static String workloadName(String workload, int size) {
    return workload.equals("W4")
        ? "W4 short-term memory, " + Report.bytes(size) + " values"
        : workload + " " + Report.bytes(size);
  }

  private static boolean redisUsed(String peer) {
    return peer.startsWith("redis");
  }

  /**
   * The store bytes {@code count} values of {@code size} take, twice (the w and k keys of {@link
   * KvChild}).
   */
  private static long kvBytes(int size, int count) {
    // each value with its 64-byte header: in a slot of its size class (at most 1.25× above 512 B;
    // 1.5× here for the
    // spans' slack), or above 256 KiB an extent of whole 64 KiB pages
    long block = size + 64L;
    long stored =
        block > 256 * 1024 ? (block + 65535) / 65536 * 65536 : Math.max(128, block * 3 / 2);
    return 2L * count * stored;
  }

  /** Where a queue peer's ends meet: the location argument of {@link QueueChild#open}. */
  private static String queueLocation(
      Run run,
      String peer,
      Depot depot,
      String store,
      String queue,
      int capacity,
      int entrySize,
      Path location)
      throws IOException {
    return switch (peer) {
      case "depot" -> {
        depot.createQueue(queue, capacity, Track.bytes("v", entrySize)).close();
        yield store + "/" + queue;
      }
      case "agrona-1to1", "agrona-mto1" -> {
        Files.createDirectories(location);
        int length =
            entrySize > QueueChild.SIZE
                ? QueueChild.agronaBigFileLength(capacity, entrySize)
                : QueueChild.agronaFileLength(capacity);
        yield ring(location, queue, length).toString();
      }
      case "redis" -> run.redis().uri() + "#" + queue;
      default -> Files.createDirectories(location.resolve(queue)).toString();
    };
  }

  private static void queue(Report report, Run run, String peer, int pairs, int rep)
      throws Exception {
    Size size = run.size();
    int count = peer.equals("redis") ? size.redisQueueCount() : size.queueCount();
    int warm = peer.equals("redis") ? size.redisQueueCount() / 4 : size.queueWarm();
    int producers = pairs;
    int consumers = peer.equals("agrona-mto1") ? 1 : pairs;
    String store = "peersq-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts = DepotOptions.builder().capacity(64L << 20).maxObjects(1024).build();
    Path location = run.dir().resolve("q-" + peer + "-" + pairs + "-" + rep);
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    try {
      String where = queueLocation(run, peer, depot, store, "q", 1024, QueueChild.SIZE, location);
      // consumers split the timed entries between them; each waits for (producers × per-producer) /
      // consumers
      List<ChildJvm> cs = new ArrayList<>();
      List<ChildJvm> ps = new ArrayList<>();
      try {
        // chronicle-queue's tailers each read every entry (a journal, not a work queue): 2 → 2 is
        // not run for it
        for (int c = 0; c < consumers; c++) {
          cs.add(
              ChildJvm.start(
                  jvm(run, peer, "-Xmx256m", "consumer"),
                  QueueChild.class,
                  peer,
                  "consumer",
                  where,
                  Integer.toString(c),
                  Integer.toString(warm),
                  Integer.toString(count),
                  Integer.toString(producers),
                  Integer.toString(consumers)));
        }
        for (ChildJvm c : cs) {
          c.awaitLine("QREADY", 300, TimeUnit.SECONDS);
        }
        for (int p = 0; p < producers; p++) {
          ps.add(
              ChildJvm.start(
                  jvm(run, peer, "-Xmx256m", "producer"),
                  QueueChild.class,
                  peer,
                  "producer",
                  where,
                  Integer.toString(p),
                  Integer.toString(warm),
                  Integer.toString(count),
                  Integer.toString(producers),
                  Integer.toString(consumers)));
        }
        double start = Double.MAX_VALUE;
        for (ChildJvm p : ps) {
          await(p, peer);
          start = Math.min(start, Stats.field(line(p, "QPRODUCER "), "start"));
        }
        if (producers
            > 1) { // every producer is done: one pill per consumer, after all their entries
          child(
              jvm(run, peer, "-Xmx256m", "pills"),
              QueueChild.class,
              peer,
              "pills",
              where,
              "0",
              "0",
              "0",
              "1",
              Integer.toString(consumers));
        }
        double end = 0;
        long timed = 0;
        for (ChildJvm c : cs) {
          await(c, peer);
          String l = line(c, "QCONSUMER ");
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
        flush(run.redis());
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  /**
   * W3-small ping-pong: one 64 B message bounced between two processes through two queues of one
   * system.
   */
  private static void ping(Report report, Run run, String peer, int rep) throws Exception {
    Size size = run.size();
    int rounds = peer.equals("redis") ? Math.max(100, size.pingRounds() / 10) : size.pingRounds();
    int warm = rounds / 4;
    String store = "peersp-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts = DepotOptions.builder().capacity(16L << 20).maxObjects(1024).build();
    Path location = run.dir().resolve("p-" + peer + "-" + rep);
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    String w = "W3-small ping-pong";
    report.caption(
        w,
        "(a "
            + QueueChild.SIZE
            + " B message there through one queue and back through another, "
            + "between two processes; "
            + fmt("%,d", size.pingRounds())
            + " timed round trips, Redis "
            + fmt("%,d", Math.max(100, size.pingRounds() / 10))
            + ", after a quarter as many untimed)");
    try {
      String there = queueLocation(run, peer, depot, store, "ping", 64, QueueChild.SIZE, location);
      String back = queueLocation(run, peer, depot, store, "pong", 64, QueueChild.SIZE, location);
      try (ChildJvm pong =
              ChildJvm.start(
                  jvm(run, peer, "-Xmx256m", "pong"),
                  PingPongChild.class,
                  peer,
                  "pong",
                  there,
                  back,
                  Integer.toString(warm),
                  Integer.toString(rounds));
          ChildJvm pinger =
              ChildJvm.start(
                  jvm(run, peer, "-Xmx256m", "ping"),
                  PingPongChild.class,
                  peer,
                  "ping",
                  there,
                  back,
                  Integer.toString(warm),
                  Integer.toString(rounds))) {
        await(pinger, peer);
        await(pong, peer);
        String l = line(pinger, "PING ");
        report.add(w, peer, "median", Stats.field(l, "median_ns") / 1000.0);
        report.add(w, peer, "p99", Stats.field(l, "p99_ns") / 1000.0);
      }
      if (redisUsed(peer)) {
        flush(run.redis());
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  /**
   * W3: large entries through a {@value #BIG_CAPACITY}-entry queue, one producer and one consumer
   * process; the figure is the consumer's GiB/s over the timed entries. memcpy: the same bytes
   * copied in one JVM into {@value #BIG_CAPACITY} rotating buffers (the floor of any copy-in
   * queue).
   */
  private static void big(Report report, Run run, String peer, int rep) throws Exception {
    Size size = run.size();
    int entry = size.bigSize();
    String w = "W3 " + Report.bytes(entry) + " entries, " + BIG_CAPACITY + "-entry queue";
    report.caption(
        w,
        "("
            + fmt("%,d", size.bigCount())
            + " timed entries after "
            + size.bigWarm()
            + " untimed, Redis "
            + size.redisBigCount()
            + " after 2; one producer process, one consumer process; "
            + "agrona's ring: "
            + QueueChild.agronaEntries(QueueChild.agronaBigFileLength(BIG_CAPACITY, entry), entry)
            + " entries fit, its largest message being an eighth of its capacity)");
    int count = peer.equals("redis") ? size.redisBigCount() : size.bigCount();
    int warm = peer.equals("redis") ? 2 : size.bigWarm();
    String heap = "-Xmx" + (256 + 4 * (entry >> 20)) + "m";
    if (peer.equals("memcpy")) {
      List<String> out =
          child(
              jvm(run, peer, heap, "both"),
              QueueChild.class,
              peer,
              "both",
              "-",
              "0",
              "0",
              Integer.toString(count),
              "1",
              "1",
              Integer.toString(entry));
      String l = out.stream().filter(x -> x.startsWith("QMEMCPY ")).findFirst().orElseThrow();
      report.add(w, peer, "gibs", Stats.field(l, "gibs"));
      return;
    }
    String store = "peersb-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts =
        DepotOptions.builder()
            .capacity(BIG_CAPACITY * (entry + (1L << 20)) + (64L << 20))
            .maxObjects(1024)
            .build();
    Path location = run.dir().resolve("b-" + peer + "-" + rep);
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    try {
      String where = queueLocation(run, peer, depot, store, "big", BIG_CAPACITY, entry, location);
      String[] common = {
        where,
        "0",
        Integer.toString(warm),
        Integer.toString(count),
        "1",
        "1",
        Integer.toString(entry)
      };
      try (ChildJvm c =
          ChildJvm.start(
              jvm(run, peer, heap, "consumer"),
              QueueChild.class,
              concat(peer, "consumer", common))) {
        c.awaitLine("QREADY", 300, TimeUnit.SECONDS);
        try (ChildJvm p =
            ChildJvm.start(
                jvm(run, peer, heap, "producer"),
                QueueChild.class,
                concat(peer, "producer", common))) {
          await(p, peer);
          await(c, peer);
          String l = line(c, "QCONSUMER ");
          // from the producer's first timed entry to the consumer's receipt of the last
          double seconds =
              (Stats.field(l, "end") - Stats.field(line(p, "QPRODUCER "), "start")) / 1e9;
          report.add(w, peer, "gibs", Stats.field(l, "timed") * entry / seconds / (1L << 30));
        }
      }
      if (redisUsed(peer)) {
        flush(run.redis());
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  private static String[] concat(String a, String b, String[] rest) {
    String[] all = new String[rest.length + 2];
    all[0] = a;
    all[1] = b;
    System.arraycopy(rest, 0, all, 2, rest.length);
    return all;
  }

  /**
   * The mixed workload: the first writer puts every key, then {@code mixedWriters} writer and
   * {@code mixedReaders} reader processes run at once ({@link MixedChild}); the figures are the
   * writers' and the readers' operations per second, added up, and the p99.9 latency of each role's
   * worst process (one operation in {@value MixedChild#SAMPLE_EVERY} timed on its own).
   */
  private static void mixed(Report report, Run run, String peer, int rep) throws Exception {
    Size size = run.size();
    int keys = size.mixedKeys();
    int writers = size.mixedWriters();
    int readers = size.mixedReaders();
    String w = mixedName(size);
    report.caption(
        w,
        "("
            + fmt("%,d", keys)
            + " keys put first; then "
            + writers
            + " writer processes "
            + "replace random keys while "
            + readers
            + " reader processes get random keys and check each value "
            + "whole, all at once for "
            + fmt("%.1f", size.mixedMillis() / 1000.0)
            + " s; operations per second "
            + "added up over the processes; p99.9: of the one operation in "
            + MixedChild.SAMPLE_EVERY
            + " each process times on its own, in the role's worst process)");
    String store = "peersm-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts =
        DepotOptions.builder()
            .capacity(8L * keys * (SMALL_VALUE + 256) + (64L << 20))
            .maxObjects(Math.max(1024, 4 * keys))
            .build();
    Path location = Files.createDirectories(run.dir().resolve("m-" + peer + "-" + rep));
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    String where =
        switch (peer) {
          case "depot" -> store;
          case "redis" -> run.redis().uri();
          default -> location.toString();
        };
    String k = Integer.toString(keys);
    String v = Integer.toString(SMALL_VALUE);
    String ms = Long.toString(size.mixedMillis());
    try {
      List<ChildJvm> all = new ArrayList<>();
      try {
        for (int i = 0; i < writers + readers; i++) {
          String role = i < writers ? "writer" : "reader";
          all.add(
              ChildJvm.start(
                  jvm(run, peer, "-Xmx512m", role),
                  MixedChild.class,
                  peer,
                  role,
                  where,
                  k,
                  v,
                  ms,
                  Integer.toString(i)));
          if (i == 0) { // writer 0 puts every key first
            all.getFirst().awaitLine("FILLED", 300, TimeUnit.SECONDS);
          }
        }
        for (ChildJvm c : all) {
          c.awaitLine("READY", 300, TimeUnit.SECONDS);
        }
        for (ChildJvm c : all) {
          c.send("GO");
        }
        double writes = 0;
        double reads = 0;
        double writeTail = 0;
        double readTail = 0;
        for (int i = 0; i < all.size(); i++) {
          await(all.get(i), peer);
          String l = line(all.get(i), "MIXED ");
          double rate = Stats.field(l, "ops") / (Stats.field(l, "nanos") / 1e9);
          double tail = Stats.field(l, "p999_ns") / 1000.0;
          if (i < writers) {
            writes += rate;
            writeTail = Math.max(writeTail, tail);
          } else {
            reads += rate;
            readTail = Math.max(readTail, tail);
          }
        }
        report.add(w, peer, "writes", writes / 1e6);
        report.add(w, peer, "reads", reads / 1e6);
        // the worst process of each role: one stalled process is what a user waits on
        report.add(w, peer, "writeP999", writeTail);
        report.add(w, peer, "readP999", readTail);
      } finally {
        all.forEach(ChildJvm::close);
      }
      if (redisUsed(peer)) {
        flush(run.redis());
      }
    } finally {
      if (depot != null) {
        depot.close();
        Depot.destroy(store, opts);
      }
      deleteTree(location);
    }
  }

  /** The mixed workload's table at {@code size}. */
  public static String mixedName(Size size) {
    return "Mixed: "
        + size.mixedWriters()
        + (size.mixedWriters() == 1 ? " writer + " : " writers + ")
        + size.mixedReaders()
        + (size.mixedReaders() == 1 ? " reader, " : " readers, ")
        + Report.bytes(SMALL_VALUE)
        + " values";
  }

  private static void array(Report report, Run run, String peer, int rep) throws Exception {
    Size size = run.size();
    long bytes = 8L * size.arrayElements();
    String store = "peersa-" + ProcessHandle.current().pid() + "-" + rep;
    DepotOptions opts = DepotOptions.builder().capacity(bytes + (16L << 20)).maxObjects(64).build();
    Path location = Files.createDirectories(run.dir().resolve("a-" + peer + "-" + rep));
    Depot depot = peer.equals("depot") ? Depot.create(store, opts) : null;
    String where = peer.equals("depot") ? store : location.toString();
    String heap =
        "-Xmx" + Math.max(256, 3 * (bytes >> 20) + 256) + "m"; // the values, memcpy's own copy
    String elements = Integer.toString(size.arrayElements());
    int e = size.arrayElements();
    String w = "W2 float64 × " + (e >= 1 << 20 ? (e >> 20) + " Mi" : (e >> 10) + " Ki");
    report.caption(
        w,
        "("
            + Report.bytes((int) Math.min(Integer.MAX_VALUE, bytes))
            + " of float64: put from a Java array; get + sum in another process)");
    try {
      List<String> lines = new ArrayList<>();
      if (peer.equals("memcpy")) {
        lines.addAll(
            child(jvm(run, peer, heap, "both"), ArrayChild.class, peer, "both", where, elements));
      } else {
        lines.addAll(
            child(jvm(run, peer, heap, "put"), ArrayChild.class, peer, "put", where, elements));
        lines.addAll(
            child(
                jvm(run, peer, "-Xmx256m", "get"), ArrayChild.class, peer, "get", where, elements));
      }
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

  /**
   * Creates a zeroed agrona ring file of {@code length} bytes, named {@code name}, in {@code dir}.
   */
  private static Path ring(Path dir, String name, int length) throws IOException {
    Path file = dir.resolve(name + ".ring");
    try (var ch =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.CREATE_NEW,
            java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.allocate(1), length - 1);
    }
    return file;
  }

  /**
   * Starts {@code peer} at a tiny size without the flags of {@link #FLAGS}: the error it fails with
   * on this JVM, or {@code null} when it runs without them.
   */
  static String probe(String peer, Path dir) throws Exception {
    Path location = Files.createDirectories(dir.resolve("probe-" + peer));
    boolean queue = peer.equals("chronicle-queue") || peer.startsWith("agrona");
    String where =
        peer.startsWith("agrona")
            ? ring(location, "ring", QueueChild.agronaFileLength(1024)).toString()
            : location.toString();
    try (ChildJvm c =
        !queue
            ? ChildJvm.start(
                List.of("-Xmx256m"), KvChild.class, peer, "both", where, "64", "10", "0")
            : ChildJvm.start(
                List.of("-Xmx256m"),
                QueueChild.class,
                peer,
                "producer",
                where,
                "0",
                "0",
                "10",
                "1",
                "1")) {
      int rc = c.await(120, TimeUnit.SECONDS);
      if (rc == 0) {
        return null;
      }
      // the deepest cause: the last line naming an exception with its message
      return c.errors().stream()
          .filter(l -> l.matches(".*(Exception|Error)(: .*)?$") && !l.startsWith("\tat "))
          .reduce((a, b) -> b)
          .map(l -> l.replaceFirst("^Caused by: ", ""))
          .orElse("exit " + rc + ": " + String.join(" | ", c.errors().stream().limit(3).toList()));
    } finally {
      deleteTree(location);
    }
  }

  private static void flush(RedisServer redis) {
    try (var client = io.lettuce.core.RedisClient.create(redis.uri());
        var c = client.connect()) {
      c.sync().flushall();
    }
  }

  private static List<String> child(List<String> jvm, Class<?> main, String... args)
      throws Exception {
    try (ChildJvm c = ChildJvm.start(jvm, main, args)) {
      await(c, args[0]);
      return c.output();
    }
  }

  private static void await(ChildJvm c, String peer) throws InterruptedException {
    int rc = c.await(600, TimeUnit.SECONDS);
    if (rc != 0) {
      throw new IllegalStateException(
          peer
              + ": child exited "
              + rc
              + ": "
              + String.join("\n", c.errors().stream().limit(40).toList()));
    }
  }

  private static String line(ChildJvm c, String prefix) {
    return c.output().stream()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
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

  @SuppressWarnings(
      "AnnotateFormatMethod") // a report helper; @FormatMethod would bring in a dependency for it
  static String fmt(String pattern, Object... args) {
    return String.format(Locale.ROOT, pattern, args);
  }
}
