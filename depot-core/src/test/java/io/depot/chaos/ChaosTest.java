package io.depot.chaos;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.CheckReport;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.StoreStats;
import io.depot.TestStores;
import io.depot.Track;
import io.depot.internal.Inspector;
import io.depot.mp.Payloads;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Chaos: rounds of worker JVMs running a mixed workload (put, in-place claims, remove, replace,
 * get, held handles, queue push, pop, readLatest) on one store, each killed with SIGKILL at a
 * random moment. Nobody calls a recovery method: after every round this process waits until the
 * dead workers are recovered by the recovery sweep (its own, with the default interval; it reports
 * the slowest), runs the invariant checker (it must pass), and verifies every object whose commit a
 * worker acknowledged. Queue entries are delivered at least once: an entry popped by a worker that
 * died before releasing it comes back, but none comes back after its release, and none is lost. At
 * the end everything is removed and no byte may be leaked.
 *
 * <p>Rounds: {@code -Dchaos.rounds=N} (default 12). The long run: {@code mvn -pl depot-core test
 * -Dtest=ChaosTest -Dchaos.rounds=1000}.
 */
class ChaosTest {
  private static List<String> workerJvm() {
    String trace = System.getProperty("depot.trace.dir");
    return trace == null
        ? List.of("-Xmx128m", "-XX:TieredStopAtLevel=1")
        : List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-Ddepot.trace.dir=" + trace);
  }

  /**
   * The documented bound for recovery by the sweep (one default interval), with slack for a loaded
   * machine.
   */
  private static final java.time.Duration RECOVERY_BOUND =
      DepotOptions.DEFAULT_RECOVERY_INTERVAL.multipliedBy(5);

  /**
   * A worker's seed: the round in the high bits, so that names and entry ids (which the worker
   * derives from it, see {@link ChaosWorkerMain}) never repeat across rounds, and 20 random bits.
   */
  static long workerSeed(int round, Random random) {
    return (long) round << 20 | random.nextInt(1 << 20);
  }

