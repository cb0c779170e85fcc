package io.depot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import org.junit.jupiter.api.Test;

/**
 * The bulk path of {@link NDArray}: direct buffer views of a store's memory, and {@link
 * NDArray#sum()}.
 */
class NDArrayBulkTest extends StoreExtension {
  /** More than two chunks of the bulk loop, and not a multiple of 8: the tail loop runs too. */
  private static final int N = (1 << 17) + 13;

  @Test
  void aViewReadFromAnotherAttachmentIsADirectReadOnlyBufferOverTheSameMemory() {
    Depot d = newStore();
    Depot other = attach(d);
    double[] values = new double[N];
    for (int i = 0; i < N; i++) {
      values[i] = i * 0.5;
    }
    d.put("a", NDArray.of(values));
    try (ObjectHandle h = other.get("a")) {
      NDArray a = h.asArray();
      DoubleBuffer b = a.asDoubleBuffer();
      assertTrue(b.isDirect(), "direct: a library can use it in place");
      assertTrue(b.isReadOnly());
      assertEquals(N, b.remaining());
      assertEquals(ByteOrder.nativeOrder(), b.order());
      for (int i = 0; i < N; i += 997) {
        assertEquals(values[i], b.get(i));
      }
      ByteBuffer bytes = a.asByteBuffer();
      assertTrue(bytes.isDirect() && bytes.isReadOnly());
      assertEquals(8L * N, bytes.remaining());
      assertEquals(values[N - 1], bytes.getDouble(8 * (N - 1)));
      // the same memory, not a copy: the buffer's address is the segment's
      assertEquals(
          a.segment().address(), java.lang.foreign.MemorySegment.ofBuffer(bytes).address());
    }
  }

  @Test
  void sumAddsEveryElementOfEveryDtype() {
    Depot d = newStore();
    double[] doubles = new double[N];
    float[] floats = new float[N];
    int[] ints = new int[N];
    long expected = 0;
    for (int i = 0; i < N; i++) {
      doubles[i] = i;
      floats[i] = i % 1000;
      ints[i] = i - 5000;
      expected += i;
    }
    d.put("d", NDArray.of(doubles));
    d.put("f", NDArray.of(floats));
    d.put("i", NDArray.of(ints));
    try (ObjectHandle hd = d.get("d");
        ObjectHandle hf = d.get("f");
        ObjectHandle hi = d.get("i")) {
      assertEquals((double) expected, hd.asArray().sum(), "integer-valued doubles add up exactly");
      double fl = 0;
      long in = 0;
      for (int i = 0; i < N; i++) {
        fl += floats[i];
        in += ints[i];
      }
      assertEquals(fl, hf.asArray().sum());
      assertEquals((double) in, hi.asArray().sum());
    }
    assertEquals(0.0, NDArray.of(new double[0]).sum());
    assertEquals(6.0, NDArray.of(new double[] {1, 2, 3}).sum());
  }

  @Test
  void aDoubleBufferOfAnotherDtypeIsATypeMismatchNamingIt() {
    TypeMismatchException e =
        assertThrows(
            TypeMismatchException.class, () -> NDArray.of(new int[] {1, 2}).asDoubleBuffer());
    assertTrue(e.getMessage().contains("int32"), e.getMessage());
  }
}
