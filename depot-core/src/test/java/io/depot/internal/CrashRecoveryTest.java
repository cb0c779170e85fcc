package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.CheckReport;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.StoreExtension;
import io.depot.StoreStats;
import io.depot.Track;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A process killed (SIGKILL) in each precise state a crash can leave: the others detect it (pid and start time),
 * recover what it held, and the store is consistent and whole again.
 */
class CrashRecoveryTest extends StoreExtension {

  private Depot store() {
    return newStore(DepotOptions.builder().capacity(8L << 20).maxObjects(1024).build());
  }

  /** Starts the scenario in a child, waits until it is in place, kills it. */
  private static void killIn(Depot d, String scenario) throws Exception {
    try (ChildJvm child = ChildJvm.start(CrashScenarioMain.class, d.name(), scenario)) {
      child.awaitLine("READY", 60, TimeUnit.SECONDS);
      child.kill();
    }
  }

  private static void assertWhole(Depot d, long expectedObjects) {
    CheckReport r = d.check();
    assertTrue(r.consistent(), r.toString());
    StoreStats s = d.stats();
    assertEquals(expectedObjects, s.objects(), s.toString());
    assertEquals(0, s.zombies(), s.toString());
    assertEquals(0, s.writing(), s.toString());
  }

  @Test
  void deadWritersClaimIsReclaimed() throws Exception {
    Depot d = store();
    long free = d.stats().freeBytes();
    killIn(d, "claim");
    assertEquals(1, d.stats().writing());
    CheckReport before = d.check();
    assertEquals(1, before.deadClients(), before.toString());
    assertEquals(1, d.recoverDeadClients());
    assertEquals(0, d.recoverDeadClients(), "recovering twice is harmless");
    assertWhole(d, 0);
    assertEquals(free, d.stats().freeBytes(), "the claim's block came back");
    d.put("half", new byte[1]); // the name is free again
  }

  @Test
  void deadReadersHandlesAreReleased() throws Exception {
    Depot d = store();
    d.put("obj", new byte[100_000]);
    killIn(d, "hold");
    d.remove("obj"); // a ZOMBIE held by two dead handles
    assertEquals(1, d.stats().zombies());
    d.recoverDeadClients();
    assertWhole(d, 0);
  }

  @Test
  void deadProducersEntryIsSkipped() throws Exception {
    Depot d = store();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      killIn(d, "entry"); // claims position 0 and dies
      q.tryPush(MemorySegment.ofArray(new long[] {42}));
      assertTrue(q.tryPop().isEmpty(), "the dead claim holds back position 1");
      // a waiting consumer notices the dead producer and skips its position
      try (Entry e = q.pop(Duration.ofSeconds(30))) {
        assertEquals(1, e.sequence());
      }
      d.recoverDeadClients();
      assertWhole(d, 1);
    }
  }

  @Test
  void deadProducersEntryIsSkippedByRecovery() throws Exception {
    Depot d = store();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      killIn(d, "entry");
      q.tryPush(MemorySegment.ofArray(new long[] {42}));
      d.recoverDeadClients();
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(1, e.sequence(), "recovery skipped position 0 without any waiter");
      }
      assertWhole(d, 1);
    }
  }

  @Test
  void deadConsumersPoppedEntryIsFreed() throws Exception {
    Depot d = store();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 64_000))) {
      q.tryPush(MemorySegment.ofArray(new byte[64_000]));
      q.tryPush(MemorySegment.ofArray(new byte[64_000]));
      killIn(d, "pop");
      assertEquals(1, d.stats().zombies(), "the popped entry is held by the dead consumer");
      d.recoverDeadClients();
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(1, e.sequence());
      }
      assertWhole(d, 1);
    }
  }

  @Test
  void classLockHeldByTheDeadIsBrokenAndItsAllocationUndone() throws Exception {
    Depot d = store();
    long free = d.stats().freeBytes();
    killIn(d, "class-lock");
    // the next allocation of that class waits, finds the holder dead, takes the lock over and repairs
    d.put("same-class", new byte[900]);
    assertTrue(Inspector.lockRepairs(d) >= 1);
    d.recoverDeadClients();
    assertWhole(d, 1);
    d.remove("same-class");
    assertEquals(free, d.stats().freeBytes(), "nothing leaked");
  }

  @Test
  void pageLockHeldByTheDeadIsBrokenAndItsExtentUndone() throws Exception {
    Depot d = store();
    long free = d.stats().freeBytes();
    killIn(d, "page-lock");
    d.put("big", new byte[1 << 20]); // an extent: needs the page lock
    assertTrue(Inspector.lockRepairs(d) >= 1);
    d.recoverDeadClients();
    assertWhole(d, 1);
    d.remove("big");
    assertEquals(free, d.stats().freeBytes(), "nothing leaked");
    assertEquals(0.0, d.stats().fragmentation());
  }

  @Test
  void bucketLockHeldByTheDeadIsBrokenAndTheChainRepaired() throws Exception {
    Depot d = store();
    d.put("obj", new byte[10]);
    killIn(d, "bucket-lock"); // died mid-removal: obj retired but still linked, sequence odd
    assertFalse(d.contains("obj"), "a reader is not blocked by the dead writer, and sees obj removed");
    d.recoverDeadClients();
    assertWhole(d, 0);
    d.put("obj", new byte[20]);
    assertEquals(20, d.getBytes("obj").length);
  }

  @Test
  void attachRecoversDeadClientsWhenTheTableIsFull() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(4L << 20).maxClients(2).build());
    killIn(d, "claim");
    // the table is full (this client and a dead one): attaching recovers the dead slot
    try (Depot other = Depot.open(d.name(), options)) {
      assertEquals(2, other.stats().clients());
    }
    assertWhole(d, 0);
  }

  @Test
  void everyScenarioTogether() throws Exception {
    Depot d = store();
    d.put("obj", new byte[1000]);
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      for (String s : List.of("claim", "hold", "pop", "entry")) {
        killIn(d, s);
      }
      assertEquals(4, d.recoverDeadClients());
      assertWhole(d, 2);
    }
  }
}
