package io.depot.bench;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.bench.core.W1;
import io.depot.bench.core.W2;
import io.depot.bench.core.W3;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The multi-process workload harness: each workload's writer and reader run as separate JVMs on one
 * store; this process creates the store, runs them, and prints a table with the memcpy baseline of
 * the same run.
 *
 * <p>Usage: {@code java -jar depot-bench/target/benchmarks.jar [w1] [w2] [w3] [w4] [storage]
 * [redis] [attach] [pingpong] [wake]} (default: w1 w2 w3 pingpong), or {@code peers [--quick |
 * --smoke]} (Depot side by side with Redis, LMDB, Chronicle Map and Queue, agrona rings and in-JVM
 * baselines: {@link io.depot.bench.peers.PeersBench}). {@code w4} (short-term memory, shared memory
 * vs Redis) and {@code storage} (storage providers) print their own tables; {@code attach} starts
 * 72 processes attaching at once to a 2 GiB store (about a minute per mode); {@code wake} times how
 * late 32 + 32 sleeping waiters wake ({@link io.depot.bench.core.Wake}); {@code redis} runs W1 and
 * W3-small on shared memory and on a local redis-server side by side ({@link
 * io.depot.bench.redis.RedisWorkloads}; sizes {@code -Dbench.redis.w1=5000
 * -Dbench.redis.w3=20000}).
 */
