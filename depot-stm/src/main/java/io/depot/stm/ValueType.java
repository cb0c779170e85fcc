package io.depot.stm;

/** How a value is stored; fixed when it is written and reported by {@link StmValue#type()}. */
public enum ValueType {
  /** UTF-8 JSON (the default for records, POJOs, maps, lists, numbers and booleans). */
  JSON,
  /** Raw bytes ({@code byte[]}). */
  BYTES,
  /** A string, stored as UTF-8. */
  STRING,
  /** A typed array ({@link io.depot.NDArray}): dtype, shape and elements in native byte order. */
  ARRAY,
  /** Bytes written by a caller's {@link io.depot.Codec}; its id is stored with them. */
  CODEC
}
