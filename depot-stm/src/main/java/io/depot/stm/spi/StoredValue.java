package io.depot.stm.spi;

import io.depot.DType;
import io.depot.stm.ValueType;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A value as read from a backend. {@link #payload()} is valid until {@link #close()} (on shared
 * memory it is the store's memory, pinned by the handle). Closing twice is harmless.
 */
public interface StoredValue extends AutoCloseable {
  /** {@return the kind} */
  ValueType type();

  /**
   * {@code "json"} for JSON, the codec's id for {@link ValueType#CODEC}, else null.
   *
   * @return the codec's id, or null
   */
  @Nullable String codecId();

  /** {@return the element type of an array, else null} */
  @Nullable DType dtype();

  /** {@return the shape of an array, else empty} */
  long[] shape();

  /** {@return the bytes, read-only} */
  MemorySegment payload();

  /** {@return the version} */
  long version();

  /** Releases the value. */
  @Override
  void close();
}
