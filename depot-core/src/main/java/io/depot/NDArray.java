package io.depot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Arrays;

/**
 * A read-only, zero-copy view of a typed n-dimensional array: a {@link DType}, a shape, and the
 * elements in a {@link MemorySegment}, C-contiguous (row-major) in native byte order, as NumPy lays
 * them out.
 *
 * <p>A view read from a store is valid while the {@link ObjectHandle} it came from is open. Element
 * accessors check the dtype ({@link TypeMismatchException}) and the index ({@link
 * IndexOutOfBoundsException}); the {@code to*Array} methods copy out. For the fastest loops, read
 * {@link #segment()} with the dtype's {@link DType#layout() layout}, or use the bulk reductions
 * ({@link #sum()}), which run at memory bandwidth.
 *
 * <p><b>Handing a view to another library without a copy.</b> {@link #asByteBuffer()} is a direct
 * {@link ByteBuffer} over the same memory, in native byte order, and {@link #asDoubleBuffer()} a
 * direct {@link DoubleBuffer}: what JNI-backed ML libraries take to wrap memory rather than copy it
 * (for example ONNX Runtime's {@code OnnxTensor.createTensor(env, doubleBuffer, shape)} uses a
 * direct buffer in place, as TensorFlow Java's and DJL's {@code ByteBuffer} constructors do).
 * {@link #segment()} serves libraries that take a {@link MemorySegment} or an address ({@code
 * segment().address()}). Such a buffer is valid only while the {@link ObjectHandle} the view came
 * from is open: the library must be done with it before the handle is closed.
 *
 * <p>To store an array, wrap existing memory with {@link #of(DType, MemorySegment, long...)} or a
 * Java array with {@link #of(double[], long...)} and its siblings, and {@linkplain
 * Depot#put(String, NDArray) put} it.
 */
public sealed class NDArray permits MutableNDArray {
  /** The most dimensions an array may have. */
  public static final int MAX_DIMS = 16;

  private final DType dtype;
  private final long[] shape;
  private final long size;
  final MemorySegment data;

  NDArray(DType dtype, MemorySegment data, long[] shape) {
    this.dtype = dtype;
    this.shape = shape.clone();
    this.size = checkShape(dtype, shape, data.byteSize());
    this.data = data;
  }

  /**
   * {@return a view of {@code data} as an array of {@code dtype} with {@code shape}}
   *
   * @param dtype the element type
   * @param data the elements, native byte order
   * @param shape the shape
   * @throws InvalidArgumentException if the shape has a negative extent, more than {@value
   *     #MAX_DIMS} dimensions, or does not cover exactly {@code data.byteSize()} bytes
   */
  public static NDArray of(DType dtype, MemorySegment data, long... shape) {
    return new NDArray(dtype, data.isReadOnly() ? data : data.asReadOnly(), shape);
  }

