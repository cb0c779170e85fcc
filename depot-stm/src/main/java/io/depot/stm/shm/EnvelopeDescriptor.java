package io.depot.stm.shm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.depot.CorruptStoreException;
import io.depot.DType;
import io.depot.stm.ValueType;
import io.depot.stm.spi.EncodedValue;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The layout of one key's Depot object (kind BYTES): a self-describing header, then the value.
 * Little-endian. An object of 0 bytes is a <b>tombstone</b> (the key was popped or removed by
 * version; it reads as absent).
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+---------------+---------------+---------------+
 *  |  Format (8)   |   Type (8)    |   DType (8)   |   NDim (8)    |   0
 *  +---------------+---------------+---------------+---------------+
 *  | Codec id len  |   Flags (8)   |         Reserved (16)         |   4
 *  +---------------+---------------+-------------------------------+
 *  |            Key deadline, epoch milliseconds, 0 = none (64)    |   8
 *  +---------------------------------------------------------------+
 *  |                     Payload offset (32)                       |  16
 *  |                     Id length (32)                            |  20
 *  |                     Key length (32)                           |  24
 *  |                     Reserved (32)                             |  28
 *  +---------------------------------------------------------------+
 *  |   Shape: NDim x 64-bit extents                              ...  32
 *  |   Codec id (ASCII)                                          ...
 *  |   Id, key (UTF-8; only with flag NAMES, for hashed names)   ...
 *  |   Padding to 8 bytes (64 for arrays: cache-line aligned)    ...
 *  +---------------------------------------------------------------+
 *  |   Payload: JSON, bytes, UTF-8, array elements, codec bytes  ...  payload offset
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The object's data starts 64-byte aligned in the store, so an array payload is too: typed arrays
 * are read in place (zero-copy).
 */
final class EnvelopeDescriptor {
  static final int FORMAT = 1;

  static final int FORMAT_OFFSET = 0;
  static final int TYPE_OFFSET = FORMAT_OFFSET + 1;
  static final int DTYPE_OFFSET = TYPE_OFFSET + 1;
  static final int NDIM_OFFSET = DTYPE_OFFSET + 1;
  static final int CODEC_ID_LENGTH_OFFSET = NDIM_OFFSET + 1;
  static final int FLAGS_OFFSET = CODEC_ID_LENGTH_OFFSET + 1;
  static final int DEADLINE_OFFSET = FLAGS_OFFSET + 3;
  static final int PAYLOAD_OFFSET_OFFSET = DEADLINE_OFFSET + 8;
  static final int ID_LENGTH_OFFSET = PAYLOAD_OFFSET_OFFSET + 4;
  static final int KEY_LENGTH_OFFSET = ID_LENGTH_OFFSET + 4;
  static final int SHAPE_OFFSET = KEY_LENGTH_OFFSET + 8;
  static final int FIXED_LENGTH = SHAPE_OFFSET;

  /** Flag: the full id and key follow the codec id (the object's name is hashed). */
  static final int FLAG_NAMES = 1;

  private static final ValueLayout.OfLong LONG =
      JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT =
      JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private EnvelopeDescriptor() {}

  static int typeCode(ValueType type) {
    return switch (type) {
      case JSON -> 1;
      case BYTES -> 2;
      case STRING -> 3;
      case ARRAY -> 4;
      case CODEC -> 5;
    };
  }

  static ValueType type(int code, String name) {
    return switch (code) {
      case 1 -> ValueType.JSON;
      case 2 -> ValueType.BYTES;
      case 3 -> ValueType.STRING;
      case 4 -> ValueType.ARRAY;
      case 5 -> ValueType.CODEC;
      default ->
          throw new CorruptStoreException("unknown value type code=" + code + ": name=" + name);
    };
  }

  /** The header length (the payload offset) of a value. */
  static int headerLength(EncodedValue v, int idLength, int keyLength) {
    int codec = v.type() == ValueType.CODEC ? Objects.requireNonNull(v.codecId()).length() : 0;
    long raw = (long) FIXED_LENGTH + 8L * v.shape().length + codec + idLength + keyLength;
    int align = v.type() == ValueType.ARRAY ? 64 : 8;
    return (int) ((raw + align - 1) & -align);
  }

  /** Writes the header of {@code v} into {@code seg}; the payload goes at {@code headerLength}. */
  static void write(
      MemorySegment seg,
      EncodedValue v,
      long deadline,
      byte @Nullable [] id,
      byte @Nullable [] key,
      int headerLength) {
    int ndim = v.shape().length;
    byte[] codec =
        v.type() == ValueType.CODEC
            ? Objects.requireNonNull(v.codecId()).getBytes(StandardCharsets.US_ASCII)
            : null;
    seg.set(JAVA_BYTE, FORMAT_OFFSET, (byte) FORMAT);
    seg.set(JAVA_BYTE, TYPE_OFFSET, (byte) typeCode(v.type()));
    seg.set(JAVA_BYTE, DTYPE_OFFSET, (byte) (v.dtype() == null ? 0 : v.dtype().code()));
    seg.set(JAVA_BYTE, NDIM_OFFSET, (byte) ndim);
    seg.set(JAVA_BYTE, CODEC_ID_LENGTH_OFFSET, (byte) (codec == null ? 0 : codec.length));
    seg.set(JAVA_BYTE, FLAGS_OFFSET, (byte) (id != null ? FLAG_NAMES : 0));
    seg.set(JAVA_BYTE, FLAGS_OFFSET + 1, (byte) 0);
    seg.set(JAVA_BYTE, FLAGS_OFFSET + 2, (byte) 0);
    seg.set(LONG, DEADLINE_OFFSET, deadline);
    seg.set(INT, PAYLOAD_OFFSET_OFFSET, headerLength);
    seg.set(INT, ID_LENGTH_OFFSET, id == null ? 0 : id.length);
    seg.set(INT, KEY_LENGTH_OFFSET, key == null ? 0 : key.length);
    seg.set(INT, KEY_LENGTH_OFFSET + 4, 0);
    long at = SHAPE_OFFSET;
    for (long extent : v.shape()) {
      seg.set(LONG, at, extent);
      at += 8;
    }
    if (codec != null) {
      MemorySegment.copy(codec, 0, seg, JAVA_BYTE, at, codec.length);
      at += codec.length;
    }
    if (id != null) {
      MemorySegment.copy(id, 0, seg, JAVA_BYTE, at, id.length);
      at += id.length;
      byte[] k = Objects.requireNonNull(key); // written with the id
      MemorySegment.copy(k, 0, seg, JAVA_BYTE, at, k.length);
      at += k.length;
    }
    seg.asSlice(at, headerLength - at).fill((byte) 0);
  }

