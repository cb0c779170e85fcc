package io.depot.storage.spi;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 digests and their 64-digit lower-case hex form. */
public final class Sha256 {
  /** Digest length in bytes. */
  public static final int BYTES = 32;

  /** Hex length in characters. */
  public static final int HEX_LENGTH = 64;

  private static final HexFormat HEX = HexFormat.of();

  /**
   * Chunk of a segment hashed per call, so that a huge off-heap segment is hashed without a heap
   * copy.
   */
  private static final int SEGMENT_CHUNK = 1 << 20;

  private Sha256() {}

  /** {@return a new SHA-256 digest} */
  public static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * {@return the digest of {@code data}}
   *
   * @param data the bytes
   */
  public static byte[] of(byte[] data) {
    return newDigest().digest(data);
  }

  /**
   * {@return the digest of a segment's bytes (read in place; an off-heap segment is not copied to
   * the heap)}
   *
   * @param data the bytes
   */
  public static byte[] of(MemorySegment data) {
    MessageDigest md = newDigest();
    update(md, data);
    return md.digest();
  }

  /**
   * Feeds a segment's bytes to {@code md}.
   *
   * @param md the digest being computed
   * @param data the bytes to add
   */
  public static void update(MessageDigest md, MemorySegment data) {
    long size = data.byteSize();
    for (long off = 0; off < size; off += SEGMENT_CHUNK) {
      ByteBuffer bb = data.asSlice(off, Math.min(SEGMENT_CHUNK, size - off)).asByteBuffer();
      md.update(bb);
    }
  }

  /**
   * Copies {@code src} into {@code dst} (at least as long) and returns the digest of the bytes,
   * hashing each chunk right after copying it, while it is still in the cache: one pass over the
   * source instead of two.
   *
   * @param src the bytes to copy
   * @param dst where to copy them (from index 0)
   * @return the SHA-256 of {@code src}
   */
  public static byte[] copyAndDigest(MemorySegment src, byte[] dst) {
    MessageDigest md = newDigest();
    int size = Math.toIntExact(src.byteSize());
    for (int off = 0; off < size; off += SEGMENT_CHUNK) {
      int n = Math.min(SEGMENT_CHUNK, size - off);
      MemorySegment.copy(src, java.lang.foreign.ValueLayout.JAVA_BYTE, off, dst, off, n);
      md.update(dst, off, n);
    }
    return md.digest();
  }

  /**
   * {@return Lower-case hex}
   *
   * @param digest a digest (any length)
   */
  public static String hex(byte[] digest) {
    return HEX.formatHex(digest);
  }

  /**
   * {@return the bytes of a 64-digit hex digest}
   *
   * @param hex 64 hex digits
   */
  public static byte[] unhex(String hex) {
    return HEX.parseHex(hex);
  }

  /**
   * {@return whether {@code s} is 64 lower-case hex digits}
   *
   * @param s the text to check
   */
  public static boolean isHex(String s) {
    if (s.length() != HEX_LENGTH) {
      return false;
    }
    for (int i = 0; i < HEX_LENGTH; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
