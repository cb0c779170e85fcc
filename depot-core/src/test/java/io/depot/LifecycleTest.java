package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The four stages: WRITE, IDLE, BUSY, ZOMBIE, and the reuse of memory. */
class LifecycleTest extends StoreExtension {

  @Test
  void writeStageIsInvisibleUntilCommit() {
    Depot d = newStore();
    Depot reader = attach(d);
    try (WriteClaim c = d.claim("w", 16)) {
      c.segment().set(ValueLayout.JAVA_LONG, 0, 0xCAFEL);
      c.segment().set(ValueLayout.JAVA_LONG, 8, 0xBEEFL);
      assertFalse(reader.contains("w"), "WRITE is visible to its writer only");
      assertTrue(reader.tryGet("w").isEmpty());
      assertThrows(
          ObjectExistsException.class,
          () -> reader.put("w", new byte[1]),
          "but the name is reserved");
      assertEquals(1, d.stats().writing());
      c.commit();
      assertThrows(HandleClosedException.class, c::segment);
      assertThrows(HandleClosedException.class, c::commit);
    }
    try (ObjectHandle h = reader.get("w")) {
      assertEquals(0xCAFEL, h.segment().get(ValueLayout.JAVA_LONG, 0));
      assertEquals(0xBEEFL, h.segment().get(ValueLayout.JAVA_LONG, 8));
    }
  }

  @Test
  void aReplaceCommittedDuringAPutWinsAndThePutFails() {
    Depot d = newStore();
    Depot other = attach(d);
    long free = d.stats().freeBytes();
    try (WriteClaim c = d.claim("race", 8)) {
      c.segment().set(ValueLayout.JAVA_LONG, 0, 1L);
      other.replace("race", new byte[] {2}); // a replace may overtake a create of the same name
      ObjectExistsException e = assertThrows(ObjectExistsException.class, c::commit);
      assertTrue(e.getMessage().contains("name=race"), e.getMessage());
    }
    try (ObjectHandle h = d.get("race")) {
      assertEquals(2, h.segment().get(ValueLayout.JAVA_BYTE, 0), "the replace's value, alone");
    }
    assertEquals(1, d.stats().objects());
    assertTrue(d.check().consistent(), d.check().toString());
    assertTrue(d.remove("race"));
    assertEquals(free, d.stats().freeBytes());
  }

  @Test
  void closingAnUncommittedClaimAbortsIt() {
    Depot d = newStore();
    long free = d.stats().freeBytes();
    try (WriteClaim c = d.claim("gone", 100_000)) {
      c.segment().fill((byte) 1);
    }
    assertFalse(d.contains("gone"));
    assertEquals(0, d.stats().writing());
    assertEquals(free, d.stats().freeBytes());
    d.put("gone", new byte[1]);
    WriteClaim c = d.claim("again", 10);
    c.abort();
    c.abort();
    assertThrows(HandleClosedException.class, c::commit);
    assertFalse(d.contains("again"));
  }

  @Test
  void claimArrayFillsInPlace() {
    Depot d = newStore();
    try (WriteClaim c = d.claimArray("grid", DType.FLOAT32, 2, 3)) {
      MutableNDArray a = c.array();
      for (int i = 0; i < 6; i++) {
        a.setFloat(i, i + 0.5f);
      }
      assertThrows(TypeMismatchException.class, () -> a.setDouble(0, 1.0));
      c.commit();
    }
    try (ObjectHandle h = d.get("grid")) {
      NDArray a = h.asArray();
      assertArrayEquals(new long[] {2, 3}, a.shape());
      assertEquals(5.5f, a.getFloat(a.flatIndex(1, 2)));
    }
    try (WriteClaim bytes = d.claim("raw", 4)) {
      assertThrows(TypeMismatchException.class, bytes::array);
    }
  }

  @Test
  void removedObjectStaysReadableUntilLastHandleCloses() {
    Depot d = newStore();
    Depot other = attach(d);
    byte[] payload = new byte[50_000];
    new java.util.Random(1).nextBytes(payload);
    d.put("z", payload);
    ObjectHandle h1 = d.get("z");
    ObjectHandle h2 = other.get("z");
    StoreStats busy = d.stats();
    assertTrue(d.remove("z"));
    assertFalse(d.contains("z"), "ZOMBIE is invisible at once");
    assertFalse(other.contains("z"));
    assertEquals(1, d.stats().zombies());
    // the name is free again while the zombie lives on
    d.put("z", new byte[] {7});
    assertArrayEquals(payload, h1.toByteArray(), "bytes never change under an open handle");
    h1.close();
    assertEquals(1, d.stats().zombies(), "still held by the other client");
    assertArrayEquals(payload, h2.toByteArray());
    h2.close();
    assertEquals(0, d.stats().zombies());
    assertArrayEquals(new byte[] {7}, d.getBytes("z"));
    d.remove("z");
    assertEquals(
        busy.freeBytes() + busy.usedBlockBytes(), d.stats().freeBytes(), "memory returned");
  }

