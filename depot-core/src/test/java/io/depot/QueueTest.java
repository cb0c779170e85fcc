package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queue API: push, pop, read, readLatest, batch, in-place entries, deletes, waiting and bad
 * input.
 */
class QueueTest extends StoreExtension {
  private static final Track OBS = Track.array("obs", DType.FLOAT32, 4, 4);
  private static final Track ACTION = Track.array("action", DType.INT64, 2);
  private static final Track REWARD = Track.bytes("reward", 8);

  private DepotQueue queue(Depot d, int capacity) {
    return d.createQueue("q", capacity, OBS, ACTION, REWARD);
  }

  private static MemorySegment[] values(long step) {
    float[] obs = new float[16];
    obs[0] = step;
    return new MemorySegment[] {
      MemorySegment.ofArray(obs),
      MemorySegment.ofArray(new long[] {step, -step}),
      MemorySegment.ofArray(new long[] {step * 10})
    };
  }

  private static long step(Entry e) {
    return e.track("reward").get(ValueLayout.JAVA_LONG_UNALIGNED, 0) / 10;
  }

  @Test
  void pushPopInOrderWithTracks() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 8)) {
      assertEquals(8, q.capacity());
      assertEquals(List.of(OBS, ACTION, REWARD), q.tracks());
      assertEquals(1, q.trackIndex("action"));
      for (int i = 0; i < 5; i++) {
        assertEquals(i, q.tryPush(values(i)));
      }
      assertEquals(5, q.size());
      for (int i = 0; i < 5; i++) {
        try (Entry e = q.tryPop().orElseThrow()) {
          assertEquals(i, e.sequence());
          assertEquals(i, step(e));
          assertEquals(3, e.trackCount());
          NDArray obs = e.array("obs");
          assertArrayEquals(new long[] {4, 4}, obs.shape());
          assertEquals((float) i, obs.getFloat(0));
          assertEquals(-i, e.array(1).getLong(1));
          assertTrue(e.track(0).isReadOnly());
        }
      }
      assertTrue(q.tryPop().isEmpty(), "empty is a status, not an exception");
      assertEquals(0, q.size());
    }
  }

  @Test
  void fullIsAStatusAndPopMakesRoom() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 3)) {
      for (int i = 0; i < 3; i++) {
        q.tryPush(values(i));
      }
      assertEquals(DepotQueue.FULL, q.tryPush(values(9)));
      assertTrue(q.tryCreateEntry().isEmpty());
      DepotTimeoutException e =
          assertThrows(DepotTimeoutException.class, () -> q.push(Duration.ofMillis(30), values(9)));
      assertTrue(e.getMessage().contains("queue=q"), e.getMessage());
      q.tryPop().orElseThrow().close();
      assertEquals(3, q.tryPush(values(3)));
      // wrap around the ring many times
      for (int i = 4; i < 100; i++) {
        try (Entry x = q.tryPop().orElseThrow()) {
          assertEquals(i - 3, x.sequence());
        }
        assertEquals(i, q.tryPush(values(i)));
      }
    }
  }

  @Test
  void arraysPushAndShapeChecks() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("arrays", 4, Track.array("x", DType.FLOAT64, 3))) {
      q.tryPush(NDArray.of(new double[] {1, 2, 3}));
      try (Entry e = q.tryPop().orElseThrow()) {
        assertArrayEquals(new double[] {1, 2, 3}, e.array("x").toDoubleArray());
      }
      TypeMismatchException shape =
          assertThrows(
              TypeMismatchException.class, () -> q.tryPush(NDArray.of(new double[] {1, 2})));
      assertTrue(shape.getMessage().contains("x: float64[3]"), shape.getMessage());
      assertThrows(TypeMismatchException.class, () -> q.tryPush(NDArray.of(new float[] {1, 2, 3})));
      InvalidArgumentException count =
          assertThrows(
              InvalidArgumentException.class,
              () ->
                  q.tryPush(
                      MemorySegment.ofArray(new double[3]), MemorySegment.ofArray(new double[3])));
      assertTrue(count.getMessage().contains("values=2"), count.getMessage());
      InvalidArgumentException big =
          assertThrows(
              InvalidArgumentException.class,
              () -> q.tryPush(MemorySegment.ofArray(new double[4])));
      assertTrue(
          big.getMessage().contains("size=32") && big.getMessage().contains("track=x"),
          big.getMessage());
      assertEquals(0, q.size(), "bad input changed nothing");
    }
  }

  @Test
  void readAndReadLatestKeepEntries() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 8)) {
      assertTrue(q.readLatest().isEmpty());
      for (int i = 0; i < 4; i++) {
        q.tryPush(values(i));
      }
      try (Entry e = q.read(2)) {
        assertEquals(2, step(e));
      }
      try (Entry latest = q.readLatest().orElseThrow()) {
        assertEquals(3, latest.sequence());
      }
      List<Entry> batch = q.batchRead(0, 1, 3);
      assertEquals(List.of(0L, 1L, 3L), batch.stream().map(Entry::sequence).toList());
      DepotQueue.release(batch);
      assertFalse(batch.getFirst().isOpen());
      assertEquals(4, q.size(), "reads leave entries in the queue");
      EntryNotFoundException e = assertThrows(EntryNotFoundException.class, () -> q.read(17));
      assertTrue(
          e.getMessage().contains("sequence=17") && e.getMessage().contains("not claimed yet"),
          e.getMessage());
      assertThrows(EntryNotFoundException.class, () -> q.read(-1));
      assertThrows(EntryNotFoundException.class, () -> q.batchRead(0, 99));
      q.tryPop().orElseThrow().close();
      EntryNotFoundException popped = assertThrows(EntryNotFoundException.class, () -> q.read(0));
      assertTrue(popped.getMessage().contains("already popped"), popped.getMessage());
    }
  }

  @Test
  void inPlaceEntriesAreInvisibleUntilCommitted() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 4);
        DepotQueue other = attach(d).openQueue("q")) {
      EntryClaim c = q.tryCreateEntry().orElseThrow();
      assertEquals(0, c.sequence());
      c.array("obs").setFloat(0, 42f);
      c.array("action").setLong(1, 7);
      c.track("reward").set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 70);
      assertTrue(other.tryPop().isEmpty(), "uncommitted entries are invisible");
      assertThrows(EntryNotFoundException.class, () -> other.read(0));
      c.commit();
      assertThrows(HandleClosedException.class, c::commit, "committing twice");
      assertThrows(HandleClosedException.class, () -> c.track(0));
      try (Entry e = other.read(0)) {
        assertEquals(42f, e.array("obs").getFloat(0));
        assertEquals(7, e.array("action").getLong(1));
      }
      // aborting skips the position
      try (EntryClaim aborted = q.createEntry(Duration.ofSeconds(1))) {
        assertEquals(1, aborted.sequence());
      }
      q.tryPush(values(5));
      assertEquals(0, other.tryPop().orElseThrow().sequence());
      try (Entry next = other.tryPop().orElseThrow()) {
        assertEquals(2, next.sequence(), "the aborted position 1 was skipped");
      }
    }
  }

  @Test
  void uncommittedClaimHoldsBackLaterEntries() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 4)) {
      EntryClaim first = q.tryCreateEntry().orElseThrow();
      q.tryPush(values(1));
      assertTrue(q.tryPop().isEmpty(), "entry 1 waits behind claim 0 (FIFO by claim)");
      first.track("reward").set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0);
      first.commit();
      assertEquals(0, q.tryPop().orElseThrow().sequence());
      assertEquals(1, q.tryPop().orElseThrow().sequence());
    }
  }

  @Test
  void deleteEntryAndPoppedEntriesStayReadable() {
    Depot d = newStore();
    try (DepotQueue q = queue(d, 4)) {
      for (int i = 0; i < 4; i++) {
        q.tryPush(values(i));
      }
      Entry held = q.read(1);
      assertTrue(q.deleteEntry(1));
      assertFalse(q.deleteEntry(1), "deleting twice");
      assertThrows(EntryNotFoundException.class, () -> q.read(1));
      assertEquals(1, step(held), "a deleted entry stays readable through open handles");
      q.tryPop().orElseThrow().close();
      Entry popped = q.tryPop().orElseThrow();
      assertEquals(2, popped.sequence(), "deleted position 1 is skipped");
      assertEquals(2, step(popped));
      popped.close();
      assertEquals(4, q.tryPush(values(4)), "position 4 reuses the slot of released position 0");
      assertEquals(
          DepotQueue.FULL,
          q.tryPush(values(5)),
          "position 5 waits for the reader of deleted position 1");
      assertEquals(1, step(held), "its bytes are still the deleted entry's");
      held.close();
      held.close();
      assertEquals(5, q.tryPush(values(5)), "the reader let go: the slot is free");
      for (int i = 0; i < 3; i++) {
        q.tryPop().orElseThrow().close(); // 3, 4, 5
      }
      assertThrows(HandleClosedException.class, () -> popped.track(0), "releasing then reading");
      assertEquals(6, q.tryPush(values(6)));
      Entry reader = q.read(6);
      assertTrue(q.forceDeleteEntry(6));
      assertTrue(q.tryPop().isEmpty());
      reader.close(); // after a force delete: harmless
      q.tryPush(values(7));
      assertTrue(q.forcePop());
      assertFalse(q.forcePop());
      for (int i = 8; i < 12; i++) {
        assertEquals(i, q.tryPush(values(i)), "every slot is free again");
      }
    }
  }

  @Test
  void queueRemovalFreesEntriesWhenLastUserCloses() {
    Depot d = newStore();
    long free = d.stats().freeBytes();
    DepotQueue q = queue(d, 8);
    for (int i = 0; i < 6; i++) {
      q.tryPush(values(i));
    }
    Entry reader = q.read(2);
    assertTrue(d.remove("q"));
    assertThrows(ObjectNotFoundException.class, () -> d.openQueue("q"));
    q.tryPush(values(6)); // still usable by whoever has it open
    q.close();
    assertEquals(2, step(reader), "entry handles outlive the queue");
    reader.close();
    StoreStats s = d.stats();
    assertEquals(0, s.objects());
    assertEquals(0, s.zombies());
    assertEquals(free, s.freeBytes(), "all entry and queue memory came back");
  }

  @Test
  void putObjectsAndQueuesMix() {
    Depot d = newStore();
    d.put("plain", "value");
    try (DepotQueue q = queue(d, 2)) {
      q.tryPush(values(1));
      assertEquals("value", d.getString("plain"));
      assertEquals(
          List.of("plain", "q"), d.list().stream().map(ObjectInfo::name).sorted().toList());
      assertEquals(ValueKind.QUEUE, d.list("q").getFirst().kind());
      TypeMismatchException notQueue =
          assertThrows(TypeMismatchException.class, () -> d.openQueue("plain"));
      assertTrue(notQueue.getMessage().contains("name=plain"), notQueue.getMessage());
      assertThrows(ObjectExistsException.class, () -> d.createQueue("plain", 2, REWARD));
    }
  }

  @Test
  void badDefinitions() {
    Depot d = newStore();
    assertThrows(InvalidArgumentException.class, () -> d.createQueue("x", 0, REWARD));
    assertThrows(InvalidArgumentException.class, () -> d.createQueue("x", 4));
    InvalidArgumentException dup =
        assertThrows(
            InvalidArgumentException.class,
            () -> d.createQueue("x", 4, Track.bytes("a", 1), Track.bytes("a", 2)));
    assertTrue(dup.getMessage().contains("track=a"), dup.getMessage());
    assertThrows(InvalidNameException.class, () -> Track.bytes("n".repeat(64), 1));
    assertThrows(InvalidArgumentException.class, () -> Track.bytes("neg", -1));
    assertThrows(InvalidArgumentException.class, () -> Track.array("neg", DType.INT8, -1));
    try (DepotQueue q = queue(d, 2)) {
      assertThrows(InvalidNameException.class, () -> q.trackIndex("nope"));
      q.tryPush(values(0));
      try (Entry e = q.tryPop().orElseThrow()) {
        assertThrows(IndexOutOfBoundsException.class, () -> e.track(3));
        assertThrows(TypeMismatchException.class, () -> e.array("reward"));
      }
    }
    DepotQueue closed = d.openQueue("q");
    closed.close();
    assertThrows(HandleClosedException.class, closed::tryPop);
  }

  /**
   * Whether the consumer sleeps on the futex at once (0), after the default spin, or spins through
   * the wait.
   */
  @ParameterizedTest
  @ValueSource(longs = {0, DepotOptions.DEFAULT_QUEUE_SPIN_NANOS, 400_000_000})
  void blockingPopIsWokenByAProducer(long spinNanos) throws Exception {
    Depot d = newStore(TestStores.small().queueSpinNanos(spinNanos).build());
    try (DepotQueue q = queue(d, 4);
        DepotQueue producerSide = attach(d).openQueue("q")) {
      Thread producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      Thread.sleep(150);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    producerSide.tryPush(values(77));
                  });
      long t0 = System.nanoTime();
      try (Entry e = q.pop(Duration.ofSeconds(20))) {
        assertEquals(77, step(e));
      }
      assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
      producer.join();
      DepotTimeoutException timeout =
          assertThrows(DepotTimeoutException.class, () -> q.pop(Duration.ofMillis(20)));
      assertTrue(timeout.getMessage().contains("timeout=PT0.02S"), timeout.getMessage());
    }
  }

  @Test
  void threadsMpmcEveryEntryExactlyOnce() throws Exception {
    Depot d = newStore();
    int producers = 3;
    int perProducer = 3000;
    try (DepotQueue q = d.createQueue("mpmc", 16, Track.bytes("id", 8))) {
      ConcurrentLinkedQueue<Long> seen = new ConcurrentLinkedQueue<>();
      AtomicInteger done = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        long base = (long) p << 32;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      for (int i = 0; i < perProducer; i++) {
                        q.push(
                            Duration.ofSeconds(30), MemorySegment.ofArray(new long[] {base | i}));
                      }
                      done.incrementAndGet();
                    }));
      }
      for (int c = 0; c < 2; c++) {
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      long[] last = new long[producers];
                      java.util.Arrays.fill(last, -1);
                      while (true) {
                        Optional<Entry> e = q.tryPop();
                        if (e.isEmpty()) {
                          if (done.get() == producers && q.size() == 0) {
                            return;
                          }
                          Thread.onSpinWait();
                          continue;
                        }
                        try (Entry entry = e.get()) {
                          long v = entry.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
                          int p = (int) (v >>> 32);
                          long i = v & 0xFFFF_FFFFL;
                          assertTrue(i > last[p], "per-producer order as seen by one consumer");
                          last[p] = i;
                          seen.add(v);
                        }
                      }
                    }));
      }
      for (Thread t : threads) {
        t.join(60_000);
      }
      assertEquals(producers * perProducer, seen.size(), "nothing lost");
      assertEquals(
          (long) producers * perProducer, seen.stream().distinct().count(), "nothing duplicated");
    }
    assertEquals(0, d.stats().zombies());
  }

  // ------------------------------------------------------------------ at-least-once delivery

  @Test
  void aPoppedEntryHoldsItsSlotUntilReleased() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 2, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      q.tryPush(MemorySegment.ofArray(new long[] {2}));
      Entry first = q.tryPop().orElseThrow();
      Entry second = q.tryPop().orElseThrow();
      assertEquals(0, q.size(), "both popped");
      assertEquals(
          DepotQueue.FULL,
          q.tryPush(MemorySegment.ofArray(new long[] {3})),
          "popped entries keep their slots until released");
      first.close(); // consumed: its slot is free again
      assertEquals(2, q.tryPush(MemorySegment.ofArray(new long[] {3})));
      second.close();
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(3, e.track(0).get(ValueLayout.JAVA_LONG, 0));
      }
      assertTrue(q.tryPop().isEmpty());
    }
  }

  @Test
  void entriesPoppedAndNotReleasedWhenTheirStoreClosesAreDeliveredAgain() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      q.tryPush(MemorySegment.ofArray(new long[] {2}));
      Depot other = attach(d);
      Entry held = other.openQueue("q").tryPop().orElseThrow();
      assertEquals(1, held.track(0).get(ValueLayout.JAVA_LONG, 0));
      other.close(); // without releasing it (a leak, logged): it is not consumed
      List<Long> values = new ArrayList<>();
      for (Optional<Entry> e = q.tryPop(); e.isPresent(); e = q.tryPop()) {
        try (Entry entry = e.get()) {
          values.add(entry.track(0).get(ValueLayout.JAVA_LONG, 0));
        }
      }
      assertEquals(
          List.of(1L, 2L), values, "the unreleased entry comes back first, then the rest in order");
    }
  }

  @Test
  void aPoppedEntryOutlivesItsQueueHandleAndItsQueue() {
    Depot d = newStore();
    long free = d.stats().freeBytes();
    DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 1000));
    q.tryPush(MemorySegment.ofArray(new byte[1000]).fill((byte) 9));
    Entry e = q.tryPop().orElseThrow();
    q.close();
    assertTrue(d.remove("q"));
    assertEquals(9, e.track(0).get(ValueLayout.JAVA_BYTE, 999), "still readable");
    e.close();
    assertEquals(free, d.stats().freeBytes(), "queue and entry freed once both were closed");
  }

  // ------------------------------------------------------------------ track lengths, zeroing,
  // names

  @Test
  void aByteTrackReadsBackExactlyTheBytesWritten() {
    Depot d = newStore();
    try (DepotQueue q =
        d.createQueue("msgs", 4, Track.bytes("text", 32), Track.array("n", DType.INT32, 1))) {
      byte[] a = "a fairly long message here".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      byte[] x = "x".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      q.tryPush(MemorySegment.ofArray(a), MemorySegment.ofArray(new int[] {1}));
      q.tryPush(MemorySegment.ofArray(x), MemorySegment.ofArray(new int[] {2}));
      try (Entry e = q.tryPop().orElseThrow()) {
        assertArrayEquals(a, e.track("text").toArray(ValueLayout.JAVA_BYTE));
      }
      try (Entry e = q.tryPop().orElseThrow()) {
        assertArrayEquals(
            x, e.track("text").toArray(ValueLayout.JAVA_BYTE), "not the previous entry's tail");
        assertEquals(4, e.track("n").byteSize(), "an array track is always whole");
      }
      try (EntryClaim c = q.createEntry(Duration.ofSeconds(1))) {
        assertEquals(
            32, c.track("text").byteSize(), "a claim's track is writable at its full size");
        c.track("text").set(ValueLayout.JAVA_BYTE, 0, (byte) 'y');
        c.setLength("text", 1);
        assertThrows(InvalidArgumentException.class, () -> c.setLength("text", 33));
        assertThrows(InvalidArgumentException.class, () -> c.setLength("text", -1));
        assertThrows(TypeMismatchException.class, () -> c.setLength("n", 2));
        c.commit();
      }
      try (EntryClaim c = q.createEntry(Duration.ofSeconds(1))) {
        c.commit(); // no length given: the whole track
      }
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(
            "y",
            new String(
                e.track("text").toArray(ValueLayout.JAVA_BYTE),
                java.nio.charset.StandardCharsets.UTF_8));
      }
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(32, e.track("text").byteSize());
      }
      assertThrows(
          InvalidArgumentException.class,
          () -> q.tryPush(MemorySegment.ofArray(x), MemorySegment.ofArray(new short[] {1})),
          "an array track takes a whole array");
    }
  }

  @Test
  void zeroClaimsHandsOutZeroedMemory() {
    Depot d = newStore();
    d.put("junk", new byte[5000]);
    byte[] ones = new byte[5000];
    java.util.Arrays.fill(ones, (byte) 1);
    d.replace("junk", ones);
    d.remove("junk"); // its block is free and holds ones
    try (Depot z = Depot.open(d.name(), options.toBuilder().zeroClaims(true).build());
        DepotQueue q = z.createQueue("q", 2, Track.bytes("t", 5000))) {
      try (WriteClaim c = z.claim("fresh", 5000)) {
        assertEquals(
            -1, c.segment().asByteBuffer().mismatch(java.nio.ByteBuffer.allocate(5000)), "zeroed");
        c.commit();
      }
      try (EntryClaim c = q.createEntry(Duration.ofSeconds(1))) {
        assertEquals(
            -1, c.track(0).asByteBuffer().mismatch(java.nio.ByteBuffer.allocate(5000)), "zeroed");
        c.commit();
      }
      q.tryPop().orElseThrow().close();
      z.remove("q");
    }
  }

  @Test
  void trackNamesAreValidatedLikeObjectNames() {
    assertThrows(
        InvalidNameException.class, () -> Track.bytes("bad\uD800", 8), "an unpaired surrogate");
    assertThrows(InvalidNameException.class, () -> Track.bytes("\uDC00x", 8));
    assertEquals("\uD83D\uDE00", Track.bytes("\uD83D\uDE00", 8).name(), "a pair is fine");
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 2, Track.bytes("\u00e9t\u00e9", 8))) {
      assertEquals(0, q.trackIndex("\u00e9t\u00e9"));
    }
  }

  @Test
  void statsCountQueueEntriesApartFromObjects() {
    Depot d = newStore();
    d.put("obj", new byte[10]);
    try (DepotQueue q = d.createQueue("q", 8, Track.bytes("v", 8))) {
      for (int i = 0; i < 5; i++) {
        q.tryPush(MemorySegment.ofArray(new long[] {i}));
      }
      StoreStats s = d.stats();
      assertEquals(2, s.objects(), s.toString());
      assertEquals(5, s.queueEntries(), s.toString());
      assertEquals(2, d.list().size());
      assertEquals(2, d.check().objects());
      assertEquals(5, d.check().entries());
    }
  }

  // ------------------------------------------------------------------ waiting

  @Test
  void blockedWaitsEndWithAnInterrupt() throws Exception {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 1, Track.bytes("v", 8))) {
      java.util.List<java.util.function.Supplier<Object>> waits =
          java.util.List.of(
              () -> q.pop(Duration.ofSeconds(30)),
              () -> {
                q.tryPush(MemorySegment.ofArray(new long[] {1})); // full from now on
                return q.createEntry(Duration.ofSeconds(30));
              },
              () -> d.get("never", Duration.ofSeconds(30)));
      for (var wait : waits) {
        java.util.concurrent.CompletableFuture<Throwable> outcome =
            new java.util.concurrent.CompletableFuture<>();
        Thread t =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        var unused = wait.get();
                        outcome.complete(null);
                      } catch (Throwable e) {
                        outcome.complete(
                            Thread.currentThread().isInterrupted()
                                ? e
                                : new AssertionError("flag not set", e));
                      }
                    });
        Thread.sleep(100); // asleep by now
        long t0 = System.nanoTime();
        t.interrupt();
        Throwable e = outcome.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertInstanceOf(DepotInterruptedException.class, e, String.valueOf(e));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the interrupt ends the wait promptly");
      }
      q.tryPop().orElseThrow().close();
    }
  }

  @Test
  void virtualThreadsWaitWithoutPinningTheirCarriers() throws Exception {
    Depot d = newStore();
    int n =
        200; // far more than carrier threads: a wait pinned to its carrier would starve the others
    try (DepotQueue q = d.createQueue("q", 256, Track.bytes("v", 8));
        var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      java.util.List<java.util.concurrent.Future<Long>> popped = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        popped.add(
            executor.submit(
                () -> {
                  try (Entry e = q.pop(Duration.ofSeconds(30))) {
                    return e.track(0).get(ValueLayout.JAVA_LONG, 0);
                  }
                }));
      }
      Thread.sleep(200);
      for (int i = 0; i < n; i++) {
        assertTrue(q.tryPush(MemorySegment.ofArray(new long[] {i})) >= 0);
      }
      java.util.Set<Long> values = new java.util.HashSet<>();
      for (var f : popped) {
        values.add(f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
      assertEquals(n, values.size(), "every waiter got its own entry");
      java.util.List<java.util.concurrent.Future<String>> gets = new ArrayList<>();
      for (int i = 0; i < n; i++) { // waiting for a commit, on virtual threads too
        gets.add(
            executor.submit(
                () -> {
                  try (ObjectHandle h = d.get("late", Duration.ofSeconds(30))) {
                    return h.asString();
                  }
                }));
      }
      Thread.sleep(200);
      d.put("late", "here");
      for (var f : gets) {
        assertEquals("here", f.get(30, java.util.concurrent.TimeUnit.SECONDS));
      }
    }
  }
}
