package io.depot.cli;

import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.MutableNDArray;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.StoreStats;
import io.depot.Track;
import io.depot.WriteClaim;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.Workflow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code depot demo}: what Depot is for, in a few seconds. A producer JVM streams frames (a float32
 * observation array and a step number per entry) through a queue to several consumer JVMs, which
 * read them in place (zero copy) and check them; a large array is shared as a named object, read
 * zero-copy by every consumer; two workers exchange a plan and an answer through the short-term
 * memory. Half-way, one consumer is killed with SIGKILL: the entry it had popped but not released
 * is delivered again to another consumer, with no recovery call anywhere, and the demo checks that
 * every frame was consumed. A live line shows the throughput beside the memcpy of the same frames
 * in this run; a table sums up. Ctrl-C or SIGTERM stops every child and destroys the demo's stores.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Stream frames from a producer JVM to consumer JVMs through a queue, share an array and a plan, "
            + "kill a consumer half-way, and show that nothing was lost.")
final class DemoCommand implements Callable<Integer> {
  static final int SIDE = 256;
  static final int CAPACITY = 16;
  static final int WEIGHTS = 1 << 20;
  static final long FRAME_BYTES = (long) SIDE * SIDE * Float.BYTES;

  @Option(
      names = "--frames",
      description = "Frames to stream (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int frames;

  @Option(
      names = "--consumers",
      description = "Consumer processes, 2..8 (default: ${DEFAULT-VALUE}).",
      defaultValue = "3")
  int consumers;

  @Option(names = "--no-kill", description = "Do not kill a consumer half-way.")
  boolean noKill;

  @Option(
      names = "--dir",
      description = "Store directory (default: ${DEFAULT-VALUE}).",
      defaultValue = "/dev/shm")
  Path dir;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final List<Process> children = new ArrayList<>();
  private final BitSet released = new BitSet();
  private final AtomicLong releases = new AtomicLong();
  private final Map<Integer, AtomicLong> perConsumer = new ConcurrentHashMap<>();
  private final Map<String, String> facts = new ConcurrentHashMap<>();

  @Override
  public Integer call() throws Exception {
    if (frames < 1 || frames > 1_000_000) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--frames must be 1..1000000: " + frames);
    }
    if (consumers < 2 || consumers > 8) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--consumers must be 2..8: " + consumers);
    }
    String store = "depot-demo-" + ProcessHandle.current().pid();
    String stmUri = "shm:" + store + "-stm?dir=" + dir;
    DepotOptions options = DepotOptions.builder().directory(dir).capacity(64L << 20).build();
    Thread cleanup = new Thread(() -> stopAll(store, options), "depot-demo-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    boolean terminal = System.console() != null && System.console().isTerminal();
    System.out.printf(
        "[demo] store %s in %s (64 MiB): a queue of %d frames of %s (float32[%d, %d] + step), %d "
            + "consumer JVMs, one producer JVM%n",
        store, dir, CAPACITY, Sizes.format(FRAME_BYTES), SIDE, SIDE, consumers);
    double memcpy = memcpyGibs();
    try (Depot depot = Depot.create(store, options);
        DepotQueue q =
            depot.createQueue(
                "frames",
                CAPACITY,
                Track.array("obs", DType.FLOAT32, SIDE, SIDE),
                Track.array("step", DType.INT64, 1))) {
      try (WriteClaim w = depot.claimArray("weights", DType.FLOAT64, WEIGHTS)) {
        MemorySegment s = w.array().segment();
        for (long i = 0; i < WEIGHTS; i++) {
          s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, (i % 1000) / 1000.0);
        }
        w.commit();
      }
      System.out.printf(
          "[demo] shared array weights: float64[%d] (%s), written once in place%n",
          WEIGHTS, Sizes.format((long) WEIGHTS * 8));
      List<Thread> pumps = new ArrayList<>();
      for (int c = 1; c <= consumers; c++) {
        perConsumer.put(c, new AtomicLong());
        children.add(
            start(
                pumps,
                "consumer",
                store,
                Integer.toString(frames),
                Integer.toString(c),
                dir.toString(),
                stmUri));
      }
      Process producer =
          start(
              pumps,
              "producer",
              store,
              Integer.toString(frames),
              Integer.toString(consumers),
              dir.toString(),
              stmUri);
      children.add(producer);
      long t0 = 0;
      long killedAt = -1;
      Process victim = children.get(0);
      long lastPrint = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int lastQuarter = 0;
      while (cardinality() < frames && System.nanoTime() < deadline) {
        Thread.sleep(20);
        long tail = q.tailSequence();
        if (t0 == 0 && tail > 0) {
          t0 = System.nanoTime();
        }
        if (!noKill && killedAt < 0 && tail >= frames / 2) {
          victim.toHandle().destroyForcibly(); // SIGKILL
          killedAt = tail;
          System.out.printf(
              "%s[demo] killed consumer 1 (pid %d) with SIGKILL at frame %d; the others carry on%n",
              terminal ? "\r" : "", victim.pid(), tail);
        }
        long now = System.nanoTime();
        int done = cardinality();
        if (terminal && now - lastPrint > 100_000_000L) {
          lastPrint = now;
          System.out.printf(
              "\r[demo] %d/%d frames consumed, %.2f GiB/s (memcpy of the same frames here: %.1f "
                  + "GiB/s)   ",
              done, frames, rate(done, t0, now), memcpy);
        } else if (!terminal && done * 4L / frames > lastQuarter) {
          lastQuarter = (int) (done * 4L / frames);
          System.out.printf(
              "[demo] %d/%d frames consumed, %.2f GiB/s%n", done, frames, rate(done, t0, now));
        }
      }
      long t1 = System.nanoTime();
      if (terminal) {
        System.out.println();
      }
      int failed = 0;
      for (Process p : children) {
        if (p.equals(victim) && killedAt >= 0) {
          p.waitFor(10, TimeUnit.SECONDS);
          continue;
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          failed++;
        } else if (p.exitValue() != 0) {
          failed++;
        }
      }
      for (Thread t : pumps) {
        t.join(5_000);
      }
      String plan;
      String answer;
      try (ShortTermMemory stm = ShortTermMemory.open(stmUri)) {
        Workflow wf = stm.workflow("episode-1");
        plan = wf.get("plan", String.class);
        answer = wf.get("answer", String.class);
        wf.end();
      }
      int distinct = cardinality();
      StoreStats s = depot.stats();
      System.out.println("[demo] summary");
      System.out.printf(
          "  frames            %d x %s through a queue of %d, in place both ways%n",
          frames, Sizes.format(FRAME_BYTES), CAPACITY);
      System.out.printf(
          "  throughput        %.2f GiB/s; memcpy of the same frames in this run %.1f GiB/s (%.2fx)%n",
          rate(distinct, t0, t1), memcpy, rate(distinct, t0, t1) / memcpy);
      for (int c = 1; c <= consumers; c++) {
        System.out.printf(
            "  consumer %d        pid %d: %d frames%s%n",
            c,
            children.get(c - 1).pid(),
            perConsumer.get(c).get(),
            c == 1 && killedAt >= 0 ? ", killed by SIGKILL at frame " + killedAt : "");
      }
      System.out.printf(
          "  delivered again   %d (popped by the killed consumer, not released: recovered without a "
              + "call)%n",
          releases.get() - distinct);
      System.out.printf("  lost              %d of %d%n", frames - distinct, frames);
      System.out.printf(
          "  shared array      weights float64[%d]: %s%n",
          WEIGHTS, facts.getOrDefault("weights", "not read"));
      System.out.printf(
          "  short-term memory the producer's plan=\"%s\", a consumer's answer=\"%s\"%n",
          plan, answer);
      System.out.printf(
          "  store at the end  %d objects, %d zombies, %d dead processes, %s of %s free%n",
          s.objects(),
          s.zombies(),
          s.deadClients(),
          Sizes.format(s.freeBytes()),
          Sizes.format(s.arenaBytes()));
      if (failed > 0 || distinct != frames) {
        System.out.println(
            "[demo] FAILED: "
                + failed
                + " process(es) failed, "
                + (frames - distinct)
                + " frame(s) "
                + "lost");
        return 1;
      }
      return 0;
    } finally {
      stopAll(store, options);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running
      }
    }
  }

  private synchronized int cardinality() {
    return released.cardinality();
  }

  private static double rate(long frames, long t0, long t1) {
    return t0 == 0 || t1 <= t0 ? 0 : frames * FRAME_BYTES / ((t1 - t0) / 1e9) / (1L << 30);
  }

  /**
   * Copies the frames into a ring of {@value #CAPACITY} native buffers, as the queue holds them:
   * GiB/s.
   */
  private double memcpyGibs() {
    float[] src = new float[SIDE * SIDE];
    MemorySegment from = MemorySegment.ofArray(src);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ring = arena.allocate(FRAME_BYTES * CAPACITY, 64);
      int n = Math.max(frames, 2000);
      for (int i = 0; i < 2000; i++) { // warm-up
        MemorySegment.copy(from, 0, ring, (i % CAPACITY) * FRAME_BYTES, FRAME_BYTES);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        MemorySegment.copy(from, 0, ring, (i % CAPACITY) * FRAME_BYTES, FRAME_BYTES);
      }
      return rate(n, t0, System.nanoTime());
    }
  }

  /**
   * Kills the children that are still running and destroys the demo's stores (at the end, or on
   * Ctrl-C).
   */
  private synchronized void stopAll(String store, DepotOptions options) {
    for (Process p : children) {
      p.destroyForcibly();
    }
    Depot.destroy(store, options);
    Depot.destroy(store + "-stm", options);
    if (!facts.containsKey("destroyed")) {
      facts.put("destroyed", "yes");
      System.out.println("[demo] stores destroyed");
      System.out.flush();
    }
  }

  private Process start(List<Thread> pumps, String role, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-Xmx128m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(DepotCli.class.getName());
    cmd.add("demo-worker");
    cmd.add(role);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    int consumer = role.equals("consumer") ? Integer.parseInt(args[2]) : 0;
    pumps.add(
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (BufferedReader r =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                      if (line.startsWith("REL ")) {
                        int step = Integer.parseInt(line.substring(4));
                        synchronized (this) {
                          released.set(step);
                        }
                        releases.incrementAndGet();
                        perConsumer.get(consumer).incrementAndGet();
                      } else if (line.startsWith("WEIGHTS ")) {
                        facts.merge(
                            "weights", line.substring(8), (a, b) -> a.equals(b) ? a : a + "; " + b);
                      } else {
                        synchronized (System.out) {
                          System.out.println(line);
                        }
                      }
                    }
                  } catch (IOException ignored) {
                    // process ended
                  }
                }));
    return p;
  }

  /** The producer and consumer processes of the demo. */
  @Command(name = "demo-worker", hidden = true)
  static final class Worker implements Callable<Integer> {
    @Parameters(index = "0")
    String role;

    @Parameters(index = "1")
    String store;

    @Parameters(index = "2")
    int frames;

    @Parameters(index = "3")
    int number;

    @Parameters(index = "4")
    Path dir;

    @Parameters(index = "5")
    String stmUri;

    @Override
    public Integer call() throws Exception {
      DepotOptions options = DepotOptions.builder().directory(dir).build();
      try (Depot depot = Depot.open(store, options);
          DepotQueue q = depot.openQueue("frames");
          ShortTermMemory stm = ShortTermMemory.open(stmUri)) {
        if (role.equals("producer")) {
          produce(depot, q, stm, number);
        } else {
          consume(depot, q, stm, number);
        }
      }
      return 0;
    }

    private void produce(Depot depot, DepotQueue q, ShortTermMemory stm, int consumers) {
      String me = "[producer   pid " + ProcessHandle.current().pid() + "]";
      stm.workflow("episode-1").put("plan", "collect " + frames + " frames");
      System.out.println(
          me + " wrote the plan to the short-term memory; waiting for " + consumers + " consumers");
      for (int c = 1; c <= consumers; c++) {
        depot.get("ready/" + c, Duration.ofSeconds(60)).close(); // wakes on the commit of that name
        depot.remove("ready/" + c);
      }
      System.out.println(me + " streaming " + frames + " frames");
      long t0 = System.nanoTime();
      for (int i = 0; i < frames; i++) {
        try (EntryClaim c = q.createEntry(Duration.ofSeconds(30))) {
          MutableNDArray obs = c.array(0);
          MemorySegment s = obs.segment();
          s.fill((byte) 0);
          s.setAtIndex(ValueLayout.JAVA_FLOAT, 0, i);
          s.setAtIndex(ValueLayout.JAVA_FLOAT, (long) SIDE * SIDE - 1, -i);
          c.array(1).segment().set(ValueLayout.JAVA_LONG, 0, i);
          c.commit();
        }
      }
      for (int c = 0;
          c < consumers;
          c++) { // one end mark per consumer (a dead one leaves its mark unread)
        try (EntryClaim e = q.createEntry(Duration.ofSeconds(30))) {
          e.array(1).segment().set(ValueLayout.JAVA_LONG, 0, -1L);
          e.commit();
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("%s done: %d frames in %.2f s%n", me, frames, seconds);
    }

    private void consume(Depot depot, DepotQueue q, ShortTermMemory stm, int id)
        throws InterruptedException {
      String me = "[consumer %d pid %d]".formatted(id, ProcessHandle.current().pid());
      try (ObjectHandle h = depot.get("weights", Duration.ofSeconds(30))) {
        NDArray w = h.asArray();
        double sum = 0;
        for (long i = 0; i < w.size(); i++) {
          sum += w.segment().getAtIndex(ValueLayout.JAVA_DOUBLE, i);
        }
        System.out.println(
            "WEIGHTS read zero-copy by every consumer, sum " + String.format("%.1f", sum));
      }
      Workflow wf = stm.workflow("episode-1");
      String plan = null;
      for (long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          plan == null && System.nanoTime() < until; ) {
        plan = wf.get("plan", String.class);
        if (plan == null) {
          Thread.sleep(5);
        }
      }
      if (id == 2) {
        wf.put("answer", "consumer " + id + " will " + plan);
      }
      depot.put("ready/" + id, new byte[0]);
      long n = 0;
      for (; ; ) {
        try (Entry e = q.pop(Duration.ofSeconds(60))) {
          long step = e.array(1).segment().get(ValueLayout.JAVA_LONG, 0);
          if (step < 0) {
            break;
          }
          MemorySegment obs = e.array(0).segment();
          if (obs.getAtIndex(ValueLayout.JAVA_FLOAT, 0) != step
              || obs.getAtIndex(ValueLayout.JAVA_FLOAT, (long) SIDE * SIDE - 1) != -step) {
            throw new IllegalStateException("frame " + step + " is damaged");
          }
          // said before the release: a consumer killed in between has the frame delivered again
          // (counted twice,
          // never lost); said after, a frame released just before the kill would look lost
          System.out.println("REL " + step);
          n++;
        }
      }
      System.out.println(me + " done: " + n + " frames");
    }
  }
}