  @Test
  void killedWorkersNeverBreakTheStore() throws Exception {
    int rounds = Integer.getInteger("chaos.rounds", 12);
    int workers = Integer.getInteger("chaos.workers", 3);
    long seed = Long.getLong("chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    String name = TestStores.uniqueName("chaos");
    DepotOptions opts =
        DepotOptions.builder().capacity(48L << 20).maxObjects(16_384).maxClients(16).build();
    Set<String> acked = new HashSet<>();
    Set<String> uncertain = new HashSet<>();
    Set<String> pushed = new HashSet<>();
    Set<String> released = new HashSet<>();
    Set<String> releasing = new HashSet<>();
    long redelivered = 0;
    double slowestRecoveryMs = 0;
    long kills = 0;
    long verified = 0;
    long recovered = 0;
    try (Depot d = Depot.create(name, opts)) {
      DepotQueue q = d.createQueue("cq", 64, Track.bytes("p", 256));
      for (int round = 0; round < rounds; round++) {
        List<ChildJvm> ws = new ArrayList<>();
        try {
          for (int w = 0; w < workers; w++) {
            ws.add(
                Boolean.getBoolean("chaos.nokill")
                    ? ChildJvm.start(
                        workerJvm(),
                        ChaosWorkerMain.class,
                        name,
                        Integer.toString(w),
                        Long.toString(workerSeed(round, random)),
                        "1500")
                    : ChildJvm.start(
                        workerJvm(),
                        ChaosWorkerMain.class,
                        name,
                        Integer.toString(w),
                        Long.toString(workerSeed(round, random))));
          }
          for (ChildJvm w : ws) {
            w.awaitLine("READY", 60, TimeUnit.SECONDS);
          }
          // let them work, then kill each at its own random moment
          for (ChildJvm w : ws) {
            if (Boolean.getBoolean("chaos.nokill")) {
              w.awaitSuccess(60, TimeUnit.SECONDS);
              continue;
            }
            Thread.sleep(30 + random.nextInt(250));
            assertTrue(w.process().isAlive(), "worker died by itself: " + w.errors());
            w.kill();
            kills++;
          }
        } finally {
          ws.forEach(ChildJvm::close);
        }
        for (ChildJvm w : ws) {
          for (String line : w.output()) {
            int sp = line.indexOf(' ');
            if (sp < 0) {
              continue;
            }
            String what = line.substring(sp + 1);
            switch (line.substring(0, sp)) {
              case "ACK" -> acked.add(what);
              case "DEL", "REP" -> uncertain.add(what);
              case "PUSH" -> pushed.add(what);
              case "POP" -> {
                assertFalse(
                    released.contains(what),
                    "entry delivered again after its release: "
                        + what
                        + " (round "
                        + round
                        + ", seed "
                        + seed
                        + ")");
                if (!releasing.add(what)) {
                  redelivered++; // popped before by a worker that died holding it
                }
              }
              case "REL" ->
                  assertTrue(
                      released.add(what),
                      "entry released twice: "
                          + what
                          + " (round "
                          + round
                          + ", seed "
                          + seed
                          + ")");
              default -> {
                // RELEASING and others: informational
              }
            }
          }
        }
        long t0 = System.nanoTime();
        while (d.stats().deadClients() > 0) {
          assertTrue(
              System.nanoTime() - t0 < RECOVERY_BOUND.toNanos(),
              "round "
                  + round
                  + " (seed "
                  + seed
                  + "): dead workers not recovered within "
                  + RECOVERY_BOUND
                  + ": "
                  + d.stats());
          Thread.sleep(1);
        }
        slowestRecoveryMs = Math.max(slowestRecoveryMs, (System.nanoTime() - t0) / 1e6);
        recovered += workers;
        CheckReport report = d.check();
        assertTrue(report.consistent(), "round " + round + " (seed " + seed + "): " + report);
        assertEquals(0, report.deadClients());
        for (String n : acked) {
          if (uncertain.contains(n)) {
            continue;
          }
          Optional<ObjectHandle> h = d.tryGet(n);
          if (h.isEmpty()) {
            List<String> lines = new ArrayList<>();
            for (ChildJvm w : ws) {
              w.output().stream().filter(l -> l.endsWith(" " + n)).forEach(lines::add);
            }
            fail(
                "acknowledged object lost: "
                    + n
                    + " (round "
                    + round
                    + ", seed "
                    + seed
                    + "); descriptors: "
                    + Inspector.find(d, n)
                    + "; worker lines: "
                    + lines
                    + "; all lines of its worker in this round: "
                    + ws.get(Integer.parseInt(n.substring(1, n.indexOf('-')))).output());
          }
          try (ObjectHandle handle = h.get()) {
            Payloads.verify(handle.segment(), n);
            verified++;
          }
        }
      }
      // drain and remove everything; nothing may be left
      Set<String> drained = new HashSet<>();
      for (Optional<Entry> e = q.tryPop(); e.isPresent(); e = q.tryPop()) {
        try (Entry entry = e.get()) {
          Payloads.verify(entry.track(0), "entry");
          String id =
              Long.toHexString(
                  entry.track(0).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0));
          assertFalse(
              released.contains(id), "an entry released by a worker is still in the queue: " + id);
          assertTrue(drained.add(id), "drained twice: " + id);
        }
      }
      for (String id : pushed) {
        // a RELEASING entry without its REL line was released or not when its worker died: either
        // way is right
        assertTrue(
            released.contains(id) || drained.contains(id) || releasing.contains(id),
            "entry lost: " + id + " (seed " + seed + ")");
      }
      for (ObjectInfo o : d.list()) {
        if (!o.name().equals("cq")) {
          assertTrue(d.remove(o.name()));
        }
      }
      q.close();
      d.remove("cq");
      StoreStats end = d.stats();
      CheckReport last = d.check();
      assertTrue(last.consistent(), last.toString());
      assertEquals(0, end.objects(), end.toString());
      assertEquals(0, end.zombies(), end.toString());
      assertEquals(0, end.writing(), end.toString());
      assertEquals(end.arenaBytes(), end.freeBytes(), "no byte leaked: " + end);
      System.out.printf(
          "chaos: seed=%d rounds=%d kills=%d recovered=%d (slowest round %.0f ms) acknowledged=%d "
              + "verified=%d pushed=%d released=%d redelivered=%d drained=%d lock repairs=%d%n",
          seed,
          rounds,
          kills,
          recovered,
          slowestRecoveryMs,
          acked.size(),
          verified,
          pushed.size(),
          released.size(),
          redelivered,
          drained.size(),
          Inspector.lockRepairs(d));
    } finally {
      Depot.destroy(name, opts);
    }
  }
}
