package io.depot.cli;

import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.MutableNDArray;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.StoreStats;
import io.depot.WriteClaim;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code depot demo}: one producer and two consumer JVMs share frames through a store. The producer writes each
 * 512x512 float32 frame in place (claim, fill, commit); each consumer reads it as a zero-copy view and acknowledges;
 * the producer removes a frame once both consumers are done, and its memory is reused for the next ones.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, description = "Run a producer and two consumer JVMs sharing frames through a store.")
final class DemoCommand implements Callable<Integer> {
  static final int SIDE = 512;

  @Option(names = "--frames", description = "Frames to share (default: ${DEFAULT-VALUE}).", defaultValue = "8")
  int frames;

  @Option(names = "--consumers", description = "Consumer processes (default: ${DEFAULT-VALUE}).", defaultValue = "2")
  int consumers;

  @Option(names = "--dir", description = "Store directory (default: ${DEFAULT-VALUE}).", defaultValue = "/dev/shm")
  Path dir;

  @Override
  public Integer call() throws Exception {
    String store = "depot-demo-" + ProcessHandle.current().pid();
    DepotOptions options = DepotOptions.builder().directory(dir).capacity(64L << 20).maxObjects(4096).build();
    System.out.println("[demo] creating store " + store + " in " + dir + " (64 MiB, reserved and pre-faulted)");
    try (Depot depot = Depot.create(store, options)) {
      List<Process> children = new ArrayList<>();
      List<Thread> pumps = new ArrayList<>();
      for (int c = 1; c <= consumers; c++) {
        children.add(start(pumps, "consumer", store, Integer.toString(frames), Integer.toString(c),
            dir.toString()));
      }
      children.add(start(pumps, "producer", store, Integer.toString(frames), Integer.toString(consumers),
          dir.toString()));
      int failed = 0;
      for (Process p : children) {
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          failed++;
        } else if (p.exitValue() != 0) {
          failed++;
        }
      }
      for (Thread t : pumps) {
        t.join(5_000);
      }
      StoreStats s = depot.stats();
      System.out.printf("[demo] done: %d processes, %d objects left (%s), %d zombies, %s of %s free%n",
          children.size() + 1, s.objects(), String.join(", ", depot.list().stream().map(i -> i.name()).sorted()
              .toList()), s.zombies(), Sizes.format(s.freeBytes()), Sizes.format(s.arenaBytes()));
      if (failed > 0) {
        System.out.println("[demo] " + failed + " process(es) failed");
        return 1;
      }
      return 0;
    } finally {
      Depot.destroy(store, options);
      System.out.println("[demo] store destroyed");
    }
  }

  private static Process start(List<Thread> pumps, String role, String... args) throws IOException {
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
    Thread pump = Thread.ofPlatform().daemon().start(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (System.out) {
            System.out.println(line);
          }
        }
      } catch (IOException ignored) {
        // process ended
      }
    });
    pumps.add(pump);
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

    @Override
    public Integer call() throws Exception {
      DepotOptions options = DepotOptions.builder().directory(dir).build();
      try (Depot depot = Depot.open(store, options)) {
        if (role.equals("producer")) {
          produce(depot, number);
        } else {
          consume(depot, number);
        }
      }
      return 0;
    }

    private void produce(Depot depot, int consumers) throws InterruptedException {
      String me = "[producer   pid " + ProcessHandle.current().pid() + "]";
      for (int i = 0; i < frames; i++) {
        long t0 = System.nanoTime();
        try (WriteClaim claim = depot.claimArray("frame/" + i, DType.FLOAT32, SIDE, SIDE)) {
          MutableNDArray a = claim.array();
          MemorySegment s = a.segment();
          for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
              s.setAtIndex(ValueLayout.JAVA_FLOAT, (long) y * SIDE + x, i + (x ^ y) / 512f);
            }
          }
          claim.commit();
        }
        depot.replace("status", "frame " + i + " ready");
        System.out.printf("%s wrote frame/%d: 512x512 float32 (1 MiB) in place, committed in %.0f us%n", me, i,
            (System.nanoTime() - t0) / 1e3);
        Thread.sleep(40);
        // remove the frames every consumer has acknowledged; their memory is reused by the next frames
        for (int j = 0; j <= i; j++) {
          removeIfAcked(depot, j, consumers, me);
        }
      }
      for (int j = 0; j < frames; j++) {
        while (depot.contains("frame/" + j) && !removeIfAcked(depot, j, consumers, me)) {
          Thread.sleep(10);
        }
      }
      depot.replace("status", "all " + frames + " frames done");
      System.out.println(me + " done; status = \"" + depot.getString("status") + "\"");
    }

    private static boolean removeIfAcked(Depot depot, int frame, int consumers, String me) {
      if (!depot.contains("frame/" + frame)) {
        return false;
      }
      for (int c = 1; c <= consumers; c++) {
        if (!depot.contains("ack/" + c + "/" + frame)) {
          return false;
        }
      }
      depot.remove("frame/" + frame);
      for (int c = 1; c <= consumers; c++) {
        depot.remove("ack/" + c + "/" + frame);
      }
      System.out.printf("%s removed frame/%d (every consumer acknowledged it)%n", me, frame);
      return true;
    }

    private void consume(Depot depot, int id) {
      String me = "[consumer %d pid %d]".formatted(id, ProcessHandle.current().pid());
      for (int i = 0; i < frames; i++) {
        long t0 = System.nanoTime();
        try (ObjectHandle h = depot.get("frame/" + i, Duration.ofSeconds(60))) {
          long got = System.nanoTime() - t0;
          NDArray a = h.asArray();
          MemorySegment s = a.segment();
          double sum = 0;
          for (long k = 0; k < a.size(); k++) {
            sum += s.getAtIndex(ValueLayout.JAVA_FLOAT, k);
          }
          System.out.printf("%s read  frame/%d: zero-copy view %s, mean=%.4f (handle after %.0f us wait)%n", me, i,
              a, sum / a.size(), got / 1e3);
        }
        depot.put("ack/" + id + "/" + i, new byte[0]);
      }
      System.out.println(me + " done");
    }
  }
}
