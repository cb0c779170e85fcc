package io.depot.redis.store;

import io.depot.stm.spi.Keys;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The Redis key layout of a store with prefix {@code P}: every key of an object shares the hash tag
 * {@code {P:name}}, so an object (and a queue with its stream) lives in one Redis Cluster slot and
 * its scripts touch one slot.
 *
 * <pre>
 *   {P}:meta        HASH    layout (1), created (epoch ms): the store exists
 *   {P}:stats       HASH    puts, gets, removes: counters of all clients
 *   {P:name}:o      HASH    k kind, n version, v value, z size, c codec id, d dtype, s shape;
 *                           for a queue: q capacity, f overflow, t tracks, seq next sequence, dropped
 *   {P:name}:s      STREAM  a queue's entries, id 0-(sequence+1), fields b&lt;i&gt; (track i), h&lt;i&gt; (its shape);
 *                           consumer group "g"
 * </pre>
 *
 * In the tag, {@code %}, <code>{</code> and <code>}</code> of the name are escaped as {@code %XX},
 * so the tag ends at the name's end and two names never share a tag.
 */
final class StoreKeys {

  final String prefix;
  final byte[] meta;
  final byte[] stats;

  StoreKeys(String prefix) {
    this.prefix = prefix;
    this.meta = bytes("{" + prefix + "}:meta");
    this.stats = bytes("{" + prefix + "}:stats");
  }

  byte[] object(String name) {
    return bytes("{" + prefix + ":" + Keys.escape(name) + "}:o");
  }

  byte[] stream(String name) {
    return bytes("{" + prefix + ":" + Keys.escape(name) + "}:s");
  }

  /** The SCAN pattern of every object hash. */
  byte[] objectPattern() {
    return bytes("{" + prefix + ":*}:o");
  }

  /** The name of object hash {@code key}, or null if it is not one of this store's. */
  @Nullable String nameOf(byte[] key) {
    String k = new String(key, StandardCharsets.UTF_8);
    String start = "{" + prefix + ":";
    if (!k.startsWith(start) || !k.endsWith("}:o")) {
      return null;
    }
    String inner = k.substring(start.length(), k.length() - 3);
    return inner.indexOf('}') >= 0 ? null : Keys.unescape(inner);
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
