package io.depot;

import java.lang.foreign.ValueLayout;

/**
 * Element types of typed arrays, with NumPy's names. Elements are stored in native byte order
 * (little-endian on x86-64 and arm64), C-contiguous (row-major), so a NumPy array over the same
 * bytes reads them unchanged.
 */
public enum DType {
  /** 64-bit IEEE 754 ({@code numpy.float64}). */
  FLOAT64(1, 8, ValueLayout.JAVA_DOUBLE),
  /** 32-bit IEEE 754 ({@code numpy.float32}). */
  FLOAT32(2, 4, ValueLayout.JAVA_FLOAT),
  /** 64-bit signed ({@code numpy.int64}). */
  INT64(3, 8, ValueLayout.JAVA_LONG),
  /** 32-bit signed ({@code numpy.int32}). */
  INT32(4, 4, ValueLayout.JAVA_INT),
  /** 16-bit signed ({@code numpy.int16}). */
  INT16(5, 2, ValueLayout.JAVA_SHORT),
  /** 8-bit signed ({@code numpy.int8}). */
  INT8(6, 1, ValueLayout.JAVA_BYTE),
  /** 8-bit unsigned ({@code numpy.uint8}); read as {@code int} 0..255. */
  UINT8(7, 1, ValueLayout.JAVA_BYTE),
  /** One byte per element, 0 or 1 ({@code numpy.bool_}). */
  BOOL(8, 1, ValueLayout.JAVA_BYTE);

  private static final DType[] BY_CODE = new DType[9];

  static {
    for (DType t : values()) {
      BY_CODE[t.code] = t;
    }
  }

  private final int code;
  private final int itemSize;

  @SuppressWarnings("ImmutableEnumChecker") // ValueLayout is an immutable (value-based) JDK type
  private final ValueLayout layout;

  DType(int code, int itemSize, ValueLayout layout) {
    this.code = code;
    this.itemSize = itemSize;
    this.layout = layout;
  }

  /**
   * Bytes per element.
   *
   * @return the element size in bytes
   */
  public int itemSize() {
    return itemSize;
  }

  /** {@return the FFM layout of one element} */
  public ValueLayout layout() {
    return layout;
  }

  /** {@return the NumPy name, e.g. {@code "float64"}} */
  public String numpyName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** {@return the code stored in the store file} */
  public int code() {
    return code;
  }

  /**
   * {@return the dtype stored as {@code code}}
   *
   * @param code the code stored in the store file
   * @throws CorruptStoreException if no dtype has that code
   */
  public static DType ofCode(int code) {
    DType t = code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    if (t == null) {
      throw new CorruptStoreException("unknown dtype code=" + code);
    }
    return t;
  }
}
