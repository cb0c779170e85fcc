package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Put, get, remove, values and listing on one store. */
class DepotTest extends StoreExtension {

  @Test
  void putAndGetBytes() {
    Depot d = newStore();
    d.put("a", new byte[] {1, 2, 3});
    try (ObjectHandle h = d.get("a")) {
      assertEquals("a", h.name());
      assertEquals(ValueKind.BYTES, h.kind());
      assertEquals(3, h.size());
      assertArrayEquals(new byte[] {1, 2, 3}, h.toByteArray());
      assertTrue(h.segment().isReadOnly());
      assertEquals(2, h.asByteBuffer().get(1));
      assertTrue(h.asByteBuffer().isReadOnly());
    }
    assertArrayEquals(new byte[] {1, 2, 3}, d.getBytes("a"));
  }

  @Test
  void putFromByteBufferRespectsPositionAndLimit() {
    Depot d = newStore();
    ByteBuffer b = ByteBuffer.wrap(new byte[] {9, 8, 7, 6, 5});
    b.position(1).limit(4);
    d.put("bb", b);
    assertArrayEquals(new byte[] {8, 7, 6}, d.getBytes("bb"));
    assertEquals(1, b.position(), "put must not move the buffer");
    ByteBuffer direct = ByteBuffer.allocateDirect(4).putInt(0, 42);
    d.put("direct", direct);
    assertEquals(42, ByteBuffer.wrap(d.getBytes("direct")).getInt());
  }

  @Test
  void putFromMemorySegment() {
    Depot d = newStore();
    MemorySegment s = MemorySegment.ofArray(new long[] {1L, 2L, 3L});
    d.put("seg", s);
    try (ObjectHandle h = d.get("seg")) {
      assertEquals(24, h.size());
      assertEquals(3L, h.segment().getAtIndex(ValueLayout.JAVA_LONG, 2));
    }
  }

  @Test
  void emptyValue() {
    Depot d = newStore();
    d.put("empty", new byte[0]);
    try (ObjectHandle h = d.get("empty")) {
      assertEquals(0, h.size());
      assertArrayEquals(new byte[0], h.toByteArray());
    }
  }

  @Test
  void strings() {
    Depot d = newStore();
    String text = "héllo, wörld — 日本語 🎉";
    d.put("s", text);
    assertEquals(text, d.getString("s"));
    try (ObjectHandle h = d.get("s")) {
      assertEquals(ValueKind.STRING, h.kind());
      assertEquals(text.getBytes(StandardCharsets.UTF_8).length, h.size());
    }
  }

  @Test
  void typedArraysAreZeroCopyViews() {
    Depot d = newStore();
    double[] values = new double[12];
    for (int i = 0; i < values.length; i++) {
      values[i] = i * 1.5;
    }
    d.put("m", NDArray.of(values, 3, 4));
    try (ObjectHandle h = d.get("m")) {
      NDArray a = h.asArray();
      assertEquals(DType.FLOAT64, a.dtype());
      assertArrayEquals(new long[] {3, 4}, a.shape());
      assertEquals(12, a.size());
      assertEquals(values[7], a.getDouble(a.flatIndex(1, 3)));
      assertArrayEquals(values, a.toDoubleArray());
      assertTrue(a.segment().isReadOnly());
      // zero copy: the view is the store's memory, not a heap array
      assertTrue(a.segment().isNative() || a.segment().isMapped());
      assertEquals(0, a.segment().address() % 64, "array data is cache-line aligned");
    }
  }

