package io.depot.redis.stm;

import io.depot.stm.spi.Keys;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The Redis key layout: every key of a workflow shares the hash tag {@code {<namespace>:<id>}}, so
 * a workflow lives in one Redis Cluster slot and its scripts touch one slot.
 *
 * <pre>
 *   {ns:id}:m          HASH  id, seq (version counter), exp (deadline, epoch ms)    the workflow's metadata
 *   {ns:id}:i          SET   the workflow's keys                                     its index
 *   {ns:id}:k:&lt;key&gt;    HASH  t type, v value, n version, c codec id, a dtype:shape, x key deadline
 *   {ns:id}:li         SET   the workflow's lists                                    their index
 *   {ns:id}:lx         HASH  list name → its own deadline (epoch ms)                   list TTLs
 *   {ns:id}:l:&lt;list&gt;   LIST  the elements, oldest first, each an encoded value ({@link RedisElements})
 * </pre>
 *
 * In the tag, {@code %}, <code>{</code> and <code>}</code> of the id are escaped as {@code %XX}, so
 * the tag ends at the id's end and distinct ids never share a tag; the key after {@code :k:} is the
 * raw UTF-8 key (anything after the tag is unambiguous).
 */
final class RedisKeys {

  final byte[] meta;
  final byte[] index;
  final byte[] keyPrefix;
  final byte[] listIndex;
  final byte[] listTtls;
  final byte[] listPrefix;

  RedisKeys(String namespace, String id) {
    String tag = "{" + namespace + ":" + Keys.escape(id) + "}";
    this.meta = bytes(tag + ":m");
    this.index = bytes(tag + ":i");
    this.keyPrefix = bytes(tag + ":k:");
    this.listIndex = bytes(tag + ":li");
    this.listTtls = bytes(tag + ":lx");
    this.listPrefix = bytes(tag + ":l:");
  }

  /** The Redis key of the list {@code list}. */
  byte[] list(byte[] list) {
    byte[] out = Arrays.copyOf(listPrefix, listPrefix.length + list.length);
    System.arraycopy(list, 0, out, listPrefix.length, list.length);
    return out;
  }

  /** The Redis key of {@code key}. */
  byte[] key(byte[] key) {
    byte[] out = Arrays.copyOf(keyPrefix, keyPrefix.length + key.length);
    System.arraycopy(key, 0, out, keyPrefix.length, key.length);
    return out;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The SCAN pattern of every workflow's metadata key in {@code namespace}. */
  static byte[] metaPattern(String namespace) {
    return bytes("{" + namespace + ":*}:m");
  }

  /**
   * The workflow id of metadata key {@code redisKey} of {@code namespace}, or null if it is not
   * one.
   */
  static @Nullable String idOfMeta(String namespace, byte[] redisKey) {
    String k = new String(redisKey, StandardCharsets.UTF_8);
    String start = "{" + namespace + ":";
    if (!k.startsWith(start)) {
      return null;
    }
    int close = k.indexOf('}', start.length());
    if (close < 0 || !k.substring(close).equals("}:m")) {
      return null;
    }
    return Keys.unescape(k.substring(start.length(), close));
  }
}
