package io.depot.redis.store;

/**
 * The Lua scripts of the object store. Each touches the keys of one object (one hash tag: one
 * cluster slot) and runs atomically on the server: versions, compare-and-set and capacity checks
 * need no lock and no WATCH.
 *
 * <p>Versions: a commit's version is the server's clock in microseconds ({@code TIME}), or the old
 * version plus 1 if that is not larger; so a name's versions increase, also across a remove and a
 * new put (the new version is later than the removed one's commit), and a stale version never
 * matches a newer object.
 */
final class Scripts {
  private Scripts() {}

  /** Fails unless KEYS[1] is absent or a hash (a foreign key under the prefix). */
  private static final String CHECK_TYPE =
      """
      local t = redis.call('TYPE', KEYS[1])['ok']
      if t ~= 'none' and t ~= 'hash' then
        return redis.error_reply('WRONGTYPE key=' .. KEYS[1] .. ' holds a ' .. t .. ', not a depot object')
      end
      """;

  private static final String NEXT_VERSION =
      """
      local tm = redis.call('TIME')
      local v = tonumber(tm[1]) * 1000000 + tonumber(tm[2])
      if v <= old then v = old + 1 end
      """;

  /**
   * Writes an object. KEYS: hash, stream. ARGV: mode (create, replace, cas), expected version,
   * kind, value, codec, dtype, shape, reference (the URI of a value stored by a storage provider,
   * else empty), its size. Returns the new version, -1 if the name is taken (create), 0 if the
   * version differs (cas).
   */
  static final String PUT =
      CHECK_TYPE
          + """
      local old = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
      if ARGV[1] == 'create' and old ~= 0 then return -1 end
      if ARGV[1] == 'cas' and old ~= tonumber(ARGV[2]) then return 0 end
      """
          + NEXT_VERSION
          + """
      redis.call('DEL', KEYS[1], KEYS[2])
      local size = string.len(ARGV[4])
      if ARGV[8] ~= '' then size = tonumber(ARGV[9]) end
      redis.call('HSET', KEYS[1], 'n', v, 'k', ARGV[3], 'v', ARGV[4], 'z', size, 'c', ARGV[5],
        'd', ARGV[6], 's', ARGV[7], 'r', ARGV[8])
      return v
      """;

  /**
   * Creates a queue. KEYS: hash, stream. ARGV: capacity, overflow, tracks. Returns the version, or
   * -1 if the name is taken.
   */
  static final String CREATE_QUEUE =
      CHECK_TYPE
          + """
      local old = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
      if old ~= 0 then return -1 end
      """
          + NEXT_VERSION
          + """
      redis.call('DEL', KEYS[2])
      redis.call('HSET', KEYS[1], 'n', v, 'k', '5', 'z', 0, 'q', ARGV[1], 'f', ARGV[2], 't', ARGV[3],
        'seq', 0, 'dropped', 0)
      redis.call('XGROUP', 'CREATE', KEYS[2], 'g', '0', 'MKSTREAM')
      return v
      """;

  /**
   * Removes an object. KEYS: hash, stream. ARGV: expected version or 0 for any. Returns 1 if
   * removed.
   */
  static final String REMOVE =
      CHECK_TYPE
          + """
      local old = tonumber(redis.call('HGET', KEYS[1], 'n') or '0')
      if old == 0 then return 0 end
      if tonumber(ARGV[1]) ~= 0 and old ~= tonumber(ARGV[1]) then return 0 end
      redis.call('DEL', KEYS[1], KEYS[2])
      return 1
      """;

  /**
   * Appends an entry. KEYS: hash, stream. ARGV: then field, value pairs. Returns its sequence, -1
   * if the queue is full, -2 if there is no such queue. On a full OVERWRITE_OLDEST queue, the
   * oldest entry not delivered to a consumer (after the group's last-delivered id) is dropped; if
   * every entry is out with consumers, it is full.
   */
  static final String PUSH =
      """
      local cap = tonumber(redis.call('HGET', KEYS[1], 'q') or '-1')
      if cap < 0 then return -2 end
      local len = redis.call('XLEN', KEYS[2])
      if len >= cap then
        if redis.call('HGET', KEYS[1], 'f') ~= 'OVERWRITE_OLDEST' then return -1 end
        local info = redis.call('XINFO', 'GROUPS', KEYS[2])[1]
        local last = '0-0'
        for i = 1, #info, 2 do if info[i] == 'last-delivered-id' then last = info[i + 1] end end
        local oldest = redis.call('XRANGE', KEYS[2], '(' .. last, '+', 'COUNT', 1)
        if #oldest == 0 then return -1 end
        redis.call('XDEL', KEYS[2], oldest[1][1])
        redis.call('HINCRBY', KEYS[1], 'dropped', 1)
      end
      local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1) - 1
      redis.call('XADD', KEYS[2], '0-' .. (seq + 1), unpack(ARGV))
      return seq
      """;

  /**
   * Forgets the group's consumers that hold no entry and were idle for ARGV[1] ms (handles of
   * processes that are gone). Atomic, so a consumer cannot read an entry between the check and its
   * deletion. KEYS: stream. Returns the number forgotten.
   */
  static final String FORGET_IDLE_CONSUMERS =
      """
      local n = 0
      for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], 'g')) do
        local f = {}
        for i = 1, #c, 2 do f[c[i]] = c[i + 1] end
        if tonumber(f['pending']) == 0 and tonumber(f['idle']) > tonumber(ARGV[1]) then
          redis.call('XGROUP', 'DELCONSUMER', KEYS[1], 'g', f['name'])
          n = n + 1
        end
      end
      return n
      """;

  /**
   * Consumes a popped entry: acknowledges and deletes it if it is still pending for this consumer
   * (not re-delivered to another after this one stalled). KEYS: stream. ARGV: id, consumer. Returns
   * 1 if consumed.
   */
  static final String RELEASE =
      """
      local p = redis.call('XPENDING', KEYS[1], 'g', ARGV[1], ARGV[1], 1)
      if #p == 0 or p[1][2] ~= ARGV[2] then return 0 end
      redis.call('XACK', KEYS[1], 'g', ARGV[1])
      redis.call('XDEL', KEYS[1], ARGV[1])
      return 1
      """;
}
