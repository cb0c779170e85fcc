package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * {@link Depot#close()} while other threads of the process are in the middle of claims, commits,
 * pops and releases: whatever the close catches unfinished is given back (claims aborted, popped
 * entries delivered again), so the store is consistent afterwards with no recovery call, every name
 * that was not committed is free, and no entry is lost.
 */
class CloseRaceTest extends StoreExtension {
  private static final int THREADS = 16;

  @Test
  void closeRacingClaimsLeavesNothingBehind() throws Exception {
    long seed = Long.getLong("close.seed", System.nanoTime());
    Random random = new Random(seed);
    Depot d = newStore(TestStores.small().capacity(32L << 20).maxObjects(8192).build());
    long free = d.stats().freeBytes();
    try (DepotQueue q = d.createQueue("q", 256, Track.bytes("id", 8))) {
      Set<Long> pushed = ConcurrentHashMap.newKeySet();
      Set<Long> taken =
          ConcurrentHashMap.newKeySet(); // popped by a worker (consumed, or delivered again)
      Set<Long> consumed =
          ConcurrentHashMap.newKeySet(); // released by a worker before its store closed
      for (int round = 0; round < 5; round++) {
        Depot other = attach(d);
        DepotQueue oq = other.openQueue("q");
        Set<String> committed = ConcurrentHashMap.newKeySet();
        CountDownLatch started = new CountDownLatch(THREADS);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          long threadSeed = random.nextLong();
          int id = round * THREADS + t;
          threads.add(
              Thread.ofPlatform()
                  .start(
                      () ->
                          work(
                              other,
                              oq,
                              id,
                              threadSeed,
                              started,
                              committed,
                              pushed,
                              taken,
                              consumed)));
        }
        started.await();
        Thread.sleep(20 + random.nextInt(150));
        other.close(); // threads are inside claims, commits, pops, releases
        for (Thread t : threads) {
          t.join(30_000);
          assertFalse(t.isAlive(), "a worker thread did not stop after close (seed " + seed + ")");
        }
        CheckReport report = d.check();
        assertTrue(report.consistent(), "round " + round + " (seed " + seed + "): " + report);
        StoreStats s = d.stats();
        assertEquals(
            0, s.writing(), "claims left in WRITE (round " + round + ", seed " + seed + "): " + s);
        assertEquals(0, s.deadClients(), s.toString());
        for (ObjectInfo o : d.list("r" + round + "/")) {
          assertTrue(
              committed.contains(o.name()),
              "an object that was never committed is visible: " + o.name());
          assertTrue(d.remove(o.name())); // make room for the next round
        }
        // every name the round used is free again unless committed
        for (int t = 0; t < THREADS; t++) {
          String n = "r" + round + "/t" + t + "/probe";
          d.put(n, new byte[1]);
        }
      }
      // drain: no entry consumed by a worker comes out again; every other pushed entry does (popped
      // and not
      // released before the close included), except those whose release raced the close (either way
      // is right)
      Set<Long> drained = new HashSet<>();
      for (Optional<Entry> e = q.tryPop(); e.isPresent(); e = q.tryPop()) {
        try (Entry entry = e.get()) {
          long id = entry.track(0).get(ValueLayout.JAVA_LONG, 0);
          assertFalse(
              consumed.contains(id),
              "entry delivered after it was consumed: " + id + " (seed " + seed + ")");
          assertTrue(drained.add(id), "entry drained twice: " + id);
        }
      }
      Set<Long> lost = new HashSet<>(pushed);
      lost.removeAll(consumed);
      lost.removeAll(drained);
      Set<Long> raced = new HashSet<>(lost);
      raced.retainAll(
          taken); // released by a worker just as its store closed: consumed or not, both are right
      assertTrue(
          raced.size() <= THREADS * 5,
          "more releases raced a close than there were threads: " + raced);
      lost.removeAll(taken);
      assertEquals(Set.of(), lost, "entries lost (seed " + seed + ")");
    }
    for (ObjectInfo o : d.list()) {
      d.remove(o.name());
    }
    assertEquals(free, d.stats().freeBytes(), "nothing leaked (seed " + seed + ")");
  }

  private static void work(
      Depot d,
      DepotQueue q,
      int id,
      long seed,
      CountDownLatch started,
      Set<String> committed,
      Set<Long> pushed,
      Set<Long> taken,
      Set<Long> consumed) {
    SplittableRandom r = new SplittableRandom(seed);
    started.countDown();
    try {
      for (long n = 0; ; n++) {
        String name = "r" + (id / THREADS) + "/t" + (id % THREADS) + "/" + n;
        switch (r.nextInt(6)) {
          case 0 -> {
            try (WriteClaim c = d.claim(name, 1 + r.nextInt(20_000))) {
              c.segment().fill((byte) 1);
              c.commit();
              committed.add(name);
            }
          }
          case 1 -> {
            try (WriteClaim c = d.claim(name, 1 + r.nextInt(1000))) {
              c.segment().fill((byte) 2); // closed without commit: aborted
            }
          }
          case 2 -> {
            d.put(name, new byte[1 + r.nextInt(5000)]);
            committed.add(name);
            d.remove(name);
            committed.remove(name);
          }
          case 3 -> {
            long value = (long) id << 40 | n;
            Optional<EntryClaim> c = q.tryCreateEntry();
            if (c.isPresent()) {
              try (EntryClaim claim = c.get()) {
                claim.track(0).set(ValueLayout.JAVA_LONG, 0, value);
                claim.commit();
                pushed.add(value);
              }
            }
          }
          default -> {
            Optional<Entry> e = q.tryPop();
            if (e.isPresent()) {
              long value = e.get().track(0).get(ValueLayout.JAVA_LONG, 0);
              taken.add(value);
              e.get().close(); // consumes it, unless the store's close came first (then it is
              // delivered again)
              d.contains(
                  "-"); // succeeds only if the store was still open after the release: consumed for
              // sure
              consumed.add(value);
            }
          }
        }
      }
    } catch (StoreClosedException | HandleClosedException expected) {
      // the store was closed under this thread: stop
    } catch (StoreFullException | DirectoryFullException full) {
      // under load; the round ends soon
    }
  }
}
