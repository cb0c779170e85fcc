package io.depot;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A writable {@link NDArray}: the view a {@link WriteClaim} hands its writer, to fill in place
 * before commit. Setters check the dtype and the index like the getters.
 */
public final class MutableNDArray extends NDArray {
  MutableNDArray(DType dtype, MemorySegment data, long[] shape) {
    super(dtype, data, shape);
  }

  /**
   * {@return a writable view of {@code data} as an array of {@code dtype} with {@code shape}}
   *
   * @param dtype the element type
   * @param data the elements, native byte order
   * @param shape the shape
   * @throws InvalidArgumentException if the segment is read-only or the shape does not cover it
   *     exactly
   */
  public static MutableNDArray wrap(DType dtype, MemorySegment data, long... shape) {
    if (data.isReadOnly()) {
      throw new InvalidArgumentException("a MutableNDArray needs a writable segment");
    }
    return new MutableNDArray(dtype, data, shape);
  }

  /**
   * Sets element {@code i} (flat index) of a FLOAT64 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setDouble(long i, double value) {
    require(DType.FLOAT64);
    data.setAtIndex(ValueLayout.JAVA_DOUBLE, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of a FLOAT32 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setFloat(long i, float value) {
    require(DType.FLOAT32);
    data.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of an INT64 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setLong(long i, long value) {
    require(DType.INT64);
    data.setAtIndex(ValueLayout.JAVA_LONG, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of an INT32 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setInt(long i, int value) {
    require(DType.INT32);
    data.setAtIndex(ValueLayout.JAVA_INT, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of an INT16 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setShort(long i, short value) {
    require(DType.INT16);
    data.setAtIndex(ValueLayout.JAVA_SHORT, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of an INT8 array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setByte(long i, byte value) {
    require(DType.INT8);
    data.set(ValueLayout.JAVA_BYTE, i, value);
  }

  /**
   * Sets element {@code i} (flat index) of a UINT8 array to {@code value & 0xff}.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setUnsignedByte(long i, int value) {
    require(DType.UINT8);
    data.set(ValueLayout.JAVA_BYTE, i, (byte) value);
  }

  /**
   * Sets element {@code i} (flat index) of a BOOL array.
   *
   * @param i the flat (row-major) index
   * @param value the new value
   */
  public void setBoolean(long i, boolean value) {
    require(DType.BOOL);
    data.set(ValueLayout.JAVA_BYTE, i, (byte) (value ? 1 : 0));
  }

  /**
   * Copies {@code source}'s elements in.
   *
   * @param source the array to copy
   * @throws TypeMismatchException if the dtype or shape differs
   */
  public void copyFrom(NDArray source) {
    if (source.dtype() != dtype() || !java.util.Arrays.equals(source.shape(), shape())) {
      throw new TypeMismatchException("cannot copy " + source + " into " + this);
    }
    MemorySegment.copy(source.segment(), 0, data, 0, data.byteSize());
  }
}
