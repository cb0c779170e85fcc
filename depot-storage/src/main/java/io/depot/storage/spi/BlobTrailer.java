package io.depot.storage.spi;

import io.depot.storage.BlobInfo;
import io.depot.storage.IntegrityException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;

/**
 * The metadata record written after a blob's bytes by the providers that keep data and metadata in
 * one stored value ({@code shm:}, {@code file:}, {@code redis:}), so that one atomic publication (a
 * commit, a rename, a {@code RENAME}) covers both, the bytes start at offset 0 (ranged reads need
 * no adjustment), and a stream can be written without knowing its length first.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------------------------------------------------------+
 * |                      data (size bytes)                       ...
 * +---------------------------------------------------------------+  trailer start
 * |                    magic 'DPBT' (0x44504254)                  |  0
 * +-------------------------------+-------------------------------+
 * |          version (1)          |    content type length n      |  4
 * +-------------------------------+-------------------------------+
 * |                         data size (64)                        |  8
 * +---------------------------------------------------------------+
 * |                 created, epoch milliseconds (64)              |  16
 * +---------------------------------------------------------------+
 * |                   SHA-256 of the data (256 bits)              |  24
 * +---------------------------------------------------------------+
 * |                 content type, n bytes of US-ASCII            ...  56
 * +---------------------------------------------------------------+
 * |          CRC-32C of the trailer bytes before this field       |  56 + n
 * +---------------------------------------------------------------+
 * |                trailer length L = 68 + n (32)                 |  60 + n
 * +---------------------------------------------------------------+
 * |                    magic 'DPBE' (0x44504245)                  |  64 + n
 * +---------------------------------------------------------------+
 * </pre>
 *
 * All integers are big-endian. A reader reads the last {@value #TAIL_BYTES} bytes, checks the end
 * magic and {@code L}, then reads the whole trailer and checks its magic, version, CRC and data
 * size; any inconsistency is an {@link IntegrityException}. The CRC catches damaged metadata (the
 * data itself is covered by the SHA-256).
 *
 * @param size the data size in bytes
 * @param created when the blob was stored
 * @param sha256 the data's SHA-256 (32 bytes)
 * @param contentType the content type
 */
public record BlobTrailer(long size, Instant created, byte[] sha256, String contentType) {
  /** Bytes at the very end that locate the trailer: its length and the end magic. */
  public static final int TAIL_BYTES = 8;

  /** Trailer bytes besides the content type. */
  public static final int FIXED_BYTES = 68;

  /** The longest trailer. */
  public static final int MAX_BYTES = FIXED_BYTES + 255;

  private static final int MAGIC = 0x44504254;
  private static final int END_MAGIC = 0x44504245;
  private static final short VERSION = 1;
  private static final int VERSION_OFFSET = 4;
  private static final int TYPE_LENGTH_OFFSET = 6;
  private static final int SIZE_OFFSET = 8;
  private static final int CREATED_OFFSET = 16;
  private static final int SHA_OFFSET = 24;
  private static final int TYPE_OFFSET = 56;

  /** Copies the digest. */
  public BlobTrailer {
    sha256 = sha256.clone();
  }

  /** {@return a copy of the SHA-256 of the blob's bytes} */
  @Override
  public byte[] sha256() {
    return sha256.clone();
  }

  /** {@return the trailer's length in bytes} */
  public int length() {
    return FIXED_BYTES + contentType.length();
  }

  /** {@return the trailer's bytes} */
  public byte[] encode() {
    byte[] type = contentType.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer bb = ByteBuffer.allocate(FIXED_BYTES + type.length).order(ByteOrder.BIG_ENDIAN);
    bb.putInt(MAGIC)
        .putShort(VERSION)
        .putShort((short) type.length)
        .putLong(size)
        .putLong(created.toEpochMilli())
        .put(sha256)
        .put(type);
    bb.putInt(crc(bb.array(), TYPE_OFFSET + type.length))
        .putInt(FIXED_BYTES + type.length)
        .putInt(END_MAGIC);
    return bb.array();
  }

