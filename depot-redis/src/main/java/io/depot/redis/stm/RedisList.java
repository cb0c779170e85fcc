package io.depot.redis.stm;

import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.StoredValue;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * One list of a workflow in Redis: a plain Redis LIST (no module), changed by RPUSH, LTRIM and DEL
 * inside Lua scripts that also keep the workflow's metadata, the list index and the TTLs, so each
 * operation is one atomic round trip; reads are single commands (LLEN, LRANGE). Thread-safe; no
 * state.
 */
final class RedisList implements BackendList {
  private final RedisBackend backend;
  private final RedisKeys keys;
  private final byte[] idBytes;
  private final String name;
  private final byte[] nameBytes;
  private final byte[] redisKey;

  RedisList(RedisBackend backend, RedisKeys keys, byte[] idBytes, String name) {
    this.backend = backend;
    this.keys = keys;
    this.idBytes = idBytes;
    this.name = name;
    this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
    this.redisKey = keys.list(nameBytes);
  }

  private byte[][] args(List<EncodedValue> values, int from, int to) {
    byte[][] args = new byte[3 + to - from][];
    args[0] = RedisBackend.ascii(backend.defaultTtlMillis);
    args[1] = idBytes;
    args[2] = nameBytes;
    for (int i = from; i < to; i++) {
      args[3 + i - from] = RedisElements.encode(values.get(i));
    }
    return args;
  }

  private byte[][] writeKeys() {
    return new byte[][] {keys.meta, keys.listIndex, redisKey, keys.listTtls};
  }

  @Override
  public long append(List<EncodedValue> values) {
    // One script call for the batch: on Redis the whole batch is atomic (more than the contract
    // asks).
    return backend.script(
        "list append",
        Scripts.LIST_APPEND,
        ScriptOutputType.INTEGER,
        writeKeys(),
        args(values, 0, values.size()));
  }

  @Override
  public long size() {
    return backend.call("list size", () -> backend.commands.llen(redisKey));
  }

  @Override
  public List<StoredValue> last(long n) {
    long start = n >= Integer.MAX_VALUE ? 0 : -n;
    List<byte[]> raw =
        backend.call("list range", () -> backend.commands.lrange(redisKey, start, -1));
    List<StoredValue> out = new ArrayList<>(raw.size());
    for (byte[] b : raw) {
      out.add(RedisElements.decode(b, name));
    }
    return out;
  }

  @Override
  public long trimToLast(long n) {
    return backend.script(
        "list trim",
        Scripts.LIST_TRIM,
        ScriptOutputType.INTEGER,
        new byte[][] {keys.listIndex, redisKey, keys.listTtls},
        RedisBackend.ascii(n),
        nameBytes);
  }

  @Override
  public void replaceAll(List<EncodedValue> values) {
    backend.script(
        "list replace",
        Scripts.LIST_REPLACE,
        ScriptOutputType.INTEGER,
        writeKeys(),
        args(values, 0, values.size()));
  }

  @Override
  public boolean delete() {
    Long n =
        backend.script(
            "list delete",
            Scripts.LIST_DELETE,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.listIndex, redisKey, keys.listTtls},
            nameBytes);
    return n > 0;
  }

  @Override
  public boolean expireAfter(Duration ttl) {
    Long n =
        backend.script(
            "list expire",
            Scripts.LIST_EXPIRE,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.meta, redisKey, keys.listTtls},
            RedisBackend.ascii(Math.max(1, ttl.toMillis())),
            nameBytes);
    return n > 0;
  }

  @Override
  public boolean persist() {
    Long n =
        backend.script(
            "list persist",
            Scripts.LIST_EXPIRE,
            ScriptOutputType.INTEGER,
            new byte[][] {keys.meta, redisKey, keys.listTtls},
            RedisBackend.ascii(0),
            nameBytes);
    return n > 0;
  }

  @Override
  public OptionalLong ttlMillis() {
    Long ms =
        backend.script(
            "list ttl",
            Scripts.LIST_TTL,
            ScriptOutputType.INTEGER,
            new byte[][] {redisKey, keys.listTtls},
            nameBytes);
    return ms < 0 ? OptionalLong.empty() : OptionalLong.of(ms);
  }

  @Override
  public String toString() {
    return "RedisList[" + io.depot.stm.spi.Keys.abbreviate(name) + "]";
  }
}
