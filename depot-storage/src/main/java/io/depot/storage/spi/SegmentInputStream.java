package io.depot.storage.spi;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * An input stream over a memory segment's bytes (on or off the heap); closing runs an optional
 * release action once.
 */
public final class SegmentInputStream extends InputStream {
  private final MemorySegment segment;
  private final Runnable onClose;
  private long position;
  private boolean closed;

  /**
   * A stream over {@code segment}; closing does nothing.
   *
   * @param segment the bytes to stream
   */
  public SegmentInputStream(MemorySegment segment) {
    this(segment, () -> {});
  }

  /**
   * A stream over {@code segment}; the first close runs {@code onClose} (for example, closing a
   * handle).
   *
   * @param segment the bytes to stream
   * @param onClose run once, by the first close
   */
  public SegmentInputStream(MemorySegment segment, Runnable onClose) {
    this.segment = Objects.requireNonNull(segment, "segment");
    this.onClose = Objects.requireNonNull(onClose, "onClose");
  }

  @Override
  public int read() {
    if (position >= segment.byteSize()) {
      return -1;
    }
    return segment.get(ValueLayout.JAVA_BYTE, position++) & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    long remaining = segment.byteSize() - position;
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = (int) Math.min(len, remaining);
    MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, position, b, off, n);
    position += n;
    return n;
  }

  @Override
  public long skip(long n) {
    long k = Math.max(0, Math.min(n, segment.byteSize() - position));
    position += k;
    return k;
  }

  @Override
  public int available() {
    return (int) Math.min(Integer.MAX_VALUE, segment.byteSize() - position);
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      onClose.run();
    }
  }
}
