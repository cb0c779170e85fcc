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
    for (ValueKind k : values()) {
      if (k.code == code) {
        return k;
      }
    }
    throw new CorruptStoreException("unknown value kind code=" + code);
  }
}
