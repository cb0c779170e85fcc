package io.depot.mp;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.StoreExtension;
import io.depot.Track;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Consumer processes killed with SIGKILL at random moments (inside pop, holding an entry, inside
 * its release) while a producer keeps the queue busy: delivery is at least once. No entry is lost,
 * none is delivered again once its release returned, and the entries a dead consumer held come back
 * to the next consumers.
 */
class KilledConsumerTest extends StoreExtension {
  @Test
  void noEntryIsLostWhenConsumersAreKilled() throws Exception {
    long seed = Long.getLong("kill.seed", System.nanoTime());
    int kills = Integer.getInteger("kill.count", 16);
    Random random = new Random(seed);
    Depot d = newStore(DepotOptions.builder().capacity(16L << 20).build());
    AtomicLong produced = new AtomicLong();
    Set<Long> released = new HashSet<>();
    Set<Long> got = new HashSet<>();
    long redelivered = 0;
    try (DepotQueue q = d.createQueue("q", 64, Track.bytes("id", 8))) {
      AtomicBoolean stop = new AtomicBoolean();
      Thread producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (long id = 0; !stop.get(); ) {
                      try {
                        q.push(Duration.ofMillis(100), MemorySegment.ofArray(new long[] {id}));
                        produced.set(++id);
                      } catch (DepotTimeoutException full) {
                        // no consumer right now: look at the stop flag, then try again
                      }
                    }
                  });
      try {
        for (int k = 0; k < kills; k++) {
          try (ChildJvm c = ChildJvm.start(KilledConsumerMain.class, d.name())) {
            c.awaitLine("READY", 60, TimeUnit.SECONDS);
            Thread.sleep(100 + random.nextInt(500));
            c.kill();
            for (String line : c.output()) {
              String[] f = line.split(" ");
              if (f.length != 2) {
                continue;
              }
              long id = Long.parseLong(f[1]);
              if (f[0].equals("GOT")) {
                assertFalse(
                    released.contains(id),
                    "entry " + id + " delivered again after its release (seed " + seed + ")");
                if (!got.add(id)) {
                  redelivered++;
                }
              } else if (f[0].equals("REL")) {
                assertTrue(released.add(id), "entry " + id + " released twice (seed " + seed + ")");
              }
            }
          }
        }
      } finally {
        stop.set(true);
        producer.join(60_000);
      }
      // the dead consumers' held entries are redelivered by the sweep; drain everything
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (d.stats().deadClients() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Set<Long> drained = new HashSet<>();
      for (Optional<Entry> e = q.tryPop(); e.isPresent(); e = q.tryPop()) {
        try (Entry entry = e.get()) {
          long id = entry.track(0).get(ValueLayout.JAVA_LONG, 0);
          assertFalse(
              released.contains(id),
              "entry " + id + " still in the queue after its release (seed " + seed + ")");
          assertTrue(drained.add(id));
        }
      }
      long lost = 0;
      for (long id = 0; id < produced.get(); id++) {
        // an entry got and not known released was consumed or delivered again: either is right
        if (!released.contains(id) && !drained.contains(id) && !got.contains(id)) {
          lost++;
        }
      }
      assertEquals(0, lost, "entries lost (seed " + seed + ")");
      System.out.printf(
          "killed consumers: seed=%d kills=%d produced=%d released=%d redelivered=%d drained=%d%n",
          seed, kills, produced.get(), released.size(), redelivered, drained.size());
      assertTrue(released.size() > 0, "the consumers did work");
    }
  }
}
