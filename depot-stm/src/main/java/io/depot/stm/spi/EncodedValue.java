package io.depot.stm.spi;

import io.depot.DType;
import io.depot.stm.ValueType;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A value ready to store: its kind, codec id, array metadata, and bytes.
 *
 * @param type the kind
 * @param codecId {@code "json"} for JSON, the codec's id for {@link ValueType#CODEC}, else null
 * @param dtype the element type of an {@link ValueType#ARRAY}, else null
 * @param shape the shape of an {@link ValueType#ARRAY}, else empty (not copied: callers must not
 *     change it)
 * @param payload the bytes (heap or native; only read during the write)
 */
public record EncodedValue(
    ValueType type,
    @Nullable String codecId,
    @Nullable DType dtype,
    long[] shape,
    MemorySegment payload) {
  private static final long[] NO_SHAPE = new long[0];

  /** Checks the fields. */
  public EncodedValue {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(payload, "payload");
    shape = shape == null ? NO_SHAPE : shape;
  }

  /**
   * {@return a value without array metadata}
   *
   * @param type how the payload is encoded
   * @param codecId the codec's id, {@code "json"} for JSON, else null
   * @param payload the encoded bytes
   */
  public static EncodedValue of(ValueType type, @Nullable String codecId, MemorySegment payload) {
    return new EncodedValue(type, codecId, null, NO_SHAPE, payload);
  }

  /** {@return the payload size in bytes} */
  public long size() {
    return payload.byteSize();
  }
}
