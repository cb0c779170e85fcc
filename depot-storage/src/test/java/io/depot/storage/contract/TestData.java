package io.depot.storage.contract;

import io.depot.storage.spi.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.util.SplittableRandom;

/**
 * Deterministic pseudo-random test bytes and streams of any length, generated on the fly (no heap
 * for the whole).
 */
public final class TestData {
  private TestData() {}

  /** {@code size} pseudo-random bytes from {@code seed}. */
  public static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** The SHA-256 hex of {@code data}. */
  public static String sha256(byte[] data) {
    return Sha256.hex(Sha256.of(data));
  }

  /**
   * A stream of {@code size} pseudo-random bytes from {@code seed}, handed out in reads of at most
   * {@code maxRead} bytes, as a network stream would (its length is not known to the reader).
   */
  public static InputStream stream(long size, long seed, int maxRead) {
    return new GeneratedStream(size, seed, maxRead, -1);
  }

  /** A stream that fails with an {@link IOException} after {@code failAfter} bytes. */
  public static InputStream failingStream(long size, long seed, long failAfter) {
    return new GeneratedStream(size, seed, 1 << 16, failAfter);
  }

  private static final class GeneratedStream extends InputStream {
    private final SplittableRandom random;
    private final long size;
    private final int maxRead;
    private final long failAfter;
    private final byte[] block = new byte[1 << 16];
    private int blockPos = block.length;
    private long pos;

    GeneratedStream(long size, long seed, int maxRead, long failAfter) {
      this.random = new SplittableRandom(seed);
      this.size = size;
      this.maxRead = maxRead;
      this.failAfter = failAfter;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (failAfter >= 0 && pos >= failAfter) {
        throw new IOException("test stream failure at position=" + pos);
      }
      if (pos >= size) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = (int) Math.min(Math.min(len, maxRead), size - pos);
      if (failAfter >= 0) {
        n = (int) Math.max(1, Math.min(n, failAfter - pos));
      }
      int done = 0;
      while (done < n) {
        if (blockPos == block.length) {
          random.nextBytes(block);
          blockPos = 0;
        }
        int k = Math.min(n - done, block.length - blockPos);
        System.arraycopy(block, blockPos, b, off + done, k);
        blockPos += k;
        done += k;
      }
      pos += n;
      return n;
    }
  }
}