  @Test
  void everyDtypeRoundTrips() {
    Depot d = newStore();
    d.put("f32", NDArray.of(new float[] {1.5f, -2f}));
    d.put("i64", NDArray.of(new long[] {Long.MIN_VALUE, 7}));
    d.put("i32", NDArray.of(new int[] {-3, 4, 5}));
    d.put("i16", NDArray.of(new short[] {-1, 300}));
    d.put("i8", NDArray.of(DType.INT8, new byte[] {-128, 127}));
    d.put("u8", NDArray.of(DType.UINT8, new byte[] {(byte) 255, 1}));
    d.put("b", NDArray.of(new boolean[] {true, false, true}));
    d.put("scalar", NDArray.of(DType.FLOAT64, MemorySegment.ofArray(new double[] {42.0}))); // 0-d
    try (ObjectHandle f32 = d.get("f32");
        ObjectHandle i64 = d.get("i64");
        ObjectHandle i32 = d.get("i32");
        ObjectHandle i16 = d.get("i16");
        ObjectHandle i8 = d.get("i8");
        ObjectHandle u8 = d.get("u8");
        ObjectHandle b = d.get("b");
        ObjectHandle scalar = d.get("scalar")) {
      assertArrayEquals(new float[] {1.5f, -2f}, f32.asArray().toFloatArray());
      assertArrayEquals(new long[] {Long.MIN_VALUE, 7}, i64.asArray().toLongArray());
      assertArrayEquals(new int[] {-3, 4, 5}, i32.asArray().toIntArray());
      assertArrayEquals(new short[] {-1, 300}, i16.asArray().toShortArray());
      assertEquals(-128, i8.asArray().getByte(0));
      assertEquals(255, u8.asArray().getUnsignedByte(0));
      assertArrayEquals(new boolean[] {true, false, true}, b.asArray().toBooleanArray());
      assertEquals(0, scalar.asArray().ndim());
      assertEquals(42.0, scalar.asArray().getDouble(0));
      assertEquals(-3.0, i32.asArray().getAsDouble(0));
    }
  }

  @Test
  void dtypeAndKindMismatchesAreSpecific() {
    Depot d = newStore();
    d.put("ints", NDArray.of(new int[] {1, 2}));
    d.put("bytes", new byte[] {1});
    try (ObjectHandle h = d.get("ints");
        ObjectHandle bytes = d.get("bytes")) {
      TypeMismatchException e =
          assertThrows(TypeMismatchException.class, () -> h.asArray().getDouble(0));
      assertTrue(e.getMessage().contains("int32"), e.getMessage());
      assertThrows(TypeMismatchException.class, () -> h.asArray().toDoubleArray());
      assertThrows(TypeMismatchException.class, h::asString);
      assertThrows(TypeMismatchException.class, bytes::asArray);
      assertThrows(IndexOutOfBoundsException.class, () -> h.asArray().flatIndex(5));
      assertThrows(IndexOutOfBoundsException.class, () -> h.asArray().flatIndex(0, 0));
    }
    InvalidArgumentException shape =
        assertThrows(InvalidArgumentException.class, () -> NDArray.of(new double[6], 2, 4));
    assertTrue(shape.getMessage().contains("[2, 4]"), shape.getMessage());
    assertThrows(InvalidArgumentException.class, () -> NDArray.of(new double[1], -1));
    assertThrows(InvalidArgumentException.class, () -> NDArray.of(new double[1], new long[17]));
  }

  @Test
  void codecValues() {
    Depot d = newStore();
    d.put("c", "via codec", Codecs.utf8());
    try (ObjectHandle h = d.get("c")) {
      assertEquals(ValueKind.ENCODED, h.kind());
      assertEquals("utf8", h.codecId());
      assertEquals("via codec", h.decode(Codecs.utf8()));
      TypeMismatchException e =
          assertThrows(TypeMismatchException.class, () -> h.decode(Codecs.bytes()));
      assertTrue(e.getMessage().contains("codec=utf8"), e.getMessage());
    }
    assertEquals("via codec", d.get("c", Codecs.utf8()));
    Codec<Object> failing =
        new Codec<>() {
          @Override
          public String id() {
            return "failing";
          }

          @Override
          public void encode(Object value, java.io.OutputStream out) throws java.io.IOException {
            throw new java.io.IOException("cannot encode this");
          }

          @Override
          public Object decode(MemorySegment data) {
            return null;
          }
        };
    CodecException e =
        assertThrows(CodecException.class, () -> d.put("bad", new Object(), failing));
    assertTrue(
        e.getMessage().contains("codec=failing") && e.getMessage().contains("java.lang.Object"),
        e.getMessage());
    assertFalse(d.contains("bad"), "a failed encode leaves nothing behind");
    assertEquals(0, d.stats().writing());
  }

