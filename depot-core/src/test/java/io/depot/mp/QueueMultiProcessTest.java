package io.depot.mp;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.StoreExtension;
import io.depot.Track;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Many producers and many consumers in separate JVMs on one queue: nothing lost, nothing
 * duplicated, FIFO.
 */
class QueueMultiProcessTest extends StoreExtension {

  @Test
  void mpmcAcrossProcesses() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(32L << 20).maxObjects(4096).build());
    int producers = 3;
    int consumers = 2;
    int perProducer = 2000;
    try (DepotQueue q = d.createQueue("q", 32, Track.bytes("id", 8), Track.bytes("payload", 256))) {
      List<ChildJvm> cs = new ArrayList<>();
      List<ChildJvm> ps = new ArrayList<>();
      try {
        for (int c = 0; c < consumers; c++) {
          cs.add(ChildJvm.start(QueueConsumerMain.class, d.name(), Integer.toString(producers)));
        }
        for (int p = 0; p < producers; p++) {
          ps.add(
              ChildJvm.start(
                  QueueProducerMain.class,
                  d.name(),
                  Integer.toString(p),
                  Integer.toString(perProducer)));
        }
        for (ChildJvm p : ps) {
          p.awaitSuccess(180, TimeUnit.SECONDS);
        }
        for (ChildJvm c : cs) {
          c.awaitSuccess(180, TimeUnit.SECONDS);
        }
        Set<String> all = new HashSet<>();
        int total = 0;
        for (ChildJvm c : cs) {
          for (String line : c.output()) {
            if (line.startsWith("GOT ")) {
              assertTrue(all.add(line), "duplicated: " + line);
              total++;
            }
          }
        }
        assertEquals(producers * perProducer, total, "every committed entry popped exactly once");
        for (int p = 0; p < producers; p++) {
          for (int i = 0; i < perProducer; i++) {
            assertTrue(all.contains("GOT " + p + " " + i), "lost: producer " + p + " entry " + i);
          }
        }
        assertEquals(0, q.size());
        assertEquals((long) producers * perProducer, q.tailSequence());
      } finally {
        cs.forEach(ChildJvm::close);
        ps.forEach(ChildJvm::close);
      }
    }
    assertEquals(1, d.stats().objects(), "only the queue object is left: every entry was freed");
    assertEquals(0, d.stats().zombies());
  }
}
