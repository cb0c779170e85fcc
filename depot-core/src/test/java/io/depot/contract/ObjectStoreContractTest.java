package io.depot.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Codecs;
import io.depot.DType;
import io.depot.Depot;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.MutableNDArray;
import io.depot.NDArray;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.ObjectNotFoundException;
import io.depot.ObjectStore;
import io.depot.PutMode;
import io.depot.StoreClosedException;
import io.depot.TypeMismatchException;
import io.depot.ValueKind;
import io.depot.WriteClaim;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link ObjectStore} that every backend passes (shared memory, Redis standalone
 * and cluster): subclasses give a fresh store's URI; every test here runs against it, through
 * {@link Depot#open(java.net.URI)}.
 */
public abstract class ObjectStoreContractTest extends StoreFixture {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyKindRoundTripsWithItsKindDtypeAndShape() {
    store.put("b", utf8("bytes"));
    store.put("bb", ByteBuffer.wrap(utf8("xbuf"), 1, 3));
    store.put("seg", MemorySegment.ofArray(new byte[] {1, 2, 3}));
    store.put("s", "héllo");
    store.put("a", NDArray.of(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, 2, 3));
    store.put("e", "coded", Codecs.utf8());
    assertArrayEquals(utf8("bytes"), store.getBytes("b"));
    assertArrayEquals(utf8("buf"), store.getBytes("bb"));
    assertArrayEquals(new byte[] {1, 2, 3}, store.getBytes("seg"));
    assertEquals("héllo", store.getString("s"));
    assertEquals("coded", store.get("e", Codecs.utf8()));
    try (ObjectHandle h = store.get("a")) {
      assertEquals(ValueKind.ARRAY, h.kind());
      NDArray a = h.asArray();
      assertEquals(DType.FLOAT32, a.dtype());
      assertArrayEquals(new long[] {2, 3}, a.shape());
      assertArrayEquals(new float[] {1f, 2f, 3f, 4f, 5f, 6f}, a.toFloatArray());
      assertEquals(24, h.size());
      assertTrue(h.segment().isReadOnly());
    }
    try (ObjectHandle h = store.get("e")) {
      assertEquals(ValueKind.ENCODED, h.kind());
      assertEquals(Codecs.utf8().id(), h.codecId());
    }
    try (ObjectHandle h = store.get("s")) {
      assertEquals(ValueKind.STRING, h.kind());
      assertEquals(null, h.codecId());
      assertEquals("héllo", StandardCharsets.UTF_8.decode(h.asByteBuffer()).toString());
    }
  }

  @Test
  void putOfATakenNameFailsAndKeepsTheValue() {
    store.put("x", "one");
    ObjectExistsException e =
        assertThrows(ObjectExistsException.class, () -> store.put("x", "two"));
    assertTrue(e.getMessage().contains("x"), e.getMessage());
    assertEquals("one", store.getString("x"));
  }

  @Test
  void replaceAndCompareAndSetFollowVersions() {
    assertEquals(Depot.NO_VERSION, store.version("v"));
    assertTrue(store.compareAndSet("v", Depot.NO_VERSION, utf8("1")));
    assertFalse(store.compareAndSet("v", Depot.NO_VERSION, utf8("x")));
    long v1 = store.version("v");
    assertNotEquals(Depot.NO_VERSION, v1);
    assertFalse(store.compareAndSet("v", v1 + 12345, "stale"));
    assertTrue(store.compareAndSet("v", v1, "2"));
    long v2 = store.version("v");
    assertNotEquals(v1, v2);
    assertEquals("2", store.getString("v"));
    store.replace("v", utf8("3"));
    long v3 = store.version("v");
    assertNotEquals(v2, v3);
    store.replace("fresh", "made by replace");
    assertEquals("made by replace", store.getString("fresh"));
    store.replace("arr", NDArray.of(new long[] {7, 8}));
    store.replace("enc", "z", Codecs.utf8());
    assertTrue(store.compareAndSet("enc", store.version("enc"), "y", Codecs.utf8()));
    assertEquals("y", store.get("enc", Codecs.utf8()));
    try (ObjectHandle h = store.get("v")) {
      assertEquals(v3, h.version());
    }
  }

  @Test
  void versionsAreNotReusedAfterARemove() {
    store.put("r", "a");
    long v1 = store.version("r");
    assertTrue(store.remove("r"));
    store.put("r", "b");
    assertNotEquals(v1, store.version("r"));
    assertFalse(
        store.compareAndSet("r", v1, "stale"), "an old version must not match the new object");
  }

  @Test
  void removeByVersionRemovesExactlyWhatWasRead() {
    store.put("k", "a");
    long v = store.version("k");
    store.replace("k", "b");
    assertFalse(store.remove("k", v));
    assertEquals("b", store.getString("k"));
    assertTrue(store.remove("k", store.version("k")));
    assertFalse(store.contains("k"));
    assertFalse(store.remove("k", v));
    assertThrows(InvalidArgumentException.class, () -> store.remove("k", 0));
    assertThrows(InvalidArgumentException.class, () -> store.remove("k", -3));
    assertFalse(store.remove("k"));
  }

  @Test
  void missingObjectsAreReportedByName() {
    ObjectNotFoundException e =
        assertThrows(ObjectNotFoundException.class, () -> store.get("nope"));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    assertTrue(store.tryGet("nope").isEmpty());
    assertFalse(store.contains("nope"));
    assertEquals(Depot.NO_VERSION, store.version("nope"));
    store.put("yes", "y");
    assertTrue(store.contains("yes"));
    try (ObjectHandle h = store.tryGet("yes").orElseThrow()) {
      assertEquals("y", h.asString());
    }
  }

  @Test
  void aHandleStaysValidAfterRemoveAndFailsAfterClose() {
    store.put("h", utf8("held"));
    ObjectHandle h = store.get("h");
    assertTrue(store.remove("h"));
    assertFalse(store.contains("h"));
    assertArrayEquals(utf8("held"), h.toByteArray());
    assertEquals("h", h.name());
    assertTrue(h.isOpen());
    h.close();
    h.close();
    assertFalse(h.isOpen());
    assertThrows(HandleClosedException.class, h::segment);
  }

  @Test
  void listAndStatsSeeCommittedObjects() {
    store.put("obs/1", utf8("1"));
    store.put("obs/2", "22");
    store.put("other", NDArray.of(new int[] {1, 2, 3}));
    Set<String> all = store.list().stream().map(ObjectInfo::name).collect(Collectors.toSet());
    assertEquals(Set.of("obs/1", "obs/2", "other"), all);
    Set<String> obs = store.list("obs/").stream().map(ObjectInfo::name).collect(Collectors.toSet());
    assertEquals(Set.of("obs/1", "obs/2"), obs);
    ObjectInfo other = store.list("other").getFirst();
    assertEquals(ValueKind.ARRAY, other.kind());
    assertEquals(DType.INT32, other.dtype());
    assertArrayEquals(new long[] {3}, other.shape());
    assertEquals(12, other.size());
    assertEquals(3, store.stats().objects());
    assertTrue(store.stats().puts() >= 3);
  }

  @Test
  void claimsWriteInPlaceAndCommitOrAbort() {
    try (WriteClaim c = store.claim("c", 4)) {
      c.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0, 42);
      assertFalse(store.contains("c"));
      c.commit();
    }
    try (ObjectHandle h = store.get("c")) {
      assertEquals(42, h.segment().get(ValueLayout.JAVA_INT_UNALIGNED, 0));
    }
    try (WriteClaim c = store.claim("aborted", 8)) {
      c.segment().fill((byte) 1);
    }
    assertFalse(store.contains("aborted"));
    try (WriteClaim c = store.claimArray("arr", DType.FLOAT64, 2, 2)) {
      MutableNDArray a = c.array();
      a.setDouble(3, 2.5);
      c.commit();
    }
    assertEquals(2.5, store.get("arr").asArray().getDouble(3));
    long v = store.version("c");
    try (WriteClaim c = store.claim("c", 1, PutMode.REPLACE)) {
      c.segment().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
      assertTrue(c.commitIf(v));
    }
    assertArrayEquals(new byte[] {9}, store.getBytes("c"));
    try (WriteClaim c = store.claim("c", 1, PutMode.REPLACE)) {
      assertFalse(c.commitIf(v));
    }
  }

  @Test
  void getWithATimeoutWaitsForTheCommit() throws Exception {
    CompletableFuture<String> got =
        CompletableFuture.supplyAsync(
            () -> {
              try (ObjectHandle h = attachQuietly().get("later", Duration.ofSeconds(10))) {
                return h.asString();
              }
            });
    Thread.sleep(150);
    store.put("later", "arrived");
    assertEquals("arrived", got.get(15, TimeUnit.SECONDS));
    ObjectNotFoundException e =
        assertThrows(
            ObjectNotFoundException.class, () -> store.get("never", Duration.ofMillis(100)));
    assertTrue(e.getMessage().contains("never"), e.getMessage());
  }

  private synchronized ObjectStore attachQuietly() {
    return attach();
  }

  @Test
  void badInputIsASpecificExceptionNamingTheValue() {
    assertThrows(InvalidNameException.class, () -> store.put("", "x"));
    String tooLong = "n".repeat(Depot.MAX_NAME_BYTES + 1);
    InvalidNameException e =
        assertThrows(InvalidNameException.class, () -> store.put(tooLong, "x"));
    assertTrue(e.getMessage().contains("n".repeat(20)), e.getMessage());
    store.put("bytes", utf8("b"));
    try (ObjectHandle h = store.get("bytes")) {
      assertThrows(TypeMismatchException.class, h::asString);
      assertThrows(TypeMismatchException.class, h::asArray);
      assertThrows(TypeMismatchException.class, () -> h.decode(Codecs.utf8()));
    }
    assertThrows(InvalidArgumentException.class, () -> store.claim("neg", -1));
  }

  @Test
  void aClosedStoreRefusesOperations() {
    ObjectStore other = attach();
    other.close();
    other.close();
    assertThrows(StoreClosedException.class, () -> other.put("z", "z"));
    assertThrows(StoreClosedException.class, () -> other.get("z"));
  }

  @Test
  void threadsCompareAndSetWithoutLostUpdates() throws Exception {
    store.put("n", "0");
    int threads = 4;
    int each = 50;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        fs.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < each; i++) {
                    CasIncrementMain.increment(store, "n");
                  }
                }));
      }
      for (Future<?> f : fs) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * each, Integer.parseInt(store.getString("n")));
  }

  @Test
  void processesCompareAndSetWithoutLostUpdates() throws Exception {
    store.put("counter", "0");
    int processes = 3;
    int each = 40;
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int p = 0; p < processes; p++) {
        children.add(
            ChildJvm.start(
                CasIncrementMain.class, uri.toString(), "counter", Integer.toString(each)));
      }
      for (ChildJvm c : children) {
        c.awaitSuccess(90, TimeUnit.SECONDS);
      }
    } finally {
      children.forEach(ChildJvm::close);
    }
    assertEquals(processes * each, Integer.parseInt(store.getString("counter")));
  }
}
