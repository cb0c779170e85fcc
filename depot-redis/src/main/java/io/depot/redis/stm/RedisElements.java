package io.depot.redis.stm;

import io.depot.DType;
import io.depot.stm.StmException;
import io.depot.stm.ValueType;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.HeapCopy;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The encoding of one list element in a Redis LIST: a small header, then the payload. Big-endian.
 *
 * <pre>
 *  +------------+----------+-----------------+----------+---------------+------------+------------------+---------+
 *  | format (8) | type (8) | codec length (8)| codec id | ndim (8)      | dtype (8)  | shape (64 × ndim) | payload |
 *  +------------+----------+-----------------+----------+---------------+------------+------------------+---------+
 * </pre>
 *
 * Type codes: {@code j} JSON, {@code b} bytes, {@code s} UTF-8 string, {@code a} array, {@code c}
 * codec.
 */
final class RedisElements {
  static final byte FORMAT = 1;
  private static final int FIXED = 5;

  private RedisElements() {}

  static byte[] encode(EncodedValue v) {
    byte[] codec =
        v.type() == ValueType.CODEC
            ? Objects.requireNonNull(v.codecId()).getBytes(StandardCharsets.US_ASCII)
            : new byte[0];
    long[] shape = v.shape();
    long size = FIXED + codec.length + 8L * shape.length + v.size();
    if (size > RedisBackend.MAX_REDIS_VALUE) {
      throw new io.depot.stm.ValueTooLargeException(
          "element of size="
              + v.size()
              + " bytes exceeds Redis's largest"
              + " value ("
              + RedisBackend.MAX_REDIS_VALUE
              + " bytes)");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.BIG_ENDIAN);
    b.put(FORMAT).put(code(v.type())).put((byte) codec.length).put(codec);
    b.put((byte) shape.length).put((byte) (v.dtype() == null ? 0 : v.dtype().code()));
    for (long d : shape) {
      b.putLong(d);
    }
    MemorySegment.copy(v.payload(), 0, MemorySegment.ofArray(b.array()), b.position(), v.size());
    return b.array();
  }

  static StoredValue decode(byte[] bytes, String list) {
    if (bytes.length < FIXED || bytes[0] != FORMAT) {
      throw new StmException(
          "not a list element (length=" + bytes.length + "): list=" + Keys.abbreviate(list));
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN);
    b.get();
    ValueType type = type(b.get(), list);
    byte[] codec = new byte[Byte.toUnsignedInt(b.get())];
    b.get(codec);
    int ndim = Byte.toUnsignedInt(b.get());
    byte dtypeCode = b.get();
    long[] shape = new long[ndim];
    for (int i = 0; i < ndim; i++) {
      shape[i] = b.getLong();
    }
    int offset = b.position();
    MemorySegment payload =
        type == ValueType.ARRAY
            ? HeapCopy.of(bytes, offset, bytes.length - offset).asReadOnly()
            : MemorySegment.ofArray(bytes).asSlice(offset).asReadOnly();
    String codecId =
        switch (type) {
          case JSON -> "json";
          case CODEC -> new String(codec, StandardCharsets.US_ASCII);
          default -> null;
        };
    DType dtype = type == ValueType.ARRAY ? DType.ofCode(dtypeCode) : null;
    return new Element(type, codecId, dtype, shape, payload);
  }

  private static byte code(ValueType type) {
    return (byte)
        switch (type) {
          case JSON -> 'j';
          case BYTES -> 'b';
          case STRING -> 's';
          case ARRAY -> 'a';
          case CODEC -> 'c';
        };
  }

  private static ValueType type(byte code, String list) {
    return switch (code) {
      case 'j' -> ValueType.JSON;
      case 'b' -> ValueType.BYTES;
      case 's' -> ValueType.STRING;
      case 'a' -> ValueType.ARRAY;
      case 'c' -> ValueType.CODEC;
      default ->
          throw new StmException(
              "unknown element type=" + code + ": list=" + Keys.abbreviate(list));
    };
  }

  /** A decoded element: heap bytes, nothing to release; elements have no versions. */
  private record Element(
      ValueType type,
      @Nullable String codecId,
      @Nullable DType dtype,
      long[] shape,
      MemorySegment payload)
      implements StoredValue {
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public long version() {
      return 0;
    }

    @Override
    public void close() {}
  }
}