  /**
   * Wraps {@code values} (no copy) with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(double[] values, long... shape) {
    return of(DType.FLOAT64, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Wraps {@code values} (no copy) with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(float[] values, long... shape) {
    return of(DType.FLOAT32, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Wraps {@code values} (no copy) with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(long[] values, long... shape) {
    return of(DType.INT64, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Wraps {@code values} (no copy) with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(int[] values, long... shape) {
    return of(DType.INT32, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Wraps {@code values} (no copy) with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(short[] values, long... shape) {
    return of(DType.INT16, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Wraps {@code values} (no copy) as {@code dtype} ({@link DType#INT8}, {@link DType#UINT8} or
   * {@link DType#BOOL}) with {@code shape}; a 1-d shape when none is given.
   *
   * @param dtype the element type
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(DType dtype, byte[] values, long... shape) {
    if (dtype.itemSize() != 1) {
      throw new InvalidArgumentException(
          "byte[] holds 1-byte elements, not dtype=" + dtype.numpyName());
    }
    return of(dtype, MemorySegment.ofArray(values), shapeOr(values.length, shape));
  }

  /**
   * Copies {@code values} into a new BOOL array with {@code shape}; a 1-d shape when none is given.
   *
   * @param values the elements
   * @param shape the shape; a 1-d shape of {@code values.length} if empty
   * @return the array
   */
  public static NDArray of(boolean[] values, long... shape) {
    byte[] b = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      b[i] = (byte) (values[i] ? 1 : 0);
    }
    return of(DType.BOOL, b, shape);
  }

  private static long[] shapeOr(int length, long[] shape) {
    return shape.length == 0 ? new long[] {length} : shape;
  }

  /**
   * Checks a shape and returns its element count.
   *
   * @throws InvalidArgumentException naming the shape if it is invalid or does not match {@code
   *     byteSize}
   */
  static long checkShape(DType dtype, long[] shape, long byteSize) {
    long n = elementCount(shape);
    long bytes;
    try {
      bytes = Math.multiplyExact(n, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException("array too large: shape=" + Arrays.toString(shape));
    }
    if (bytes != byteSize) {
      throw new InvalidArgumentException(
          "shape="
              + Arrays.toString(shape)
              + " of dtype="
              + dtype.numpyName()
              + " needs "
              + bytes
              + " bytes but the data has byteSize="
              + byteSize);
    }
    return n;
  }

  /**
   * {@return the element count of {@code shape}}
   *
   * @param shape the shape
   * @throws InvalidArgumentException naming the shape if it has too many dimensions or a negative
   *     extent
   */
  public static long elementCount(long... shape) {
    if (shape.length > MAX_DIMS) {
      throw new InvalidArgumentException(
          "at most "
              + MAX_DIMS
              + " dimensions: ndim="
              + shape.length
              + " shape="
              + Arrays.toString(shape));
    }
    long n = 1;
    for (long extent : shape) {
      if (extent < 0) {
        throw new InvalidArgumentException("negative extent in shape=" + Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, extent);
      } catch (ArithmeticException e) {
        throw new InvalidArgumentException("array too large: shape=" + Arrays.toString(shape));
      }
    }
    return n;
  }

  /** {@return the element type} */
  public DType dtype() {
    return dtype;
  }

  /** {@return the number of dimensions (0 for a scalar)} */
  public int ndim() {
    return shape.length;
  }

  /** {@return a copy of the shape} */
  public long[] shape() {
    return shape.clone();
  }

  /**
   * {@return the extent of dimension {@code dim}}
   *
   * @param dim the dimension, from 0
   */
  public long shape(int dim) {
    return shape[dim];
  }

  /** {@return the number of elements} */
  public long size() {
    return size;
  }

  /** {@return the size of the data in bytes} */
  public long byteSize() {
    return data.byteSize();
  }

  /** {@return the elements, zero-copy (read-only for arrays read from a store)} */
  public MemorySegment segment() {
    return data;
  }

  /**
   * {@return the flat (row-major) index of the element at {@code index}}
   *
   * @param index one index per dimension
   * @throws IndexOutOfBoundsException naming the index if it has the wrong rank or is out of range
   */
  public long flatIndex(long... index) {
    if (index.length != shape.length) {
      throw new IndexOutOfBoundsException(
          "index="
              + Arrays.toString(index)
              + " has rank "
              + index.length
              + " but ndim="
              + shape.length);
    }
    long flat = 0;
    for (int d = 0; d < shape.length; d++) {
      if (index[d] < 0 || index[d] >= shape[d]) {
        throw new IndexOutOfBoundsException(
            "index=" + Arrays.toString(index) + " out of shape=" + Arrays.toString(shape));
      }
      flat = flat * shape[d] + index[d];
    }
    return flat;
  }

  final void require(DType expected) {
    if (dtype != expected) {
      throw new TypeMismatchException(
          "array has dtype=" + dtype.numpyName() + ", accessed as " + expected.numpyName());
    }
  }

  /**
   * Element {@code i} (flat index) of a FLOAT64 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public double getDouble(long i) {
    require(DType.FLOAT64);
    return data.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
  }

  /**
   * Element {@code i} (flat index) of a FLOAT32 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public float getFloat(long i) {
    require(DType.FLOAT32);
    return data.getAtIndex(ValueLayout.JAVA_FLOAT, i);
  }

  /**
   * Element {@code i} (flat index) of an INT64 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public long getLong(long i) {
    require(DType.INT64);
    return data.getAtIndex(ValueLayout.JAVA_LONG, i);
  }

  /**
   * Element {@code i} (flat index) of an INT32 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public int getInt(long i) {
    require(DType.INT32);
    return data.getAtIndex(ValueLayout.JAVA_INT, i);
  }

  /**
   * Element {@code i} (flat index) of an INT16 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public short getShort(long i) {
    require(DType.INT16);
    return data.getAtIndex(ValueLayout.JAVA_SHORT, i);
  }

  /**
   * Element {@code i} (flat index) of an INT8 array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public byte getByte(long i) {
    require(DType.INT8);
    return data.get(ValueLayout.JAVA_BYTE, i);
  }

  /**
   * Element {@code i} (flat index) of a UINT8 array, 0..255.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public int getUnsignedByte(long i) {
    require(DType.UINT8);
    return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
  }

  /**
   * Element {@code i} (flat index) of a BOOL array.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public boolean getBoolean(long i) {
    require(DType.BOOL);
    return data.get(ValueLayout.JAVA_BYTE, i) != 0;
  }

  /**
   * Element {@code i} (flat index) of an array of any dtype, converted to {@code double}.
   *
   * @param i the flat (row-major) index
   * @return the element
   */
  public double getAsDouble(long i) {
    return switch (dtype) {
      case FLOAT64 -> data.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
      case FLOAT32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT, i);
      case INT64 -> data.getAtIndex(ValueLayout.JAVA_LONG, i);
      case INT32 -> data.getAtIndex(ValueLayout.JAVA_INT, i);
      case INT16 -> data.getAtIndex(ValueLayout.JAVA_SHORT, i);
      case INT8, BOOL -> data.get(ValueLayout.JAVA_BYTE, i);
      case UINT8 -> Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, i));
    };
  }

  private int javaLength() {
    if (size > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException("array of size=" + size + " does not fit a Java array");
    }
    return (int) size;
  }

  /**
   * {@return the elements as a direct {@link ByteBuffer} in native byte order, zero-copy (read-only
   * for arrays read from a store), valid while the handle the view came from is open}
   *
   * @throws InvalidArgumentException if the array is larger than a buffer can address (2 GiB)
   */
  public ByteBuffer asByteBuffer() {
    if (data.byteSize() > Integer.MAX_VALUE) {
      throw new InvalidArgumentException(
          "array of byteSize=" + data.byteSize() + " does not fit a ByteBuffer");
    }
    return data.asByteBuffer().order(ByteOrder.nativeOrder());
  }

  /**
   * {@return the elements of a FLOAT64 array as a {@link DoubleBuffer}, zero-copy: direct (over
   * native memory) for arrays read from a store, and read-only for those} Valid while the handle
   * the view came from is open.
   *
   * @throws TypeMismatchException if the array is not FLOAT64
   * @throws InvalidArgumentException if the array is larger than a buffer can address (2 GiB)
   */
  public DoubleBuffer asDoubleBuffer() {
    require(DType.FLOAT64);
    return asByteBuffer().asDoubleBuffer();
  }

  /**
   * Elements per chunk of the bulk loops: an int-indexed slice, whose checks C2 hoists out of the
   * loop.
   */
  private static final int CHUNK = 1 << 16;

  /**
   * {@return the sum of all elements, as {@code double}, at memory bandwidth: the elements are read
   * in chunks through int-indexed slices of {@link #segment()} with eight independent accumulators,
   * a loop C2 compiles to unrolled wide loads with the bounds and liveness checks hoisted} The
   * additions are grouped by position modulo 8 (pairwise at the end), so the result may differ from
   * a strict left-to-right sum in the last bits, as NumPy's pairwise sum does. Integer dtypes are
   * converted to {@code double} element by element.
   */
  public double sum() {
    double total = 0;
    for (long off = 0; off < size; off += CHUNK) {
      int n = (int) Math.min(CHUNK, size - off);
      MemorySegment chunk = data.asSlice(off * dtype.itemSize(), (long) n * dtype.itemSize());
      total += dtype == DType.FLOAT64 ? sumDoubles(chunk, n) : sumAsDouble(chunk, n);
    }
    return total;
  }

  private static double sumDoubles(MemorySegment c, int n) {
    ValueLayout.OfDouble d = ValueLayout.JAVA_DOUBLE;
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
      s0 += c.getAtIndex(d, i);
      s1 += c.getAtIndex(d, i + 1);
      s2 += c.getAtIndex(d, i + 2);
      s3 += c.getAtIndex(d, i + 3);
      s4 += c.getAtIndex(d, i + 4);
      s5 += c.getAtIndex(d, i + 5);
      s6 += c.getAtIndex(d, i + 6);
      s7 += c.getAtIndex(d, i + 7);
    }
    for (; i < n; i++) {
      s0 += c.getAtIndex(d, i);
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  private double sumAsDouble(MemorySegment c, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      s +=
          switch (dtype) {
            case FLOAT64 -> c.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            case FLOAT32 -> c.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case INT64 -> c.getAtIndex(ValueLayout.JAVA_LONG, i);
            case INT32 -> c.getAtIndex(ValueLayout.JAVA_INT, i);
            case INT16 -> c.getAtIndex(ValueLayout.JAVA_SHORT, i);
            case INT8, BOOL -> c.get(ValueLayout.JAVA_BYTE, i);
            case UINT8 -> Byte.toUnsignedInt(c.get(ValueLayout.JAVA_BYTE, i));
          };
    }
    return s;
  }

  /**
   * Copies a FLOAT64 array out.
   *
   * @return a new array of the elements
   */
  public double[] toDoubleArray() {
    require(DType.FLOAT64);
    double[] out = new double[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_DOUBLE, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies a FLOAT32 array out.
   *
   * @return a new array of the elements
   */
  public float[] toFloatArray() {
    require(DType.FLOAT32);
    float[] out = new float[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies an INT64 array out.
   *
   * @return a new array of the elements
   */
  public long[] toLongArray() {
    require(DType.INT64);
    long[] out = new long[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_LONG, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies an INT32 array out.
   *
   * @return a new array of the elements
   */
  public int[] toIntArray() {
    require(DType.INT32);
    int[] out = new int[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_INT, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies an INT16 array out.
   *
   * @return a new array of the elements
   */
  public short[] toShortArray() {
    require(DType.INT16);
    short[] out = new short[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_SHORT, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies an INT8, UINT8 or BOOL array out as raw bytes.
   *
   * @return a new array of the elements
   */
  public byte[] toByteArray() {
    if (dtype.itemSize() != 1) {
      throw new TypeMismatchException(
          "array has dtype=" + dtype.numpyName() + ", accessed as bytes");
    }
    byte[] out = new byte[javaLength()];
    MemorySegment.copy(data, ValueLayout.JAVA_BYTE, 0, out, 0, out.length);
    return out;
  }

  /**
   * Copies a BOOL array out.
   *
   * @return a new array of the elements
   */
  public boolean[] toBooleanArray() {
    require(DType.BOOL);
    boolean[] out = new boolean[javaLength()];
    for (int i = 0; i < out.length; i++) {
      out[i] = data.get(ValueLayout.JAVA_BYTE, i) != 0;
    }
    return out;
  }

  @Override
  public String toString() {
    return "NDArray[dtype=" + dtype.numpyName() + ", shape=" + Arrays.toString(shape) + "]";
  }
}
