package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A tour of Depot, in the order a new user meets it. Each test is a runnable example; read them top
 * to bottom. (Every process on the machine could do what these tests do with the same store name: a
 * store is just a file in {@code /dev/shm}.)
 */
class TutorialTest {
  private final String name = TestStores.uniqueName("tutorial");
  private Depot depot;

  /** 1. Create a store: one file of a fixed capacity, reserved and pre-faulted now, owner-only. */
  @BeforeEach
  void createStore() {
    depot = Depot.create(name, DepotOptions.builder().capacity(64L << 20).build());
    // Other processes attach with Depot.open(name), or Depot.openOrCreate(name, options) when
    // racing to start.
  }

  /** When done: close (detach); destroy removes the file once nobody needs it. */
  @AfterEach
  void destroyStore() {
    depot.close();
    Depot.destroy(name, DepotOptions.defaults());
  }

  /** 2. Put a value under a name; get returns a handle whose view is the shared memory itself. */
  @Test
  void putAndGet() {
    depot.put("greeting", "hello from one process");
    depot.put("bytes", new byte[] {1, 2, 3});
    try (ObjectHandle h =
        depot.get("greeting")) { // a handle keeps the bytes valid and unchanged until closed
      assertEquals("hello from one process", h.asString());
    }
    assertArrayEquals(new byte[] {1, 2, 3}, depot.getBytes("bytes")); // copy-out convenience
    assertTrue(depot.tryGet("nothing").isEmpty()); // absent is a value, not an exception
  }

  /** 3. Arrays: dtype and shape are stored with the elements, and read back without a copy. */
  @Test
  void typedArrays() {
    double[] weights = new double[1024 * 1024];
    weights[42] = 3.5;
    depot.put("weights", NDArray.of(weights, 1024, 1024)); // one copy, into the store
    try (ObjectHandle h = depot.get("weights")) {
      NDArray w = h.asArray(); // float64 [1024, 1024], a view of shared memory: nothing copied
      assertEquals(DType.FLOAT64, w.dtype());
      assertEquals(3.5, w.getDouble(w.flatIndex(0, 42)));
    }
  }

  /** 4. Zero copy in: claim a block, fill it in place, commit. Nobody sees it before the commit. */
  @Test
  void claimFillCommit() {
    try (WriteClaim c = depot.claimArray("frame/7", DType.FLOAT32, 512, 512)) {
      MutableNDArray a = c.array(); // the block in shared memory (stage WRITE: invisible to others)
      a.setFloat(0, 1.0f);
      assertFalse(depot.contains("frame/7"));
      c.commit(); // one release-store: now every process sees it (IDLE), and it is immutable
    }
    assertTrue(depot.contains("frame/7"));
  }

  /**
   * 5. The four stages: removing an object hides it at once; its memory is reused when the last
   * reader is done.
   */
  @Test
  void removeWhileSomeoneReads() {
    depot.put("batch", new byte[100_000]);
    ObjectHandle reader = depot.get("batch"); // BUSY: a reader holds it
    depot.remove("batch"); // ZOMBIE: invisible to new readers, still intact for this one
    assertFalse(depot.contains("batch"));
    assertEquals(100_000, reader.segment().byteSize());
    assertEquals(1, depot.stats().zombies());
    reader.close(); // the last reader lets go: the memory goes back to the allocator
    assertEquals(0, depot.stats().zombies());
  }

  /** 6. Replace atomically; compare-and-set for read-modify-write across processes. */
  @Test
  void replaceAndCompareAndSet() {
    depot.put("counter", "0");
    depot.replace("counter", "1"); // readers see "0" or "1", never nothing
    for (; ; ) { // an increment that no other process can lose
      long version;
      String value;
      try (ObjectHandle h = depot.get("counter")) {
        version = h.version();
        value = h.asString();
      }
      if (depot.compareAndSet("counter", version, Integer.toString(Integer.parseInt(value) + 1))) {
        break;
      }
    }
    assertEquals("2", depot.getString("counter"));
  }

  /**
   * 7. Objects as queues: entries of several tracks, pushed and popped by any number of processes.
   */
  @Test
  void queues() {
    try (DepotQueue q =
        depot.createQueue(
            "rollouts",
            16,
            Track.array("obs", DType.FLOAT32, 84, 84),
            Track.array("action", DType.INT64, 1),
            Track.bytes("reward", 8))) {
      // fine-grained, zero copy: claim an entry, write its tracks in place, commit
      try (EntryClaim e = q.createEntry(Duration.ofSeconds(1))) {
        e.array("obs").setFloat(0, 1f);
        e.array("action").setLong(0, 3);
        e.track("reward").set(ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, 0.5);
        e.commit();
      }
      // coarse-grained: copy one value per track
      q.tryPush(
          MemorySegment.ofArray(new float[84 * 84]),
          MemorySegment.ofArray(new long[] {1}),
          MemorySegment.ofArray(new double[] {1.0}));
      try (Entry latest = q.readLatest().orElseThrow()) { // read without taking it out
        assertEquals(1, latest.sequence());
      }
      try (Entry e = q.pop(Duration.ofSeconds(1))) { // take the oldest out, in claim order
        assertEquals(0, e.sequence());
        assertEquals(1f, e.array("obs").getFloat(0));
        assertEquals(3, e.array("action").getLong(0));
      }
    }
  }

  /**
   * 7b. Back-pressure is a status: a full queue says FULL, an empty one says empty; no exceptions.
   */
  @Test
  void fullAndEmptyAreStatuses() {
    try (DepotQueue q = depot.createQueue("tiny", 1, Track.bytes("v", 8))) {
      MemorySegment v = MemorySegment.ofArray(new long[] {7});
      assertEquals(0, q.tryPush(v));
      assertEquals(DepotQueue.FULL, q.tryPush(v));
      q.tryPop().orElseThrow().close();
      assertTrue(q.tryPop().isEmpty());
    }
  }

  /**
   * 8. Objects through codecs: any type, by a codec of your choice (JSON lives in
   * depot-codec-json).
   */
  @Test
  void codecs() {
    depot.put("note", "encoded text", Codecs.utf8());
    assertEquals("encoded text", depot.get("note", Codecs.utf8()));
  }

  /**
   * 9. Health: stats for occupancy; check() verifies every invariant; dead processes are recovered.
   */
  @Test
  void health() {
    depot.put("x", new byte[10]);
    StoreStats s = depot.stats();
    assertEquals(1, s.objects());
    assertTrue(depot.check().consistent());
    assertEquals(0, depot.recoverDeadClients()); // nobody died here
  }
}