  @Test
  void putFailsIfNameExistsAndReplaceReplaces() {
    Depot d = newStore();
    d.put("k", "one");
    ObjectExistsException e = assertThrows(ObjectExistsException.class, () -> d.put("k", "two"));
    assertTrue(e.getMessage().contains("name=k"), e.getMessage());
    assertEquals("one", d.getString("k"));
    try (ObjectHandle old = d.get("k")) {
      d.replace("k", "two");
      assertEquals("two", d.getString("k"));
      assertEquals("one", old.asString(), "a handle on the replaced value still sees it");
      assertEquals(1, d.stats().zombies());
    }
    assertEquals(0, d.stats().zombies());
    d.replace("fresh", "created by replace");
    assertEquals("created by replace", d.getString("fresh"));
  }

  @Test
  void compareAndSetOnVersions() {
    Depot d = newStore();
    assertEquals(Depot.NO_VERSION, d.version("x"));
    assertTrue(d.compareAndSet("x", Depot.NO_VERSION, "v1"));
    assertFalse(d.compareAndSet("x", Depot.NO_VERSION, "again"), "only if absent");
    long v1 = d.version("x");
    assertNotEquals(Depot.NO_VERSION, v1);
    try (ObjectHandle h = d.get("x")) {
      assertEquals(v1, h.version());
    }
    assertTrue(d.compareAndSet("x", v1, "v2"));
    long v2 = d.version("x");
    assertNotEquals(v1, v2);
    assertFalse(d.compareAndSet("x", v1, "stale"));
    assertEquals("v2", d.getString("x"));
    assertEquals(0, d.stats().writing(), "a failed CAS leaves no claim behind");
    assertThrows(InvalidArgumentException.class, () -> d.compareAndSet("x", -5, "bad"));
  }

  @Test
  void removeOnlyTheVersionThatWasRead() {
    Depot d = newStore();
    d.put("k", "first");
    long v1 = d.version("k");
    d.replace("k", "second"); // a newer write of the same name, by anyone
    assertFalse(d.remove("k", v1), "the object read is gone: the newer one stays");
    assertEquals("second", d.getString("k"));
    long v2 = d.version("k");
    try (ObjectHandle h = d.get("k")) {
      assertTrue(d.remove("k", v2));
      assertEquals("second", h.asString(), "a handle keeps its view of the removed object");
    }
    assertFalse(d.contains("k"));
    assertFalse(d.remove("k", v2), "nothing left to remove");
    assertEquals(0, d.stats().zombies(), "freed when the handle closed");
    var e = assertThrows(InvalidArgumentException.class, () -> d.remove("k", Depot.NO_VERSION));
    assertTrue(e.getMessage().contains("expectedVersion=0"), e.getMessage());
  }