  /** A parsed header. */
  record Envelope(
      ValueType type,
      @Nullable DType dtype,
      long[] shape,
      @Nullable String codecId,
      long deadline,
      int payloadOffset,
      long namesOffset,
      int idLength,
      int keyLength) {
    boolean expired(long now) {
      return deadline != 0 && now >= deadline;
    }

    boolean hasNames() {
      return idLength > 0;
    }
  }

  private static final long[] NO_SHAPE = new long[0];

  /** The deadline of a non-empty object, without parsing the rest. */
  static long deadline(MemorySegment seg) {
    return seg.get(LONG, DEADLINE_OFFSET);
  }

  /**
   * Parses the header of a non-empty object.
   *
   * @throws CorruptStoreException naming the object if it is not a valid envelope
   */
  static Envelope read(MemorySegment seg, String name) {
    long size = seg.byteSize();
    if (size < FIXED_LENGTH || seg.get(JAVA_BYTE, FORMAT_OFFSET) != FORMAT) {
      throw new CorruptStoreException(
          "not a short-term memory value (size="
              + size
              + ", format="
              + (size > 0 ? seg.get(JAVA_BYTE, FORMAT_OFFSET) : -1)
              + "): name="
              + name);
    }
    ValueType type = type(seg.get(JAVA_BYTE, TYPE_OFFSET), name);
    int ndim = seg.get(JAVA_BYTE, NDIM_OFFSET);
    int codecLength = Byte.toUnsignedInt(seg.get(JAVA_BYTE, CODEC_ID_LENGTH_OFFSET));
    boolean names = (seg.get(JAVA_BYTE, FLAGS_OFFSET) & FLAG_NAMES) != 0;
    long deadline = seg.get(LONG, DEADLINE_OFFSET);
    int payloadOffset = seg.get(INT, PAYLOAD_OFFSET_OFFSET);
    int idLength = names ? seg.get(INT, ID_LENGTH_OFFSET) : 0;
    int keyLength = names ? seg.get(INT, KEY_LENGTH_OFFSET) : 0;
    long namesOffset = SHAPE_OFFSET + 8L * ndim + codecLength;
    if (ndim < 0
        || idLength < 0
        || keyLength < 0
        || payloadOffset < namesOffset + idLength + keyLength
        || payloadOffset > size) {
      throw new CorruptStoreException(
          "corrupt short-term memory header (ndim="
              + ndim
              + ", payloadOffset="
              + payloadOffset
              + ", size="
              + size
              + "): name="
              + name);
    }
    DType dtype = null;
    long[] shape = NO_SHAPE;
    if (type == ValueType.ARRAY) {
      dtype = DType.ofCode(seg.get(JAVA_BYTE, DTYPE_OFFSET));
      shape = new long[ndim];
      for (int i = 0; i < ndim; i++) {
        shape[i] = seg.get(LONG, SHAPE_OFFSET + 8L * i);
      }
    }
    String codecId =
        switch (type) {
          case JSON -> "json";
          case CODEC ->
              new String(
                  seg.asSlice(SHAPE_OFFSET + 8L * ndim, codecLength).toArray(JAVA_BYTE),
                  StandardCharsets.US_ASCII);
          default -> null;
        };
    return new Envelope(
        type, dtype, shape, codecId, deadline, payloadOffset, namesOffset, idLength, keyLength);
  }

  /** The full workflow id stored in an envelope with names. */
  static String id(MemorySegment seg, Envelope e) {
    return new String(
        seg.asSlice(e.namesOffset(), e.idLength()).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }

  /** The full key stored in an envelope with names. */
  static String key(MemorySegment seg, Envelope e) {
    return new String(
        seg.asSlice(e.namesOffset() + e.idLength(), e.keyLength()).toArray(JAVA_BYTE),
        StandardCharsets.UTF_8);
  }

  /** Whether the envelope's stored id and key are {@code id} and {@code key}. */
  static boolean namesEqual(MemorySegment seg, Envelope e, byte[] id, byte[] key) {
    return e.idLength() == id.length
        && e.keyLength() == key.length
        && MemorySegment.mismatch(
                seg,
                e.namesOffset(),
                e.namesOffset() + id.length,
                MemorySegment.ofArray(id),
                0,
                id.length)
            < 0
        && MemorySegment.mismatch(
                seg,
                e.namesOffset() + id.length,
                e.namesOffset() + id.length + key.length,
                MemorySegment.ofArray(key),
                0,
                key.length)
            < 0;
  }
}