  /**
   * {@return the trailer length {@code L} from a stored value's last {@value #TAIL_BYTES} bytes}
   *
   * @param tail the last 8 bytes (fewer if the value is shorter: then it is not a blob)
   * @param totalLength the stored value's length
   * @param uri the blob, named in exceptions
   * @throws IntegrityException if they do not end a trailer
   */
  public static int trailerLength(byte[] tail, long totalLength, URI uri) {
    if (tail.length != TAIL_BYTES || totalLength < FIXED_BYTES) {
      throw new IntegrityException(
          "stored value too short for a blob trailer: length=" + totalLength, uri);
    }
    ByteBuffer bb = ByteBuffer.wrap(tail).order(ByteOrder.BIG_ENDIAN);
    int len = bb.getInt();
    if (bb.getInt() != END_MAGIC || len < FIXED_BYTES || len > MAX_BYTES || len > totalLength) {
      throw new IntegrityException(
          "damaged blob trailer (end magic or length): trailerLength=" + len, uri);
    }
    return len;
  }

  /**
   * Decodes a trailer and checks it against the stored value's length.
   *
   * @param trailer the last {@code L} bytes of the stored value
   * @param totalLength the stored value's length
   * @param uri the blob, named in exceptions
   * @return the trailer
   * @throws IntegrityException if it is damaged or does not match {@code totalLength}
   */
  public static BlobTrailer decode(byte[] trailer, long totalLength, URI uri) {
    ByteBuffer bb = ByteBuffer.wrap(trailer).order(ByteOrder.BIG_ENDIAN);
    int n =
        trailer.length < FIXED_BYTES ? -1 : Short.toUnsignedInt(bb.getShort(TYPE_LENGTH_OFFSET));
    if (n < 0
        || bb.getInt(0) != MAGIC
        || bb.getShort(VERSION_OFFSET) != VERSION
        || trailer.length != FIXED_BYTES + n
        || bb.getInt(TYPE_OFFSET + n + 4) != trailer.length
        || bb.getInt(TYPE_OFFSET + n + 8) != END_MAGIC) {
      throw new IntegrityException("damaged blob trailer (magic, version or length)", uri);
    }
    if (bb.getInt(TYPE_OFFSET + n) != crc(trailer, TYPE_OFFSET + n)) {
      throw new IntegrityException("damaged blob trailer (CRC-32C)", uri);
    }
    long size = bb.getLong(SIZE_OFFSET);
    if (size != totalLength - trailer.length) {
      throw new IntegrityException(
          "blob length does not match its trailer: size="
              + size
              + " stored="
              + (totalLength - trailer.length),
          uri);
    }
    byte[] sha = Arrays.copyOfRange(trailer, SHA_OFFSET, SHA_OFFSET + Sha256.BYTES);
    String type = new String(trailer, TYPE_OFFSET, n, StandardCharsets.US_ASCII);
    return new BlobTrailer(size, Instant.ofEpochMilli(bb.getLong(CREATED_OFFSET)), sha, type);
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  /**
   * Decodes a whole stored value's trailer from its bytes (data followed by trailer).
   *
   * @param value the whole stored value
   * @param uri the blob, named in exceptions
   * @return the trailer
   */
  public static BlobTrailer decodeFrom(byte[] value, URI uri) {
    if (value.length < FIXED_BYTES) {
      throw new IntegrityException(
          "stored value too short for a blob trailer: length=" + value.length, uri);
    }
    int len =
        trailerLength(
            Arrays.copyOfRange(value, value.length - TAIL_BYTES, value.length), value.length, uri);
    return decode(Arrays.copyOfRange(value, value.length - len, value.length), value.length, uri);
  }

  /**
   * Checks the trailer's digest against the name of a content-addressed blob.
   *
   * @param expected the digest named by the URI, or {@code null} for a keyed blob
   * @param uri the blob, named in exceptions
   * @return this trailer
   * @throws IntegrityException if they differ
   */
  public BlobTrailer checkName(byte @Nullable [] expected, URI uri) {
    if (expected != null && !Arrays.equals(expected, sha256)) {
      throw new IntegrityException(
          "blob trailer digest does not match the name: sha256=" + Sha256.hex(sha256), uri);
    }
    return this;
  }

  /**
   * {@return this metadata as a {@link BlobInfo}}
   *
   * @param uri the blob's URI
   */
  public BlobInfo info(URI uri) {
    return new BlobInfo(uri, size, contentType, created, Sha256.hex(sha256));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlobTrailer t
        && size == t.size
        && created.equals(t.created)
        && Arrays.equals(sha256, t.sha256)
        && contentType.equals(t.contentType);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size) * 31 + Arrays.hashCode(sha256);
  }

  @Override
  public String toString() {
    return "BlobTrailer[size="
        + size
        + ", created="
        + created
        + ", sha256="
        + Sha256.hex(sha256)
        + ", contentType="
        + contentType
        + "]";
  }
}