  @Test
  void removeAndContains() {
    Depot d = newStore();
    assertFalse(d.remove("nothing"));
    d.put("r", new byte[10]);
    assertTrue(d.contains("r"));
    assertTrue(d.remove("r"));
    assertFalse(d.contains("r"));
    assertFalse(d.remove("r"));
    ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, () -> d.get("r"));
    assertTrue(e.getMessage().contains("name=r"), e.getMessage());
    assertTrue(d.tryGet("r").isEmpty());
    d.put("r", new byte[3]);
    assertEquals(3, d.getBytes("r").length, "a removed name can be reused at once");
  }

  @Test
  void listAndPrefix() {
    Depot d = newStore();
    d.put("a/1", new byte[5]);
    d.put("a/2", "xy");
    d.put("b/1", NDArray.of(new int[] {1, 2, 3}, 3));
    try (WriteClaim unfinished = d.claim("a/3", 8)) {
      Set<String> all = d.list().stream().map(ObjectInfo::name).collect(Collectors.toSet());
      assertEquals(Set.of("a/1", "a/2", "b/1"), all, "objects in WRITE are invisible");
      assertNotNull(unfinished);
    }
    List<ObjectInfo> a = d.list("a/");
    assertEquals(2, a.size());
    ObjectInfo b = d.list("b/").getFirst();
    assertEquals(ValueKind.ARRAY, b.kind());
    assertEquals(DType.INT32, b.dtype());
    assertArrayEquals(new long[] {3}, b.shape());
    assertEquals(12, b.size());
  }

  @Test
  void getWithTimeoutWaitsForCommit() throws Exception {
    Depot d = newStore();
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Thread.sleep(100);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  d.put("late", "here");
                });
    try (ObjectHandle h = d.get("late", Duration.ofSeconds(10))) {
      assertEquals("here", h.asString());
    }
    writer.join();
    ObjectNotFoundException e =
        assertThrows(ObjectNotFoundException.class, () -> d.get("never", Duration.ofMillis(50)));
    assertTrue(e.getMessage().contains("timeout=PT0.05S"), e.getMessage());
  }

  @Test
  void namesAreValidated() {
    Depot d = newStore();
    assertThrows(InvalidNameException.class, () -> d.put("", new byte[1]));
    assertThrows(InvalidNameException.class, () -> d.put(null, new byte[1]));
    String max = "n".repeat(Depot.MAX_NAME_BYTES);
    d.put(max, new byte[1]);
    assertTrue(d.contains(max));
    InvalidNameException tooLong =
        assertThrows(InvalidNameException.class, () -> d.put("n".repeat(256), new byte[1]));
    assertTrue(tooLong.getMessage().contains("length=256"), tooLong.getMessage());
    // 128 two-byte characters: 256 bytes in UTF-8
    InvalidNameException utf8 =
        assertThrows(InvalidNameException.class, () -> d.put("é".repeat(128), new byte[1]));
    assertTrue(utf8.getMessage().contains("bytes=256"), utf8.getMessage());
    assertThrows(InvalidNameException.class, () -> d.put("bad\uD800surrogate", new byte[1]));
    d.put("ok 🎉 名前/with spaces\tand tabs", new byte[1]);
    assertTrue(d.contains("ok 🎉 名前/with spaces\tand tabs"));
    assertThrows(InvalidNameException.class, () -> Depot.create("bad/name", options));
    assertThrows(InvalidNameException.class, () -> Depot.create(".hidden", options));
  }

  @Test
  void sizesAreValidated() {
    Depot d = newStore();
    InvalidArgumentException neg =
        assertThrows(InvalidArgumentException.class, () -> d.claim("neg", -1));
    assertTrue(neg.getMessage().contains("size=-1"), neg.getMessage());
    assertThrows(InvalidArgumentException.class, () -> d.claim("huge", Long.MAX_VALUE));
    assertThrows(InvalidArgumentException.class, () -> d.claimArray("neg", DType.FLOAT64, 3, -2));
    assertThrows(
        InvalidArgumentException.class,
        () -> d.claimArray("ovf", DType.FLOAT64, Long.MAX_VALUE, 4));
    assertThrows(InvalidArgumentException.class, () -> DepotOptions.builder().capacity(100));
    assertThrows(InvalidArgumentException.class, () -> DepotOptions.builder().maxObjects(0));
    assertThrows(InvalidArgumentException.class, () -> DepotOptions.builder().maxClients(5000));
    assertThrows(
        InvalidArgumentException.class, () -> DepotOptions.builder().maxHandlesPerClient(1));
    assertEquals(0, d.stats().writing());
  }

  @Test
  void storeFullNamesRequestedAndFree() {
    Depot d = newStore(TestStores.small().capacity(1 << 20).build());
    d.put("big", new byte[900_000]);
    StoreFullException e =
        assertThrows(StoreFullException.class, () -> d.put("more", new byte[500_000]));
    assertTrue(
        e.getMessage().contains("requested=") && e.getMessage().contains("free="), e.getMessage());
    assertFalse(d.contains("more"));
    assertEquals(0, d.stats().writing(), "a failed put leaves no claim");
    d.remove("big");
    d.put("more", new byte[500_000]);
    assertEquals(500_000, d.getBytes("more").length);
  }

  @Test
  void directoryFullIsSpecificAndRecoverable() {
    Depot d = newStore(TestStores.small().maxObjects(8).build());
    for (int i = 0; i < 8; i++) {
      d.put("o" + i, new byte[1]);
    }
    DirectoryFullException e =
        assertThrows(DirectoryFullException.class, () -> d.put("o8", new byte[1]));
    assertTrue(e.getMessage().contains("maxObjects=8"), e.getMessage());
    d.remove("o3");
    d.put("o8", new byte[1]);
    assertEquals(8, d.stats().objects());
  }

  @Test
  void closedStoreAndClosedHandle() {
    Depot d = newStore();
    d.put("x", new byte[] {1});
    ObjectHandle h = d.get("x");
    h.close();
    h.close(); // idempotent
    assertFalse(h.isOpen());
    assertThrows(HandleClosedException.class, h::segment);
    assertThrows(HandleClosedException.class, h::toByteArray);
    d.close();
    d.close(); // idempotent
    StoreClosedException e = assertThrows(StoreClosedException.class, () -> d.get("x"));
    assertTrue(e.getMessage().contains(d.path().toString()), e.getMessage());
    assertThrows(StoreClosedException.class, () -> d.put("y", new byte[1]));
    assertThrows(StoreClosedException.class, d::stats);
  }

  @Test
  void storeFileIsOwnerOnlyByDefault() throws Exception {
    Depot d = newStore();
    assertEquals(
        Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(d.path()));
  }

  @Test
  void groupAccessOption() throws Exception {
    Depot d = newStore(TestStores.small().groupAccess(true).build());
    assertEquals(
        Set.of(
            PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE),
        Files.getPosixFilePermissions(d.path()));
  }

  @Test
  void createOpenDestroy() {
    Depot d = newStore();
    assertTrue(Depot.exists(d.name(), options));
    assertThrows(StoreExistsException.class, () -> Depot.create(d.name(), options));
    d.put("shared", "visible to the second client");
    try (Depot other = Depot.open(d.name(), options)) {
      assertEquals("visible to the second client", other.getString("shared"));
      assertEquals(2, other.stats().clients());
    }
    assertThrows(
        StoreNotFoundException.class,
        () -> Depot.open("no-such-store-" + System.nanoTime(), options));
    String name = d.name();
    d.close();
    assertTrue(Depot.destroy(name, options));
    assertFalse(Depot.exists(name, options));
    assertFalse(Depot.destroy(name, options));
  }

  @Test
  void openOrCreateAttachesToExisting() {
    Depot d = newStore();
    d.put("here", new byte[1]);
    try (Depot again = Depot.openOrCreate(d.name(), options)) {
      assertTrue(again.contains("here"));
    }
  }

  @Test
  void destroyedStoreStaysUsableForAttachedClients() {
    Depot d = newStore();
    d.put("before", "x");
    Depot.destroy(d.name(), options);
    d.put("after", "y");
    assertEquals("y", d.getString("after"));
    assertEquals("x", d.getString("before"));
  }

  @Test
  void statsTrackOccupancy() {
    Depot d = newStore();
    StoreStats empty = d.stats();
    assertEquals(8L << 20, empty.arenaBytes());
    assertEquals(0, empty.objects());
    d.put("a", new byte[1000]);
    d.put("b", new byte[300_000]);
    StoreStats two = d.stats();
    assertEquals(2, two.objects());
    assertTrue(two.usedBlockBytes() >= 301_000, "used=" + two.usedBlockBytes());
    assertTrue(two.freeBytes() < empty.freeBytes());
    d.remove("a");
    d.remove("b");
    StoreStats after = d.stats();
    assertEquals(0, after.objects());
    assertEquals(0, after.usedBlockBytes());
    assertEquals(empty.freeBytes(), after.freeBytes(), "all bytes come back");
  }
}
