package io.depot;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * A reader's hold on a committed object (the block is BUSY while any handle is open). The views it
 * hands out stay valid and unchanged until it is closed, even if the object is removed meanwhile;
 * after close, the memory may be reused, so views must not be touched any more (doing so reads
 * unspecified bytes, never crashes the JVM).
 *
 * <p>A handle may be used and closed from any thread; closing twice is harmless. Each open handle
 * takes a slot of its process's handle journal ({@link
 * DepotOptions.Builder#maxHandlesPerClient(int)}).
 *
 * <p>On Redis ({@link ObjectStore} opened by a {@code redis://} URI) a handle is a copy taken by
 * {@code get}: its views are read-only heap memory, they stay valid after the object is removed,
 * and holding the handle pins nothing on the server; zero copy is a shared-memory property.
 */
public interface ObjectHandle extends AutoCloseable {
  /** {@return the object's name} */
  String name();

  /** {@return what the object holds} */
  ValueKind kind();

  /** {@return the size of the value in bytes} */
  long size();

  /**
   * {@return the value's bytes, zero-copy and read-only}
   *
   * @throws HandleClosedException if the handle is closed
   */
  MemorySegment segment();

  /** {@return the value's bytes as a read-only, zero-copy {@link ByteBuffer}} */
  ByteBuffer asByteBuffer();

  /** {@return a copy of the value's bytes} */
  byte[] toByteArray();

  /**
   * {@return the value as a string}
   *
   * @throws TypeMismatchException if the object is not a {@link ValueKind#STRING}
   */
  String asString();

  /**
   * {@return the value as a zero-copy, read-only typed array}
   *
   * @throws TypeMismatchException if the object is not an {@link ValueKind#ARRAY}
   */
  NDArray asArray();

  /**
   * {@return the id of the codec that wrote an {@link ValueKind#ENCODED} value, or {@code null} for
   * other kinds}
   */
  @Nullable String codecId();

  /**
   * Decodes the value with {@code codec}.
   *
   * @param <T> the value's type
   * @param codec the codec that decodes it
   * @return the value
   * @throws TypeMismatchException if the value was not written by a codec with the same id
   * @throws CodecException if the codec fails
   */
  <T> T decode(Codec<T> codec);

  /**
   * {@return the version of this committed value: different for every commit of a name (also across
   * a remove and a new put), never {@link Depot#NO_VERSION}; on shared memory also unique among the
   * store's live objects (on Redis two names may share a version)} Pass it to {@link
   * Depot#compareAndSet} or {@link WriteClaim#commitIf} to replace exactly this value.
   */
  long version();

  /** {@return whether the handle is still open} */
  boolean isOpen();

  /** Releases the hold; the last release of a removed object frees its memory. Idempotent. */
  @Override
  void close();
}
