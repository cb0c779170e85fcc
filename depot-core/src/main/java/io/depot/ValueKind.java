package io.depot;

/** What an object holds; fixed when it is written. */
public enum ValueKind {
  /** Raw bytes. */
  BYTES(1),
  /** A string, stored as UTF-8. */
  STRING(2),
  /** A typed array with a {@link DType} and a shape. */
  ARRAY(3),
  /** Bytes written by a {@link Codec}; the codec id is stored with them. */
  ENCODED(4),
  /** A bounded queue of multi-track entries. */
  QUEUE(5);

  private final int code;

  ValueKind(int code) {
    this.code = code;
  }

  /** {@return the code stored in the store file} */
  public int code() {
    return code;
  }

  /**
   * {@return the kind stored as {@code code}}
   *
   * @param code the code stored in the store file
   * @throws CorruptStoreException if no kind has that code
   */
  public static ValueKind ofCode(int code) {
    ValueKind k = code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    if (k == null) {
      throw new CorruptStoreException("unknown value kind code=" + code);
    }
    return k;
  }

  /** The kinds by code (a lookup without {@code values()}'s copy of the array). */
  private static final ValueKind[] BY_CODE;

  static {
    int max = 0;
    for (ValueKind k : values()) {
      max = Math.max(max, k.code);
    }
    BY_CODE = new ValueKind[max + 1];
    for (ValueKind k : values()) {
      BY_CODE[k.code] = k;
    }
  }
}
