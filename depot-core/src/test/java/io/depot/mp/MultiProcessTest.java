package io.depot.mp;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.StoreExtension;
import io.depot.StoreStats;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real child JVMs sharing one store. */
class MultiProcessTest extends StoreExtension {

  @Test
  void writersAndReadersAtTheSameTime() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(256L << 20).maxObjects(8192).build());
    int writers = 2;
    int perWriter = 400;
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int w = 0; w < writers; w++) {
        // two readers per writer, started before the writer so they wait for objects as they are
        // committed
        children.add(
            ChildJvm.start(ReaderMain.class, d.name(), "w" + w + "-", Integer.toString(perWriter)));
        children.add(
            ChildJvm.start(ReaderMain.class, d.name(), "w" + w + "-", Integer.toString(perWriter)));
      }
      for (int w = 0; w < writers; w++) {
        children.add(
            ChildJvm.start(
                WriterMain.class,
                d.name(),
                "w" + w + "-",
                Integer.toString(perWriter),
                Integer.toString(w + 1)));
      }
      for (ChildJvm c : children) {
        c.awaitSuccess(180, TimeUnit.SECONDS);
      }
      for (int w = 0; w < writers; w++) {
        String a = children.get(2 * w).output().getLast();
        String b = children.get(2 * w + 1).output().getLast();
        assertTrue(a.startsWith("READ " + perWriter), a);
        assertEquals(a, b, "both readers of writer " + w + " saw the same checksums");
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertEquals((long) writers * perWriter, d.stats().objects());
    assertEquals(0, d.stats().clients() - 1, "children detached");
  }

  @Test
  void stressThreadsTimesProcessesLeaksNothing() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(64L << 20).maxObjects(4096).build());
    int processes = 2;
    int threads = 3;
    int ops = 15_000;
    int names = 200;
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int p = 0; p < processes; p++) {
        children.add(
            ChildJvm.start(
                StressMain.class,
                d.name(),
                Integer.toString(threads),
                Integer.toString(ops),
                Integer.toString(names),
                Integer.toString(100 + p)));
      }
      long[] local = StressMain.run(d, 2, ops, names, 7);
      assertTrue(local[1] > 0, "in-process threads verified some gets");
      System.out.println("local puts=" + local[0] + " gets=" + local[1] + " removes=" + local[2]);
      for (ChildJvm c : children) {
        c.awaitSuccess(300, TimeUnit.SECONDS);
        assertTrue(c.output().getLast().startsWith("STRESS"), c.output().toString());
        System.out.println(c.output().getLast());
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
    StoreStats mid = d.stats();
    assertEquals(0, mid.zombies(), "every handle was closed");
    assertEquals(0, mid.writing(), "no claim left behind");
    for (int i = 0; i < names; i++) {
      d.remove("s" + i);
    }
    StoreStats end = d.stats();
    assertEquals(0, end.objects());
    assertEquals(0, end.usedBlockBytes());
    assertEquals(end.arenaBytes(), end.freeBytes(), "no leaked bytes");
    assertEquals(0.0, end.fragmentation());
  }

  @Test
  void racingCreatorsOneWinsOthersAttach() throws Exception {
    String name = io.depot.TestStores.uniqueName("race");
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        children.add(ChildJvm.start(CreateOrOpenMain.class, name, "c" + i));
      }
      for (ChildJvm c : children) {
        c.awaitSuccess(60, TimeUnit.SECONDS);
      }
      try (Depot d = Depot.open(name)) {
        for (int i = 0; i < 3; i++) {
          assertEquals(
              "from c" + i, d.getString("c" + i), "every racer attached to the same store");
        }
      }
    } finally {
      children.forEach(ChildJvm::close);
      Depot.destroy(name, DepotOptions.defaults());
    }
  }
}
