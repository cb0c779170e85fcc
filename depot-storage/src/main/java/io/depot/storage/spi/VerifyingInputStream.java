package io.depot.storage.spi;

import io.depot.storage.IntegrityException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Passes on exactly {@code length} bytes of a source stream and checks their SHA-256: the read that
 * reaches the end throws {@link IntegrityException} if the digest differs, or if the source ends
 * early. Not thread-safe (as any stream). Closing it closes the source.
 */
public final class VerifyingInputStream extends InputStream {
  private final InputStream in;
  private final long length;
  private final byte[] expected;
  private final URI uri;
  private final MessageDigest md = Sha256.newDigest();
  private long read;
  private boolean verified;

  /**
   * A stream of {@code length} bytes of {@code in} that checks them against {@code expectedSha256}
   * at the end.
   *
   * @param in the source, positioned at the blob's first byte
   * @param length the blob's size
   * @param expectedSha256 its SHA-256
   * @param uri the blob, named in exceptions
   */
  public VerifyingInputStream(InputStream in, long length, byte[] expectedSha256, URI uri) {
    this.in = in;
    this.length = length;
    this.expected = expectedSha256.clone();
    this.uri = uri;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    if (read == length) {
      verify();
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = in.read(b, off, (int) Math.min(len, length - read));
    if (n < 0) {
      throw new IntegrityException("blob ended early: read=" + read + " size=" + length, uri);
    }
    md.update(b, off, n);
    read += n;
    if (read == length) {
      verify();
    }
    return n;
  }

  @Override
  public int available() throws IOException {
    return (int) Math.min(in.available(), length - read);
  }

  private void verify() {
    if (!verified) {
      byte[] actual = md.digest();
      if (!Arrays.equals(actual, expected)) {
        throw new IntegrityException(
            "blob bytes do not match their SHA-256: expected="
                + Sha256.hex(expected)
                + " actual="
                + Sha256.hex(actual),
            uri);
      }
      verified = true;
    }
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
