package io.depot.bench.core;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.ObjectHandle;
import io.depot.Track;
import io.depot.bench.Stats;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Many waiters: one process runs {@value #WAITERS} threads blocked in {@code pop(timeout)} on one
 * queue and {@value #WAITERS} threads blocked in {@code get(name, timeout)} on names not yet
 * written; another process, once every round ({@value #PAUSE_MS} ms apart, so that the waiters have
 * gone to sleep on the futex), pushes {@value #WAITERS} entries and puts {@value #WAITERS} objects,
 * each stamped with {@link System#nanoTime()} (one monotonic clock for all processes of a Linux
 * machine). Each waiter records how long after its stamp it woke with its entry or object. Default
 * options.
 */
public final class Wake {
  public static final int WAITERS = 32;
  public static final int ROUNDS = 40;
  public static final int PAUSE_MS = 30;

  private Wake() {}

  public static DepotOptions options() {
    return DepotOptions.builder().capacity(64L << 20).build();
  }

  /** Returns two lines: the pop waiters' wake-up latency, then the get waiters'. */
  public static List<String> run(String store) throws Exception {
    DepotOptions opts = options();
    try (Depot d = Depot.create(store, opts)) {
      d.createQueue("wq", 2 * WAITERS, Track.bytes("t", 8)).close();
      try (ChildJvm waiters = ChildJvm.start(List.of("-Xmx256m"), Waiters.class, store)) {
        waiters.awaitLine("READY", 60, TimeUnit.SECONDS);
        try (ChildJvm producer = ChildJvm.start(List.of("-Xmx128m"), Producer.class, store)) {
          producer.awaitSuccess(300, TimeUnit.SECONDS);
        }
        waiters.awaitSuccess(300, TimeUnit.SECONDS);
        List<String> out = waiters.output();
        return List.of(line(out, "POP "), line(out, "GET "));
      }
    } finally {
      Depot.destroy(store, opts);
    }
  }

  private static String line(List<String> out, String prefix) {
    return out.stream()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .orElseThrow()
        .substring(prefix.length());
  }

  /** The waiting process. */
  public static final class Waiters {
    private Waiters() {}

    public static void main(String[] args) throws Exception {
      Duration timeout = Duration.ofSeconds(60);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue q = d.openQueue("wq")) {
        Stats pops = new Stats(WAITERS * ROUNDS);
        Stats gets = new Stats(WAITERS * ROUNDS);
        CountDownLatch done = new CountDownLatch(2 * WAITERS);
        for (int t = 0; t < WAITERS; t++) {
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int r = 0; r < ROUNDS; r++) {
                      try (Entry e = q.pop(timeout)) {
                        long late =
                            System.nanoTime() - e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        synchronized (pops) {
                          pops.add(late);
                        }
                      }
                    }
                    done.countDown();
                  });
          int id = t;
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int r = 0; r < ROUNDS; r++) {
                      try (ObjectHandle h = d.get("g-" + r + "-" + id, timeout)) {
                        long late =
                            System.nanoTime() - h.segment().get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                        synchronized (gets) {
                          gets.add(late);
                        }
                      }
                    }
                    done.countDown();
                  });
        }
        System.out.println("READY");
        System.out.flush();
        done.await();
        System.out.println(
            "POP " + pops.summary() + String.format(" max=%.3f", pops.percentileMicros(1.0)));
        System.out.println(
            "GET " + gets.summary() + String.format(" max=%.3f", gets.percentileMicros(1.0)));
      }
    }
  }

  /** The signalling process. */
  public static final class Producer {
    private Producer() {}

    public static void main(String[] args) throws Exception {
      Duration timeout = Duration.ofSeconds(60);
      MemorySegment stamp = MemorySegment.ofArray(new long[1]);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue q = d.openQueue("wq")) {
        Thread.sleep(500); // every waiter is asleep by then
        for (int r = 0; r < ROUNDS; r++) {
          for (int t = 0; t < WAITERS; t++) {
            stamp.set(ValueLayout.JAVA_LONG, 0, System.nanoTime());
            q.push(timeout, stamp);
          }
          for (int t = 0; t < WAITERS; t++) {
            d.put("g-" + r + "-" + t, MemorySegment.ofArray(new long[] {System.nanoTime()}));
          }
          Thread.sleep(PAUSE_MS);
          for (int t = 0; t < WAITERS; t++) {
            d.remove("g-" + r + "-" + t);
          }
        }
      }
    }
  }
}
