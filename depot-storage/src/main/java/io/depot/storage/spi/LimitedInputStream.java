package io.depot.storage.spi;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/**
 * Passes on at most {@code limit} bytes of a source stream, then reports the end. Closing it closes
 * the source.
 */
public final class LimitedInputStream extends InputStream {
  private final InputStream in;
  private long remaining;

  /**
   * A stream of at most {@code limit} bytes of {@code in}.
   *
   * @param in the source
   * @param limit how many bytes to pass on at most
   */
  public LimitedInputStream(InputStream in, long limit) {
    this.in = Objects.requireNonNull(in, "in");
    this.remaining = limit;
  }

  @Override
  public int read() throws IOException {
    if (remaining <= 0) {
      return -1;
    }
    int b = in.read();
    if (b >= 0) {
      remaining--;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n > 0) {
      remaining -= n;
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), remaining);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
