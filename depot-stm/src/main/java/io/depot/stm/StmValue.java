package io.depot.stm;

import io.depot.Codec;
import io.depot.NDArray;
import java.lang.foreign.MemorySegment;
import org.jspecify.annotations.Nullable;

/**
 * A read-only view of one stored value, valid until closed. On the shared-memory backend the view
 * is zero-copy: the bytes and typed arrays it hands out are the store's memory, held unchanged
 * (even if the key is overwritten or removed meanwhile) until {@link #close()}; after close they
 * must not be touched. Other backends hand out heap copies with the same API.
 *
 * <p>A view may be used from any thread; closing twice is harmless.
 */
public interface StmValue extends AutoCloseable {
  /** {@return the key} */
  String key();

  /** {@return how the value is stored} */
  ValueType type();

  /** {@return the value's version (see {@link Workflow#compareAndSet})} */
  long version();

  /**
   * {@return the id of the codec that wrote it: {@code "json"} for {@link ValueType#JSON}, else
   * {@code null} unless {@link ValueType#CODEC}}
   */
  @Nullable String codecId();

  /**
   * {@return the encoded bytes (UTF-8 JSON, raw bytes, UTF-8 string, array elements, or a codec's
   * bytes), read-only}
   */
  MemorySegment bytes();

  /**
   * {@return the typed array, zero-copy on the shared-memory backend}
   *
   * @throws io.depot.TypeMismatchException if the value is not an {@link ValueType#ARRAY}
   */
  NDArray asArray();

  /**
   * {@return the value decoded into {@code type} (see {@link Workflow#get(String, Class)})}
   *
   * @param <T> the value's type
   * @param type the class to decode into
   * @throws io.depot.TypeMismatchException if the value is not of a kind that can become {@code
   *     type}
   * @throws io.depot.CodecException naming the type if decoding fails
   */
  <T> T as(Class<T> type);

  /**
   * {@return the value decoded by {@code codec}}
   *
   * @param <T> the value's type
   * @param codec the codec that encodes and decodes the value
   */
  <T> T as(Codec<T> codec);

  /** Releases the view. Idempotent. */
  @Override
  void close();
}
