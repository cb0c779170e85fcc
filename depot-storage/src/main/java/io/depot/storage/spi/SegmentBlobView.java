package io.depot.storage.spi;

import io.depot.storage.BlobView;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@link BlobView} of every provider: a verified segment (a heap copy, a file mapping, shared
 * memory) and what releases it, run once by the first {@link #close()}.
 */
public final class SegmentBlobView implements BlobView {
  private final URI uri;
  private final MemorySegment segment;
  private final Runnable release;
  private final AtomicBoolean open = new AtomicBoolean(true);

  /**
   * A view of {@code segment} (already verified), released by {@code release} (e.g. an arena's or a
   * handle's close).
   *
   * @param uri the blob's URI
   * @param segment the blob's verified bytes
   * @param release run once, by the first close
   */
  public SegmentBlobView(URI uri, MemorySegment segment, Runnable release) {
    this.uri = Objects.requireNonNull(uri, "uri");
    this.segment = Objects.requireNonNull(segment, "segment");
    this.release = Objects.requireNonNull(release, "release");
  }

  /**
   * {@return a view of a heap segment, which needs no release}
   *
   * @param uri the blob's URI
   * @param segment the blob's verified bytes, on the heap
   */
  public static SegmentBlobView ofHeap(URI uri, MemorySegment segment) {
    return new SegmentBlobView(uri, segment, SegmentBlobView::nothing);
  }

  @Override
  public URI uri() {
    return uri;
  }

  @Override
  public long size() {
    return segment.byteSize();
  }

  @Override
  public MemorySegment segment() {
    if (!open.get()) {
      throw new IllegalStateException("blob view is closed: uri=" + uri);
    }
    return segment;
  }

  @Override
  public void close() {
    if (open.compareAndSet(true, false)) {
      release.run();
    }
  }

  @Override
  public String toString() {
    return "BlobView["
        + uri
        + ", "
        + io.depot.ByteSize.format(segment.byteSize())
        + (open.get() ? "" : ", closed")
        + "]";
  }

  private static void nothing() {
    // a view of memory that needs no release
  }
}
