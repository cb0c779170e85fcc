package io.depot.bench.core;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.Track;
import io.depot.bench.Stats;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Ping-pong: one 64-byte entry bounces between two processes through two queues ({@code ping}: A to
 * B, {@code pong}: B to A), default options; A times each round trip. The baseline of the same run:
 * the same two processes bouncing a counter in one mapped long, both spinning (the floor of any
 * shared-memory round trip here).
 */
public final class PingPong {
  /** Untimed round trips first (the documented warm-up), then the timed ones. */
  public static final int WARM = 200_000;

  public static final int ROUNDS = 100_000;

  private PingPong() {}

  public static DepotOptions options() {
    return DepotOptions.builder().capacity(16L << 20).build();
  }

  /**
   * Runs both pairs of processes; returns two lines: Depot's round trip, then the mapped word's.
   */
  public static List<String> run(String store) throws Exception {
    DepotOptions opts = options();
    String depot;
    try (Depot d = Depot.create(store, opts);
        DepotQueue ping = d.createQueue("ping", 64, Track.bytes("v", 64));
        DepotQueue pong = d.createQueue("pong", 64, Track.bytes("v", 64))) {
      try (ChildJvm b = ChildJvm.start(List.of("-Xmx128m"), Pong.class, store);
          ChildJvm a = ChildJvm.start(List.of("-Xmx128m"), Ping.class, store)) {
        a.awaitSuccess(300, TimeUnit.SECONDS);
        b.awaitSuccess(300, TimeUnit.SECONDS);
        depot =
            a.output().stream().filter(l -> l.startsWith("PINGPONG ")).findFirst().orElseThrow();
      }
      assert ping.size() == 0 && pong.size() == 0;
    } finally {
      Depot.destroy(store, opts);
    }
    Path word = Path.of("/dev/shm", store + ".word");
    String mapped;
    try {
      Files.write(word, new byte[4096]);
      try (ChildJvm b = ChildJvm.start(List.of("-Xmx64m"), WordPong.class, word.toString());
          ChildJvm a = ChildJvm.start(List.of("-Xmx64m"), WordPing.class, word.toString())) {
        a.awaitSuccess(300, TimeUnit.SECONDS);
        b.awaitSuccess(300, TimeUnit.SECONDS);
        mapped =
            a.output().stream()
                .filter(l -> l.startsWith("WORDPINGPONG "))
                .findFirst()
                .orElseThrow();
      }
    } finally {
      Files.deleteIfExists(word);
    }
    return List.of(
        depot.substring("PINGPONG ".length()), mapped.substring("WORDPINGPONG ".length()));
  }

  /** Child A: pushes to {@code ping}, pops from {@code pong}, times the round trips. */
  public static final class Ping {
    private Ping() {}

    public static void main(String[] args) {
      MemorySegment value = MemorySegment.ofArray(new long[8]);
      Duration timeout = Duration.ofSeconds(30);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue ping = d.openQueue("ping");
          DepotQueue pong = d.openQueue("pong")) {
        Stats rtt = new Stats(ROUNDS);
        for (int i = 0; i < WARM + ROUNDS; i++) {
          value.set(ValueLayout.JAVA_LONG, 0, i);
          long t0 = System.nanoTime();
          ping.push(timeout, value);
          try (Entry e = pong.pop(timeout)) {
            if (e.track(0).get(ValueLayout.JAVA_LONG, 0) != i) {
              throw new AssertionError(
                  "round " + i + " came back as " + e.track(0).get(ValueLayout.JAVA_LONG, 0));
            }
          }
          if (i >= WARM) {
            rtt.add(System.nanoTime() - t0);
          }
        }
        System.out.println("PINGPONG " + rtt.summary());
      }
    }
  }

  /** Child B: pops from {@code ping}, pushes the same value to {@code pong}. */
  public static final class Pong {
    private Pong() {}

    public static void main(String[] args) {
      MemorySegment value = MemorySegment.ofArray(new long[8]);
      Duration timeout = Duration.ofSeconds(30);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue ping = d.openQueue("ping");
          DepotQueue pong = d.openQueue("pong")) {
        for (int i = 0; i < WARM + ROUNDS; i++) {
          try (Entry e = ping.pop(timeout)) {
            MemorySegment.copy(e.track(0), 0, value, 0, 64);
          }
          pong.push(timeout, value);
        }
      }
    }
  }

  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle();

  private static MemorySegment map(String file, Arena arena) throws Exception {
    try (FileChannel ch =
        FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096, arena);
    }
  }

  /** Baseline child A: sets the word to 2i+1 and spins until it reads 2i+2. */
  public static final class WordPing {
    private WordPing() {}

    public static void main(String[] args) throws Exception {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment w = map(args[0], arena);
        Stats rtt = new Stats(ROUNDS);
        for (long i = 0; i < WARM + ROUNDS; i++) {
          long t0 = System.nanoTime();
          LONG.setRelease(w, 0L, 2 * i + 1);
          while ((long) LONG.getAcquire(w, 0L) != 2 * i + 2) {
            Thread.onSpinWait();
          }
          if (i >= WARM) {
            rtt.add(System.nanoTime() - t0);
          }
        }
        System.out.println("WORDPINGPONG " + rtt.summary());
      }
    }
  }

  /** Baseline child B: waits for each odd value and answers with the next even one. */
  public static final class WordPong {
    private WordPong() {}

    public static void main(String[] args) throws Exception {
      try (Arena arena = Arena.ofConfined()) {
        MemorySegment w = map(args[0], arena);
        for (long i = 0; i < WARM + ROUNDS; i++) {
          while ((long) LONG.getAcquire(w, 0L) != 2 * i + 1) {
            Thread.onSpinWait();
          }
          LONG.setRelease(w, 0L, 2 * i + 2);
        }
      }
    }
  }
}
