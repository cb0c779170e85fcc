package io.depot;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;

/**
 * Turns objects into bytes and back, so any object can be stored. Implementations are found by
 * {@link java.util.ServiceLoader} (see {@link Codecs#byId(String)}) or passed explicitly.
 *
 * <p>A codec must never instantiate classes named by the data it reads unless they are on an allow
 * list: the bytes in a shared store come from other processes. Depot itself never uses Java native
 * serialization.
 *
 * @param <T> the type of the values
 */
public interface Codec<T> {
  /**
   * {@return a stable identifier stored with every value, at most {@value Codecs#MAX_ID_LENGTH}
   * ASCII characters, e.g. {@code "json"}} Reading a value with a codec of another id is a {@link
   * TypeMismatchException}.
   */
  String id();

  /**
   * Writes the encoding of {@code value} to {@code out}.
   *
   * @param value the value to encode
   * @param out where the encoding goes
   * @throws IOException if the value cannot be encoded
   */
  void encode(T value, OutputStream out) throws IOException;

  /**
   * Decodes a value from {@code data}, a read-only view of the stored bytes that is valid only
   * during this call.
   *
   * @param data the stored bytes
   * @return the value
   * @throws IOException if the bytes are not a valid encoding
   */
  T decode(MemorySegment data) throws IOException;
}