public final class Harness {
  private Harness() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0
        && args[0].equals("peers")) { // the peers workloads take options of their own
      io.depot.bench.peers.PeersBench.main(java.util.Arrays.copyOfRange(args, 1, args.length));
      return;
    }
    List<String> which = args.length == 0 ? List.of("w1", "w2", "w3", "pingpong") : List.of(args);
    System.out.printf(
        "machine: %d cores, %s %s, java %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"),
        System.getProperty("os.arch"),
        Runtime.version());
    List<String> table = new ArrayList<>();
    double smallCopy = Memcpy.smallCopyNanos(W1.SIZE, 200_000);
    table.add(String.format("memcpy 1 KiB (median, ns)            %8.1f", smallCopy));
    for (String w : which) {
      switch (w) {
        case "w1" -> w1(table);
        case "w2" -> w2(table);
        case "w3" -> w3(table);
        case "w4" -> io.depot.bench.stm.W4.main(new String[0]);
        case "storage" -> io.depot.bench.storage.StorageBench.main(new String[0]);
        case "redis" ->
            table.addAll(
                io.depot.bench.redis.RedisWorkloads.run(
                    Integer.getInteger("bench.redis.w1", 5_000),
                    Integer.getInteger("bench.redis.w3", 20_000)));
        case "attach" -> attach(table);
        case "pingpong" -> {
          List<String> lines = io.depot.bench.core.PingPong.run(store("pingpong"));
          table.add("ping-pong 64 B, 2 queues, RTT (µs)  " + lines.get(0));
          table.add("baseline: mapped word, spinning (µs) " + lines.get(1));
        }
        case "wake" -> {
          List<String> lines = io.depot.bench.core.Wake.run(store("wake"));
          table.add("wake 32 pop waiters, 1 of 2 procs (µs) " + lines.get(0));
          table.add("wake 32 get waiters, same run (µs)     " + lines.get(1));
        }
        default ->
            throw new IllegalArgumentException(
                "unknown workload "
                    + w
                    + " (known: w1 w2 w3 w4 storage redis attach pingpong wake)");
      }
    }
    System.out.println();
    System.out.println("workload                              result");
    table.forEach(System.out::println);
  }

  private static String store(String w) {
    return "bench-" + w + "-" + ProcessHandle.current().pid();
  }

  private static void attach(List<String> table) throws Exception {
    for (io.depot.Prefault mode : List.of(io.depot.Prefault.AUTO, io.depot.Prefault.NONE)) {
      table.add(
          "attach 72 processes at once, 2 GiB   "
              + io.depot.bench.core.Attach.run(store("attach"), 72, mode));
    }
    // the former default: every process pre-faults its whole mapping before open returns (8
    // processes: 72 take many
    // minutes on 2 cores)
    table.add(
        "attach 8 processes at once, 2 GiB    "
            + io.depot.bench.core.Attach.run(store("attach"), 8, io.depot.Prefault.EAGER));
  }

  private static void w1(List<String> table) throws Exception {
    String name = store("w1");
    DepotOptions opts = W1.options();
    try (Depot d = Depot.create(name, opts)) {
      String put;
      try (ChildJvm writer = ChildJvm.start(List.of("-Xmx512m"), W1.Writer.class, name)) {
        writer.awaitSuccess(300, TimeUnit.SECONDS);
        put = writer.output().getLast();
      }
      String get;
      String getVerify;
      String getClose;
      try (ChildJvm reader = ChildJvm.start(List.of("-Xmx512m"), W1.Reader.class, name)) {
        reader.awaitSuccess(300, TimeUnit.SECONDS);
        get = line(reader, "W1GET ");
        getVerify = line(reader, "W1GETVERIFY ");
        getClose = line(reader, "W1GETCLOSE ");
      }
      if (d.stats().objects() < W1.COUNT) {
        throw new AssertionError("W1 objects missing: " + d.stats());
      }
      table.add(String.format("W1 put 1 KiB, writer process (µs/op)  %s", put.substring(6)));
      table.add(String.format("W1 get, reader process (µs/op)        %s", get.substring(6)));
      table.add(String.format("W1 get+verify+close (µs/op)           %s", getVerify.substring(12)));
      table.add(String.format("W1 get+close, warm (µs/op)            %s", getClose.substring(11)));
    } finally {
      Depot.destroy(name, opts);
    }
  }

  private static void w2(List<String> table) throws Exception {
    String name = store("w2");
    DepotOptions opts = W2.options();
    long c0 = System.nanoTime();
    try (Depot d = Depot.create(name, opts)) {
      double createSeconds = (System.nanoTime() - c0) / 1e9;
      // the writer attaches with the default options (pre-faulted in the background), then, for
      // comparison, with
      // an eager pre-fault (tuned: open returns once the whole mapping is pre-faulted)
      String put = null;
      for (String mode : List.of("AUTO", "EAGER")) {
        try (ChildJvm writer = ChildJvm.start(List.of("-Xmx1400m"), W2.Writer.class, name, mode)) {
          writer.awaitSuccess(300, TimeUnit.SECONDS);
          put = writer.output().getLast();
        }
        table.add(String.format("W2 put 512 MiB, writer prefault=%-6s %s", mode, put.substring(6)));
      }
      table.add(String.format("W2 create 516 MiB store, prefaulted (s) %.3f", createSeconds));
      for (String mode : List.of("AUTO", "EAGER")) {
        try (ChildJvm reader = ChildJvm.start(List.of("-Xmx256m"), W2.Reader.class, name, mode)) {
          reader.awaitSuccess(300, TimeUnit.SECONDS);
          table.add(
              String.format(
                  "W2 get to usable view, prefault=%-6s %s",
                  mode, line(reader, "W2GET ").substring(6)));
          String sum = line(reader, "W2SUM ");
          table.add(
              String.format("W2 sum 64 Mi doubles, prefault=%-6s %s", mode, sum.substring(6)));
          // the bulk sum on touched pages over the writer's memcpy of the same run (target >= 0.5)
          table.add(
              String.format(
                  "W2 sum (NDArray.sum, warm) / memcpy, prefault=%-6s %.3f",
                  mode, Stats.field(sum, "warm_gibs") / Stats.field(put, "memcpy")));
        }
      }
      assert d.contains("w2");
    } finally {
      Depot.destroy(name, opts);
    }
  }

  private static void w3(List<String> table) throws Exception {
    bigEntries(table, 1L << 20, 16, W3.ENTRIES, W3.WARM);
    bigEntries(table, 1L << 18, 8, 2_000, 400);
    smallEntries(table, 1, 2_000_000);
    smallEntries(table, 2, 2_000_000);
  }

  /**
   * One producer and one consumer process move {@code entries} float64 arrays of {@code elements}
   * through a queue.
   */
  private static void bigEntries(
      List<String> table, long elements, int capacity, int entries, int warm) throws Exception {
    long entryBytes = elements * 8;
    // the same data movement as the producer: copies into a ring of capacity such buffers, and into
    // 2 buffers
    // (cache-warm: the most favourable memcpy of the run)
    double memcpy = Memcpy.heapToRingGiBs(entryBytes, capacity, entries);
    double memcpyWarm = Memcpy.heapToRingGiBs(entryBytes, 2, entries);
    String name = store("w3");
    DepotOptions opts = W3.options();
    try (Depot d = Depot.create(name, opts);
        var warmSmall =
            d.createQueue(
                "warm-small",
                16,
                io.depot.Track.array("x", io.depot.DType.FLOAT64, W3.WARM_SMALL_ELEMENTS));
        var q =
            d.createQueue(
                "w3", capacity, io.depot.Track.array("x", io.depot.DType.FLOAT64, elements))) {
      String producer;
      String consumer;
      try (ChildJvm c =
              ChildJvm.start(
                  List.of("-Xmx256m"),
                  W3.Consumer.class,
                  name,
                  "w3",
                  Integer.toString(entries),
                  Integer.toString(warm));
          ChildJvm p =
              ChildJvm.start(
                  List.of("-Xmx256m"),
                  W3.Producer.class,
                  name,
                  "w3",
                  Long.toString(elements),
                  Integer.toString(entries),
                  Integer.toString(warm))) {
        p.awaitSuccess(300, TimeUnit.SECONDS);
        c.awaitSuccess(300, TimeUnit.SECONDS);
        producer = line(p, "W3PRODUCER ");
        consumer = line(c, "W3CONSUMER ");
      }
      double seconds = (Stats.field(consumer, "end") - Stats.field(producer, "start")) / 1e9;
      double gibs = entries * (double) entryBytes / seconds / (1L << 30);
      // the same copies into the store's own shared memory (4 KiB pages): the most the producer can
      // reach there
      double memcpyShm;
      try (io.depot.WriteClaim ring = d.claim("memcpy-baseline", capacity * entryBytes)) {
        memcpyShm = Memcpy.heapToSegmentRingGiBs(entryBytes, ring.segment(), entries);
      }
      double best = Math.max(memcpy, Math.max(memcpyWarm, memcpyShm));
      table.add(
          String.format(
              "W3 %d x %d MiB entries, 1P->1C, cap %d  seconds=%.3f entries/s=%.0f gibs=%.3f "
                  + "memcpy=%.3f ratio=%.3f memcpy_warm=%.3f memcpy_shm=%.3f ratio_to_best=%.3f (producer per entry: claim %d "
                  + "us, copy %d us, commit %d us)",
              entries,
              entryBytes >> 20,
              capacity,
              seconds,
              entries / seconds,
              gibs,
              memcpy,
              gibs / memcpy,
              memcpyWarm,
              memcpyShm,
              gibs / best,
              (long) Stats.field(producer, "claim_us"),
              (long) Stats.field(producer, "copy_us"),
              (long) Stats.field(producer, "commit_us")));
      assert warmSmall.size() == 0 && q.size() == 0;
    } finally {
      Depot.destroy(name, opts);
    }
  }

  /** Untimed entries each small producer pushes first (the documented warm-up). */
  private static final int SMALL_WARM = 1_000_000;

  private static void smallEntries(List<String> table, int pairs, int total) throws Exception {
    String name = store("w3s" + pairs);
    DepotOptions opts = W3.options();
    try (Depot d = Depot.create(name, opts);
        var q = d.createQueue("small", 1024, io.depot.Track.bytes("v", W3.SMALL))) {
      List<ChildJvm> cs = new ArrayList<>();
      List<ChildJvm> ps = new ArrayList<>();
      try {
        for (int i = 0; i < pairs; i++) {
          cs.add(
              ChildJvm.start(
                  List.of("-Xmx128m"),
                  W3.SmallConsumer.class,
                  name,
                  "small",
                  Integer.toString(total + pairs * SMALL_WARM),
                  Integer.toString(pairs)));
        }
        for (int i = 0; i < pairs; i++) {
          ps.add(
              ChildJvm.start(
                  List.of("-Xmx128m"),
                  W3.SmallProducer.class,
                  name,
                  "small",
                  Integer.toString(i),
                  Integer.toString(total / pairs),
                  Integer.toString(SMALL_WARM)));
        }
        double start = Double.MAX_VALUE;
        double end = 0;
        long count = 0;
        for (ChildJvm p : ps) {
          p.awaitSuccess(300, TimeUnit.SECONDS);
          start = Math.min(start, Stats.field(line(p, "SMALLPRODUCER "), "start"));
        }
        for (ChildJvm c : cs) {
          c.awaitSuccess(300, TimeUnit.SECONDS);
          String l = line(c, "SMALLCONSUMER ");
          end = Math.max(end, Stats.field(l, "end"));
          count += (long) Stats.field(l, "count");
        }
        if (count != total + (long) pairs * SMALL_WARM) {
          throw new AssertionError(
              "small entries: popped " + count + " of " + (total + pairs * SMALL_WARM));
        }
        double seconds = (end - start) / 1e9;
        table.add(
            String.format(
                "W3 64 B entries, %dP->%dC, cap 1024     entries/s=%.0f (%d entries in %.3f s)",
                pairs, pairs, total / seconds, total, seconds));
      } finally {
        cs.forEach(ChildJvm::close);
        ps.forEach(ChildJvm::close);
      }
      assert q.size() == 0;
    } finally {
      Depot.destroy(name, opts);
    }
  }

  private static String line(ChildJvm c, String prefix) {
    return c.output().stream()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + prefix + " in " + c.output()));
  }
}