  @Test
  void aFreedExtentGoesToTheNextAllocationThatFits() {
    // first fit: a queue whose consumer keeps up recycles a few cache-warm extents instead of
    // sweeping the arena
    Depot d = newStore(TestStores.small().capacity(16 << 20).build());
    long first;
    try (ObjectHandle h = d.get(put(d, "a"))) {
      first = h.segment().address();
    }
    put(d, "b");
    d.remove("a");
    try (ObjectHandle h = d.get(put(d, "c"))) {
      assertEquals(
          first, h.segment().address(), "c took the extent a gave back, the lowest that fits");
    }
  }

  private static String put(Depot d, String name) {
    d.put(name, new byte[1 << 20]);
    return name;
  }

  @Test
  void freedMemoryIsReused() {
    Depot d = newStore(TestStores.small().capacity(2 << 20).build());
    for (int round = 0; round < 50; round++) {
      d.put("big", new byte[1_500_000]);
      d.remove("big");
    }
    List<String> names = new ArrayList<>();
    for (int round = 0; round < 20; round++) {
      for (int i = 0; i < 1000; i++) {
        d.put("s" + i, new byte[700]);
        names.add("s" + i);
      }
      for (String n : names) {
        d.remove(n);
      }
      names.clear();
    }
    StoreStats drained = d.stats();
    assertEquals(drained.arenaBytes(), drained.freeBytes(), "every span was given back");
    assertEquals(0.0, drained.fragmentation());
    assertEquals(drained.arenaBytes(), drained.largestFreeExtent());
    d.put("big", new byte[1_500_000]);
  }

  @Test
  void forceRemoveFreesAtOnce() {
    Depot d = newStore();
    d.put("f", new byte[1000]);
    ObjectHandle h = d.get("f");
    assertTrue(d.forceRemove("f"));
    assertEquals(0, d.stats().zombies());
    assertEquals(0, d.stats().usedBlockBytes());
    h.close(); // harmless after a force remove
    assertFalse(d.forceRemove("f"));
  }

  @Test
  void handlesLeftOpenAreReleasedOnClose() {
    Depot d = newStore();
    Depot other = attach(d);
    d.put("leak", new byte[10]);
    other.get("leak"); // never closed
    d.remove("leak");
    assertEquals(1, d.stats().zombies());
    other.close();
    assertEquals(0, d.stats().zombies(), "close released the leaked handle and freed the zombie");
  }

  @Test
  void claimsLeftOpenAreAbortedOnClose() {
    Depot d = newStore();
    Depot other = attach(d);
    other.claim("half", 1000);
    assertEquals(1, d.stats().writing());
    other.close();
    assertEquals(0, d.stats().writing());
    d.put("half", new byte[1]);
  }

  @Test
  void tooManyHandlesIsSpecific() {
    Depot d = newStore(TestStores.small().maxHandlesPerClient(16).build());
    d.put("h", new byte[1]);
    List<ObjectHandle> hs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      hs.add(d.get("h"));
    }
    TooManyHandlesException e = assertThrows(TooManyHandlesException.class, () -> d.get("h"));
    assertTrue(e.getMessage().contains("maxHandlesPerClient=16"), e.getMessage());
    hs.forEach(ObjectHandle::close);
    d.get("h").close();
  }

  @Test
  void tooManyClientsIsSpecific() {
    Depot d = newStore(TestStores.small().maxClients(2).build());
    attach(d);
    TooManyClientsException e = assertThrows(TooManyClientsException.class, () -> attach(d));
    assertTrue(e.getMessage().contains("maxClients=2"), e.getMessage());
  }

  @Test
  void viewsOfLargeArraysAreTheStoresMemory() {
    Depot d = newStore(TestStores.small().capacity(64 << 20).build());
    try (WriteClaim c = d.claimArray("big", DType.FLOAT64, 1 << 20)) {
      MemorySegment s = c.segment();
      for (long i = 0; i < (1 << 20); i++) {
        s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, (double) i);
      }
      c.commit();
    }
    try (ObjectHandle h = d.get("big")) {
      NDArray a = h.asArray();
      double sum = 0;
      for (long i = 0; i < a.size(); i++) {
        sum += a.segment().getAtIndex(ValueLayout.JAVA_DOUBLE, i);
      }
      assertEquals((double) (1L << 20) * ((1 << 20) - 1) / 2, sum);
    }
  }
}
