package io.depot.storage;

import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.ByteBuffer;

/**
 * A read-only view of a whole blob, verified against its SHA-256 when it was opened. Where the
 * provider supports it ({@link StorageProvider#zeroCopyViews()}: {@code shm:}, {@code mem:}, {@code
 * file:}) the view is zero-copy: the segment is the stored bytes themselves (shared memory, the
 * in-process array, a read-only file mapping), held until {@link #close()}; otherwise it is a heap
 * copy.
 *
 * <p>The segment must not be used after close (for {@code shm:} its memory may then be reused by
 * another blob). Close is idempotent and may be called from any thread.
 */
public interface BlobView extends AutoCloseable {
  /** {@return the blob's URI} */
  URI uri();

  /** {@return the blob's size in bytes} */
  long size();

  /**
   * {@return the blob's bytes, read-only}
   *
   * @throws IllegalStateException if the view is closed
   */
  MemorySegment segment();

  /**
   * {@return the blob's bytes as a read-only {@link ByteBuffer} (for blobs of at most 2 GiB - 1)}
   */
  default ByteBuffer asByteBuffer() {
    return segment().asByteBuffer();
  }

  /** Releases the hold on the bytes. Idempotent. */
  @Override
  void close();
}
