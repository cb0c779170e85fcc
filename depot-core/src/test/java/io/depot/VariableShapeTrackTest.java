package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Array tracks declared with a dtype and a maximum element count, each entry with its own shape
 * within it.
 */
class VariableShapeTrackTest extends StoreExtension {
  private static final Track FRAMES = Track.arrayUpTo("frames", DType.FLOAT32, 1_000);
  private static final Track TAG = Track.arrayUpTo("tag", DType.UINT8, 16);

  @Test
  void eachEntryKeepsItsOwnShape() {
    Depot d = newStore();
    Depot other = attach(d);
    try (DepotQueue q = d.createQueue("q", 4, FRAMES, TAG);
        DepotQueue oq = other.openQueue("q")) {
      assertEquals(java.util.List.of(FRAMES, TAG), oq.tracks(), "the track reads back as declared");
      assertTrue(oq.tracks().get(0).isVariableShape());
      assertEquals(1_000, oq.tracks().get(0).maxElements());
      // pushed arrays of several shapes
      q.tryPush(
          NDArray.of(DType.FLOAT32, MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6}), 2, 3),
          NDArray.of(DType.UINT8, MemorySegment.ofArray(new byte[16]), 16));
      try (EntryClaim c =
          q.createEntry(Duration.ofSeconds(1))) { // written in place, shape set by the writer
        MutableNDArray a = c.array("frames", 10, 10, 10);
        assertArrayEquals(new long[] {10, 10, 10}, a.shape());
        a.setFloat(999, 42f);
        c.commit();
      }
      try (EntryClaim c =
          q.createEntry(Duration.ofSeconds(1))) { // shape never set: the whole track, 1-D
        c.commit();
      }
      q.tryPush(
          MemorySegment.ofArray(new float[] {7, 8}),
          MemorySegment.ofArray(new byte[3])); // bytes: 1-D
      try (Entry e = oq.tryPop().orElseThrow()) {
        NDArray f = e.array("frames");
        assertArrayEquals(new long[] {2, 3}, f.shape());
        assertEquals(6f, f.getFloat(5));
        assertEquals(24, e.track("frames").byteSize());
      }
      try (Entry e = oq.tryPop().orElseThrow()) {
        assertArrayEquals(new long[] {10, 10, 10}, e.array("frames").shape());
        assertEquals(42f, e.array("frames").getFloat(999));
      }
      try (Entry e = oq.tryPop().orElseThrow()) {
        assertArrayEquals(new long[] {1_000}, e.array("frames").shape());
      }
      try (Entry e = oq.tryPop().orElseThrow()) {
        assertArrayEquals(new long[] {2}, e.array("frames").shape());
        assertEquals(3, e.track("tag").byteSize());
      }
    }
  }

  @Test
  void badShapesAreRefusedNamingTheValue() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 2, FRAMES, Track.array("fixed", DType.INT32, 2, 2))) {
      MemorySegment fixed = MemorySegment.ofArray(new int[4]);
      InvalidArgumentException big =
          assertThrows(
              InvalidArgumentException.class,
              () ->
                  q.tryPush(
                      NDArray.of(DType.FLOAT32, MemorySegment.ofArray(new float[1_001]), 1_001),
                      NDArray.of(DType.INT32, fixed, 2, 2)));
      assertTrue(
          big.getMessage().contains("maxElements=1000")
              && big.getMessage().contains("shape=[1001]"),
          big.getMessage());
      assertThrows(
          TypeMismatchException.class,
          () ->
              q.tryPush(
                  NDArray.of(DType.FLOAT64, MemorySegment.ofArray(new double[2]), 2),
                  NDArray.of(DType.INT32, fixed, 2, 2)),
          "another dtype");
      InvalidArgumentException ragged =
          assertThrows(
              InvalidArgumentException.class,
              () -> q.tryPush(MemorySegment.ofArray(new byte[6]), fixed));
      assertTrue(ragged.getMessage().contains("size=6"), ragged.getMessage());
      try (EntryClaim c = q.tryCreateEntry().orElseThrow()) {
        InvalidArgumentException e =
            assertThrows(InvalidArgumentException.class, () -> c.array("frames", 100, 11));
        assertTrue(e.getMessage().contains("shape=[100, 11]"), e.getMessage());
        assertThrows(InvalidArgumentException.class, () -> c.array("frames", -1));
        assertThrows(InvalidArgumentException.class, () -> c.array("frames", new long[17]));
        TypeMismatchException f =
            assertThrows(TypeMismatchException.class, () -> c.array("fixed", 4));
        assertTrue(f.getMessage().contains("shape=[4]"), f.getMessage());
        assertArrayEquals(new long[] {2, 2}, c.array("fixed", 2, 2).shape());
        assertThrows(
            TypeMismatchException.class, () -> c.setLength("frames", 8), "a shape, not a length");
      }
      assertTrue(q.tryPop().isEmpty(), "nothing refused was queued");
      assertThrows(InvalidArgumentException.class, () -> Track.arrayUpTo("x", DType.FLOAT32, -1));
      assertThrows(
          InvalidArgumentException.class,
          () -> Track.arrayUpTo("x", DType.FLOAT64, Long.MAX_VALUE / 4));
    }
  }
}
