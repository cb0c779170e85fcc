package io.depot.redis.stm;

import io.depot.DType;
import io.depot.stm.ValueTooLargeException;
import io.depot.stm.ValueType;
import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.HeapCopy;
import io.depot.stm.spi.KeyTtl;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One workflow in Redis (layout in {@link RedisKeys}, atomicity in {@link Scripts}). Thread-safe;
 * no state.
 */
final class RedisWorkflow implements BackendWorkflow {
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] T = RedisKeys.bytes("t");
  private static final byte[] V = RedisKeys.bytes("v");
  private static final byte[] N = RedisKeys.bytes("n");
  private static final byte[] C = RedisKeys.bytes("c");
  private static final byte[] A = RedisKeys.bytes("a");

  private final RedisBackend backend;
  private final String id;
  private final byte[] idBytes;
  private final RedisKeys keys;

  RedisWorkflow(RedisBackend backend, String id) {
    this.backend = backend;
    this.id = id;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.keys = new RedisKeys(backend.namespace, id);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ types on the wire

  private static byte[] typeName(ValueType type) {
    return RedisKeys.bytes(
        switch (type) {
          case JSON -> "json";
          case BYTES -> "bytes";
          case STRING -> "utf8";
          case ARRAY -> "array";
          case CODEC -> "codec";
        });
  }

  private static ValueType type(byte[] name, String key) {
    return switch (new String(name, StandardCharsets.US_ASCII)) {
      case "json" -> ValueType.JSON;
      case "bytes" -> ValueType.BYTES;
      case "utf8" -> ValueType.STRING;
      case "array" -> ValueType.ARRAY;
      case "codec" -> ValueType.CODEC;
      default ->
          throw new io.depot.stm.StmException(
              "unknown stored type="
                  + new String(name, StandardCharsets.UTF_8)
                  + ": key="
                  + Keys.abbreviate(key));
    };
  }

  /** {@code float64:2,3} for an array, else empty. */
  private static byte[] arrayMeta(EncodedValue v) {
    if (v.type() != ValueType.ARRAY) {
      return EMPTY;
    }
    StringBuilder sb = new StringBuilder(Objects.requireNonNull(v.dtype()).numpyName()).append(':');
    long[] shape = v.shape();
    for (int i = 0; i < shape.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      sb.append(shape[i]);
    }
    return RedisKeys.bytes(sb.toString());
  }

  private static StoredValue value(String key, byte[] t, byte[] v, byte[] n, byte[] c, byte[] a) {
    ValueType type = type(t, key);
    DType dtype = null;
    long[] shape = new long[0];
    if (type == ValueType.ARRAY) {
      String meta = new String(a, StandardCharsets.US_ASCII);
      int colon = meta.indexOf(':');
      dtype = DType.valueOf(meta.substring(0, colon).toUpperCase(java.util.Locale.ROOT));
      String dims = meta.substring(colon + 1);
      shape =
          dims.isEmpty()
              ? new long[0]
              : java.util.Arrays.stream(dims.split(",")).mapToLong(Long::parseLong).toArray();
    }
    String codecId =
        switch (type) {
          case JSON -> "json";
          case CODEC -> new String(c, StandardCharsets.US_ASCII);
          default -> null;
        };
    MemorySegment payload =
        type == ValueType.ARRAY
            ? HeapCopy.of(v, 0, v.length).asReadOnly()
            : MemorySegment.ofArray(v).asReadOnly();
    long version = Long.parseLong(new String(n, StandardCharsets.US_ASCII));
    return new RedisValue(type, codecId, dtype, shape, payload, version);
  }

  // ------------------------------------------------------------------ reading

  @Override
  public @Nullable StoredValue read(String key) {
    byte[] redisKey = keys.key(utf8(key));
    List<KeyValue<byte[], byte[]>> f =
        backend.call("get", () -> backend.commands.hmget(redisKey, T, V, N, C, A));
    if (f.isEmpty() || !f.get(0).hasValue()) {
      return null;
    }
    return value(
        key,
        f.get(0).getValue(),
        f.get(1).getValueOrElse(EMPTY),
        f.get(2).getValueOrElse(EMPTY),
        f.get(3).getValueOrElse(EMPTY),
        f.get(4).getValueOrElse(EMPTY));
  }

  @Override
  public long version(String key) {
    byte[] redisKey = keys.key(utf8(key));
    byte[] n = backend.call("version", () -> backend.commands.hget(redisKey, N));
    return n == null ? NO_VERSION : Long.parseLong(new String(n, StandardCharsets.US_ASCII));
  }

  @Override
  public boolean contains(String key) {
    byte[] redisKey = keys.key(utf8(key));
    return backend.call("contains", () -> backend.commands.exists(redisKey)) > 0;
  }

  @Override
  public List<String> keys() {
    List<Object> raw =
        backend.script(
            "keys",
            Scripts.KEYS,
            ScriptOutputType.MULTI,
            new byte[][] {keys.index},
            keys.keyPrefix,
            RedisKeys.bytes("0"));
    List<String> out = new ArrayList<>(raw.size());
    for (Object o : raw) {
      out.add(new String((byte[]) o, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public int size() {
    Long n =
        backend.script(
            "size",
            Scripts.KEYS,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.index},
            keys.keyPrefix,
            RedisKeys.bytes("1"));
    return n.intValue();
  }

  /** Drops index entries of keys that expired on their own; returns how many. */
  int pruneIndex() {
    Long n =
        backend.script(
            "sweep",
            Scripts.KEYS,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.index},
            keys.keyPrefix,
            RedisKeys.bytes("2"));
    return n.intValue();
  }

  @Override
  public void forEach(BiConsumer<String, StoredValue> action) {
    List<Object> raw =
        backend.script(
            "entries",
            Scripts.ENTRIES,
            ScriptOutputType.MULTI,
            new byte[][] {keys.index},
            keys.keyPrefix);
    for (int i = 0; i + 5 < raw.size(); i += 6) {
      String key = new String((byte[]) raw.get(i), StandardCharsets.UTF_8);
      try (StoredValue v =
          value(
              key,
              (byte[]) raw.get(i + 1),
              (byte[]) raw.get(i + 2),
              (byte[]) raw.get(i + 3),
              (byte[]) raw.get(i + 4),
              (byte[]) raw.get(i + 5))) {
        action.accept(key, v);
      }
    }
  }

  // ------------------------------------------------------------------ writing

  @Override
  public boolean write(String key, EncodedValue value, KeyTtl ttl, long expectedVersion) {
    if (value.size() > RedisBackend.MAX_REDIS_VALUE) {
      throw new ValueTooLargeException(
          "value of size="
              + value.size()
              + " bytes exceeds Redis's largest value ("
              + RedisBackend.MAX_REDIS_VALUE
              + " bytes): key="
              + Keys.abbreviate(key));
    }
    byte[] keyBytes = utf8(key);
    byte[] payload = value.payload().toArray(ValueLayout.JAVA_BYTE);
    byte[] ttlMode = RedisKeys.bytes(ttl.keep() ? "keep" : ttl.expires() ? "after" : "none");
    Long version =
        backend.script(
            "put",
            Scripts.WRITE,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.meta, keys.index, keys.key(keyBytes)},
            RedisBackend.ascii(expectedVersion),
            typeName(value.type()),
            value.type() == ValueType.CODEC
                ? RedisKeys.bytes(Objects.requireNonNull(value.codecId()))
                : EMPTY,
            arrayMeta(value),
            payload,
            ttlMode,
            RedisBackend.ascii(Math.max(0, ttl.millis())),
            RedisBackend.ascii(backend.defaultTtlMillis),
            idBytes,
            keyBytes);
    return version != 0;
  }

  @Override
  public boolean remove(String key) {
    byte[] keyBytes = utf8(key);
    Long n =
        backend.script(
            "remove",
            Scripts.REMOVE,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.index, keys.key(keyBytes)},
            keyBytes);
    return n > 0;
  }

  @Override
  public boolean removeIf(String key, long expectedVersion) {
    byte[] keyBytes = utf8(key);
    Long n =
        backend.script(
            "pop",
            Scripts.REMOVE_IF,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.index, keys.key(keyBytes)},
            RedisBackend.ascii(expectedVersion),
            keyBytes);
    return n > 0;
  }

  @Override
  public void clear() {
    backend.script(
        "clear",
        Scripts.CLEAR,
        ScriptOutputType.INTEGER,
        new byte[][] {keys.meta, keys.index, keys.listIndex, keys.listTtls},
        keys.keyPrefix,
        RedisKeys.bytes("0"),
        keys.listPrefix);
  }

  @Override
  public void end() {
    backend.script(
        "end",
        Scripts.CLEAR,
        ScriptOutputType.INTEGER,
        new byte[][] {keys.meta, keys.index, keys.listIndex, keys.listTtls},
        keys.keyPrefix,
        RedisKeys.bytes("1"),
        keys.listPrefix);
  }

  @Override
  public void expireAfter(Duration ttl) {
    backend.script(
        "expire",
        Scripts.EXPIRE,
        ScriptOutputType.INTEGER,
        new byte[][] {keys.meta, keys.index, keys.listIndex, keys.listTtls},
        RedisBackend.ascii(Math.max(1, ttl.toMillis())),
        idBytes,
        keys.keyPrefix,
        keys.listPrefix);
  }

  @Override
  public void persist() {
    backend.script(
        "persist",
        Scripts.PERSIST,
        ScriptOutputType.INTEGER,
        new byte[][] {keys.meta, keys.index, keys.listIndex, keys.listTtls},
        keys.keyPrefix,
        keys.listPrefix);
  }

  @Override
  public OptionalLong ttlMillis() {
    Long ms = backend.call("ttl", () -> backend.commands.pttl(keys.meta));
    return ms == null || ms < 0 ? OptionalLong.empty() : OptionalLong.of(Math.max(1, ms));
  }

  // ------------------------------------------------------------------ lists

  @Override
  public BackendList list(String key) {
    return new RedisList(backend, keys, idBytes, key);
  }

  @Override
  public List<String> lists() {
    List<Object> raw =
        backend.script(
            "lists",
            Scripts.LISTS,
            ScriptOutputType.MULTI,
            new byte[][] {keys.listIndex},
            keys.listPrefix);
    List<String> out = new ArrayList<>(raw.size());
    for (Object o : raw) {
      out.add(new String((byte[]) o, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  public String toString() {
    return "RedisWorkflow[" + Keys.abbreviate(id) + "]";
  }

  /** A value read from Redis: heap bytes, nothing to release. */
  private record RedisValue(
      ValueType type,
      @Nullable String codecId,
      @Nullable DType dtype,
      long[] shape,
      MemorySegment payload,
      long version)
      implements StoredValue {
    @Override
    public long[] shape() {
      return shape.clone();
    }

    @Override
    public void close() {}
  }
}
