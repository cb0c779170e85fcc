package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.CheckReport;
import io.depot.ClientInfo;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.Prefault;
import io.depot.StoreExtension;
import io.depot.StoreStats;
import io.depot.Track;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A process killed (SIGKILL) in each precise state a crash can leave; nobody calls a recovery
 * method. Whoever runs into the dead process's state recovers it (a claim of its name, a full
 * store, a queue position, a lock, a full client table), and what nobody runs into is recovered by
 * the sweep of any attached process within the documented bound ({@link
 * DepotOptions#DEFAULT_RECOVERY_INTERVAL} plus the recovery itself). Each test prints how long the
 * blocked operation (or the memory) took to come back: {@code recovery: <scenario> <ms> ms}.
 */
class CrashRecoveryTest extends StoreExtension {
  /**
   * The documented bound for recovery without contact, with the default interval, plus slack for a
   * loaded CI.
   */
  private static final Duration SWEEP_BOUND =
      DepotOptions.DEFAULT_RECOVERY_INTERVAL.multipliedBy(3);

  /** Recovery on contact is immediate; where it runs on the recovery thread, milliseconds later. */
  private static final Duration CONTACT_BOUND = Duration.ofSeconds(5);

  /** A store whose creator (this test) never sweeps: only contact can recover. */
  private Depot contactOnly() {
    return newStore(
        DepotOptions.builder()
            .capacity(8L << 20)
            .maxObjects(1024)
            .recoveryInterval(Duration.ZERO)
            .build());
  }

  /** A store with the default recovery options. */
  private Depot defaults() {
    return newStore(DepotOptions.builder().capacity(8L << 20).maxObjects(1024).build());
  }

  /** Starts the scenario in a child, waits until it is in place, kills it; returns its output. */
  private static List<String> killIn(Depot d, String... scenario) throws Exception {
    String[] args = new String[scenario.length + 1];
    args[0] = d.name();
    System.arraycopy(scenario, 0, args, 1, scenario.length);
    try (ChildJvm child = ChildJvm.start(CrashScenarioMain.class, args)) {
      child.awaitLine("READY", 60, TimeUnit.SECONDS);
      child.kill();
      return child.output();
    }
  }

  /**
   * Waits until {@code done}; fails after {@code bound}; prints and returns the time it took, in
   * ms.
   */
  private static double await(String scenario, Duration bound, BooleanSupplier done)
      throws InterruptedException {
    long t0 = System.nanoTime();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() - t0 > bound.toNanos()) {
        fail(scenario + ": not recovered within " + bound);
      }
      Thread.sleep(1);
    }
    return report(scenario, t0);
  }

  private static double report(String scenario, long t0) {
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("recovery: %s %.1f ms%n", scenario, ms);
    return ms;
  }

  private static void assertWhole(Depot d, long expectedObjects) {
    CheckReport r = d.check();
    assertTrue(r.consistent(), r.toString());
    StoreStats s = d.stats();
    assertEquals(expectedObjects, s.objects(), s.toString());
    assertEquals(0, s.zombies(), s.toString());
    assertEquals(0, s.writing(), s.toString());
    assertEquals(0, s.deadClients(), s.toString());
  }

  // ------------------------------------------------------------------ recovery on contact

  @Test
  void nameHeldByADeadWriterIsRecoveredByTheNextPut() throws Exception {
    Depot d = contactOnly();
    long free = d.stats().freeBytes();
    killIn(d, "claim", "w", "1000");
    StoreStats s = d.stats();
    assertEquals(1, s.deadClients(), "the dead writer is counted apart: " + s);
    assertEquals(1, s.clients(), s.toString());
    ClientInfo dead = d.clients().stream().filter(c -> !c.alive()).findFirst().orElseThrow();
    assertEquals(1, dead.claims(), dead.toString());
    long t0 = System.nanoTime();
    d.put(
        "w",
        new byte[10]); // the claim of the name meets the dead writer's WRITE block and recovers it
    report("put of a name a dead writer held", t0);
    assertWhole(d, 1);
    d.remove("w");
    assertEquals(free, d.stats().freeBytes(), "the dead claim's block came back");
  }

  @Test
  void fullStoreRecoversTheDeadClaimsThatFillIt() throws Exception {
    Depot d = contactOnly();
    killIn(d, "claim", "big", Long.toString(7L << 20)); // most of the 8 MiB arena
    long t0 = System.nanoTime();
    d.put("next", new byte[4 << 20]); // does not fit until the dead claim is given back
    report("put into a store filled by a dead writer's claim", t0);
    assertWhole(d, 1);
  }

  @Test
  void fullDirectoryRecoversTheDeadClaimsThatFillIt() throws Exception {
    Depot d =
        newStore(
            DepotOptions.builder()
                .capacity(8L << 20)
                .maxObjects(64)
                .recoveryInterval(Duration.ZERO)
                .build());
    killIn(d, "claims", "c", "64", "100");
    long t0 = System.nanoTime();
    d.put("next", new byte[100]);
    report("put into a directory filled by a dead writer's claims", t0);
    assertWhole(d, 1);
  }

  @Test
  void deadProducerIsSkippedForAConsumerBlockedInPop() throws Exception {
    Depot d = contactOnly();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      try (ChildJvm child = ChildJvm.start(CrashScenarioMain.class, d.name(), "entry")) {
        child.awaitLine("READY", 60, TimeUnit.SECONDS); // claims position 0 and holds it
        q.tryPush(MemorySegment.ofArray(new long[] {42}));
        CompletableFuture<Long> popped =
            CompletableFuture.supplyAsync(
                () -> {
                  try (Entry e = q.pop(Duration.ofSeconds(30))) {
                    return e.sequence();
                  }
                });
        Thread.sleep(100);
        assertFalse(
            popped.isDone(), "position 0, claimed and not committed, holds the consumer back");
        child.kill();
        long t0 = System.nanoTime();
        assertEquals(1, popped.get(30, TimeUnit.SECONDS));
        report("pop blocked behind a dead producer's claim", t0);
      }
      assertWhole(d, 1);
    }
  }

  @Test
  void deadProducerIsSkippedByTryPop() throws Exception {
    Depot d = contactOnly();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      killIn(d, "entry");
      q.tryPush(MemorySegment.ofArray(new long[] {42}));
      long t0 = System.nanoTime();
      await(
          "tryPop behind a dead producer's claim",
          Duration.ofSeconds(5),
          () -> {
            try (Entry e = q.tryPop().orElse(null)) {
              return e != null && e.sequence() == 1;
            }
          });
      assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
      assertWhole(d, 1);
    }
  }

  @Test
  void classLockHeldByTheDeadIsBrokenAndItsAllocationUndone() throws Exception {
    Depot d = contactOnly();
    long free = d.stats().freeBytes();
    killIn(d, "class-lock");
    long t0 = System.nanoTime();
    // the next allocation of that class waits, finds the holder dead, takes the lock over and
    // repairs
    d.put("same-class", new byte[900]);
    report("put behind a class lock held by a dead process", t0);
    assertTrue(Inspector.lockRepairs(d) >= 1);
    d.remove("same-class");
    // the lock taker had the rest of what the dead process left recovered on the recovery thread
    await(
        "dead lock holder's slot, after the lock takeover",
        CONTACT_BOUND,
        () -> d.stats().deadClients() == 0);
    assertWhole(d, 0);
    assertEquals(free, d.stats().freeBytes(), "nothing leaked");
  }

  @Test
  void pageLockHeldByTheDeadIsBrokenAndItsExtentUndone() throws Exception {
    Depot d = contactOnly();
    long free = d.stats().freeBytes();
    killIn(d, "page-lock");
    long t0 = System.nanoTime();
    d.put("big", new byte[1 << 20]); // an extent: needs the page lock
    report("put behind the page lock held by a dead process", t0);
    assertTrue(Inspector.lockRepairs(d) >= 1);
    d.remove("big");
    // the lock taker had the rest of what the dead process left recovered on the recovery thread
    await(
        "dead page lock holder's slot, after the lock takeover",
        CONTACT_BOUND,
        () -> d.stats().deadClients() == 0);
    assertWhole(d, 0);
    assertEquals(free, d.stats().freeBytes(), "nothing leaked");
    assertEquals(0.0, d.stats().fragmentation());
  }

  @Test
  void bucketLockHeldByTheDeadIsBrokenAndTheChainRepaired() throws Exception {
    Depot d = contactOnly();
    d.put("obj", new byte[10]);
    killIn(d, "bucket-lock"); // died mid-removal: obj retired but still linked, sequence odd
    long t0 = System.nanoTime();
    assertFalse(
        d.contains("obj"), "a reader is not blocked by the dead writer, and sees obj removed");
    d.put("obj", new byte[20]);
    report("put into a bucket locked by a dead process", t0);
    assertEquals(20, d.getBytes("obj").length);
    // the lock taker had the rest of what the dead process left recovered on the recovery thread
    await(
        "dead bucket lock holder's slot, after the lock takeover",
        CONTACT_BOUND,
        () -> d.stats().deadClients() == 0);
    assertWhole(d, 1);
  }

  // ------------------------------------------------------------------ the client table

  @Test
  void fullTableWithADeadClientInSlotZeroAdoptsIt() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(4L << 20).maxClients(4).build());
    d.close(); // nobody attached: the children take slots 0..3
    try (ChildJvm first = ChildJvm.start(CrashScenarioMain.class, d.name(), "attach", "1");
        ChildJvm rest = startAttached(d.name(), first, 3)) {
      first.kill(); // slot 0 is dead, slots 1..3 alive: the table is full
      assertTrue(rest.process().isAlive());
      long t0 = System.nanoTime();
      try (Depot other = Depot.open(d.name(), options)) {
        report("attach to a full table with a dead slot 0", t0);
        assertEquals(4, other.stats().clients(), other.stats().toString());
        assertEquals(0, other.stats().deadClients());
        assertEquals(
            0,
            other.clients().stream().filter(ClientInfo::self).findFirst().orElseThrow().slot(),
            "the dead slot 0 was adopted");
        assertTrue(other.check().consistent(), other.check().toString());
      }
    }
  }

  private static ChildJvm startAttached(String store, ChildJvm after, int count) throws Exception {
    after.awaitLine("READY", 60, TimeUnit.SECONDS);
    ChildJvm c = ChildJvm.start(CrashScenarioMain.class, store, "attach", Integer.toString(count));
    c.awaitLine("READY", 60, TimeUnit.SECONDS);
    return c;
  }

  @Test
  void fullTableOfDeadClientsWithAQueueIsAdopted() throws Exception {
    DepotOptions opts = DepotOptions.builder().capacity(4L << 20).maxClients(3).build();
    Depot d = newStore(opts);
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
    }
    d.close();
    killIn(d, "attach", "3"); // all three slots, dead
    long t0 = System.nanoTime();
    try (Depot other = Depot.open(d.name(), opts);
        DepotQueue q = other.openQueue("q")) {
      report("attach to a full table of dead clients, a queue in the store", t0);
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(1, e.track(0).get(ValueLayout.JAVA_LONG, 0));
      }
      await(
          "the other dead slots, by the sweep",
          SWEEP_BOUND,
          () -> other.stats().deadClients() == 0);
      assertTrue(other.check().consistent(), other.check().toString());
    }
  }

  // ------------------------------------------------------------------ recovery without contact

  @Test
  void deadReadersHandlesAreReleasedByTheSweep() throws Exception {
    Depot d = defaults();
    long free = d.stats().freeBytes();
    for (int i = 0; i < 100; i++) {
      d.put("o" + i, new byte[20_000]);
    }
    killIn(d, "hold-all", "o", "100");
    for (int i = 0; i < 100; i++) {
      assertTrue(d.remove("o" + i)); // ZOMBIEs: held by the dead reader's handles
    }
    long t0 = System.nanoTime();
    await(
        "memory of 100 objects held by a dead reader, by the sweep",
        SWEEP_BOUND,
        () -> d.stats().freeBytes() == free);
    await("the dead reader's slot", SWEEP_BOUND, () -> d.stats().deadClients() == 0);
    assertTrue(System.nanoTime() - t0 < SWEEP_BOUND.toNanos());
    assertWhole(d, 0);
  }

  @Test
  void deadWritersHugeClaimComesBack() throws Exception {
    Depot d =
        newStore(DepotOptions.builder().capacity(1100L << 20).prefault(Prefault.NONE).build());
    long free = d.stats().freeBytes();
    killIn(d, "claim-array", "weights", Long.toString(1L << 27)); // 1 GiB of float64
    assertTrue(d.stats().freeBytes() < free - (1L << 30) + (1 << 20), d.stats().toString());
    await(
        "a dead writer's claim of a 1 GiB array, by the sweep",
        SWEEP_BOUND,
        () -> d.stats().freeBytes() == free);
    await("the dead writer's slot", SWEEP_BOUND, () -> d.stats().deadClients() == 0);
    assertWhole(d, 0);
  }

  @Test
  void deadConsumersPoppedEntryIsDeliveredAgain() throws Exception {
    Depot d = defaults();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 64_000))) {
      q.tryPush(MemorySegment.ofArray(new byte[64_000]));
      CompletableFuture<Long> popped;
      try (ChildJvm child = ChildJvm.start(CrashScenarioMain.class, d.name(), "pop")) {
        assertEquals("POPPED 0", child.awaitLine("POPPED", 60, TimeUnit.SECONDS));
        child.awaitLine("READY", 60, TimeUnit.SECONDS);
        assertTrue(q.tryPop().isEmpty(), "the only entry is held by the consumer");
        popped =
            CompletableFuture.supplyAsync(
                () -> {
                  try (Entry e = q.pop(Duration.ofSeconds(30))) {
                    return e.sequence();
                  }
                });
        child.kill();
      }
      long t0 = System.nanoTime();
      assertEquals(
          0, popped.get(30, TimeUnit.SECONDS), "the dead consumer's entry is delivered again");
      report("pop of the entry a dead consumer held", t0);
      assertWhole(d, 1);
    }
  }

  @Test
  void deadReaderOfAnEntryDoesNotHoldItsSlotForever() throws Exception {
    Depot d = contactOnly();
    try (DepotQueue q = d.createQueue("q", 2, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      q.tryPush(MemorySegment.ofArray(new long[] {2}));
      killIn(d, "read"); // held entry 0 in place
      q.tryPop().orElseThrow().close(); // consumed; its slot waits for the (dead) reader
      q.tryPop().orElseThrow().close();
      assertEquals(2, q.tryPush(MemorySegment.ofArray(new long[] {3})));
      long t0 = System.nanoTime();
      // position 3 needs slot 0: a producer blocked by it sweeps the store (contention), finds the
      // reader dead
      assertEquals(3, q.push(Duration.ofSeconds(10), MemorySegment.ofArray(new long[] {4})));
      report("push blocked by the slot a dead reader held", t0);
      q.tryPop().orElseThrow().close();
      q.tryPop().orElseThrow().close();
      assertWhole(d, 1);
    }
  }

  @Test
  void everyScenarioTogether() throws Exception {
    Depot d = defaults();
    long free = d.stats().freeBytes();
    d.put("obj", new byte[1000]);
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      q.tryPush(MemorySegment.ofArray(new long[] {2}));
      List<String[]> scenarios =
          List.of(
              new String[] {"claim", "half", "500000"},
              new String[] {"hold", "obj", "2"},
              new String[] {"pop"},
              new String[] {"entry"});
      for (String[] s : scenarios) {
        killIn(d, s);
      }
      await(
          "four dead clients at once, by the sweep",
          SWEEP_BOUND,
          () -> d.stats().deadClients() == 0);
      List<Long> values = new ArrayList<>();
      for (var next = q.tryPop(); next.isPresent(); next = q.tryPop()) {
        try (Entry e = next.get()) {
          values.add(e.track(0).get(ValueLayout.JAVA_LONG, 0));
        }
      }
      assertEquals(
          List.of(1L, 2L),
          values.stream().sorted().toList(),
          "the popped entry came back, nothing lost");
      assertWhole(d, 2);
    }
    d.remove("obj");
    d.remove("q");
    assertEquals(free, d.stats().freeBytes(), "nothing leaked");
  }
}
