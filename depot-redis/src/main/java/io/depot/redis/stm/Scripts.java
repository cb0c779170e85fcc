package io.depot.redis.stm;

/**
 * The Lua scripts that make each operation one atomic round trip. Every script touches only keys of
 * one workflow (one hash tag, so one cluster slot); key names derived inside a script from the
 * index carry the same tag. Deadlines come from the server's clock ({@code TIME}), never a
 * client's.
 *
 * <p>Versions: a per-workflow counter ({@code seq} in the metadata hash), seeded with the server
 * time in microseconds when the workflow starts and incremented by every write, so versions never
 * repeat within a workflow and keep growing across its restarts.
 */
final class Scripts {
  private Scripts() {}

  private static final String NOW =
      """
      local t = redis.call('TIME')
      local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local seed = tonumber(t[1]) * 1000000 + tonumber(t[2])
      """;

  /**
   * Write. KEYS: meta, index, key. ARGV: expected version (-1 any, 0 absent), type, codec id, array
   * meta, payload, ttl mode (none|keep|after), ttl ms, default workflow ttl ms, workflow id, key.
   * Returns the new version, or 0.
   */
  static final String WRITE =
      NOW
          + """
      local cur = redis.call('HGET', KEYS[3], 'n')
      local expected = ARGV[1]
      if expected ~= '-1' then
        if expected == '0' then
          if cur then return 0 end
        elseif cur ~= expected then
          return 0
        end
      end
      local wexp = false
      if redis.call('EXISTS', KEYS[1]) == 0 then
        redis.call('HSET', KEYS[1], 'id', ARGV[9], 'seq', string.format('%d', seed))
        if tonumber(ARGV[8]) > 0 then
          wexp = nowms + tonumber(ARGV[8])
          redis.call('HSET', KEYS[1], 'exp', string.format('%d', wexp))
          redis.call('PEXPIREAT', KEYS[1], wexp)
        end
      else
        local e = redis.call('HGET', KEYS[1], 'exp')
        if e then wexp = tonumber(e) end
      end
      local ver = redis.call('HINCRBY', KEYS[1], 'seq', 1)
      local own = false
      if ARGV[6] == 'keep' then
        local x = redis.call('HGET', KEYS[3], 'x')
        if x then own = tonumber(x) end
      elseif ARGV[6] == 'after' then
        own = nowms + tonumber(ARGV[7])
      end
      redis.call('DEL', KEYS[3])
      redis.call('HSET', KEYS[3], 't', ARGV[2], 'v', ARGV[5], 'n', string.format('%d', ver))
      if ARGV[3] ~= '' then redis.call('HSET', KEYS[3], 'c', ARGV[3]) end
      if ARGV[4] ~= '' then redis.call('HSET', KEYS[3], 'a', ARGV[4]) end
      if own then redis.call('HSET', KEYS[3], 'x', string.format('%d', own)) end
      redis.call('SADD', KEYS[2], ARGV[10])
      if wexp then redis.call('PEXPIREAT', KEYS[2], wexp) end
      local eff = own
      if wexp and ((not eff) or wexp < eff) then eff = wexp end
      if eff then redis.call('PEXPIREAT', KEYS[3], eff) end
      return ver
      """;

  /** Remove. KEYS: index, key. ARGV: key. Returns 1 if the key existed. */
  static final String REMOVE =
      """
      local n = redis.call('DEL', KEYS[2])
      redis.call('SREM', KEYS[1], ARGV[1])
      return n
      """;

  /** Remove if version. KEYS: index, key. ARGV: version, key. Returns 1 if removed. */
  static final String REMOVE_IF =
      """
      if redis.call('HGET', KEYS[2], 'n') == ARGV[1] then
        redis.call('DEL', KEYS[2])
        redis.call('SREM', KEYS[1], ARGV[2])
        return 1
      end
      return 0
      """;

  /**
   * Clear (ARGV[2] = '1' also ends: drops the metadata). KEYS: meta, index, list index, list TTLs.
   * ARGV: key prefix, end, list prefix.
   */
  static final String CLEAR =
      """
      local members = redis.call('SMEMBERS', KEYS[2])
      for _, k in ipairs(members) do redis.call('DEL', ARGV[1] .. k) end
      redis.call('DEL', KEYS[2])
      for _, l in ipairs(redis.call('SMEMBERS', KEYS[3])) do redis.call('DEL', ARGV[3] .. l) end
      redis.call('DEL', KEYS[3], KEYS[4])
      if ARGV[2] == '1' then redis.call('DEL', KEYS[1]) end
      return #members
      """;

  /**
   * Expire after. KEYS: meta, index, list index, list TTLs. ARGV: ttl ms, workflow id, key prefix,
   * list prefix.
   */
  static final String EXPIRE =
      NOW
          + """
      local exp = nowms + tonumber(ARGV[1])
      if redis.call('EXISTS', KEYS[1]) == 0 then
        redis.call('HSET', KEYS[1], 'id', ARGV[2], 'seq', string.format('%d', seed))
      end
      redis.call('HSET', KEYS[1], 'exp', string.format('%d', exp))
      redis.call('PEXPIREAT', KEYS[1], exp)
      redis.call('PEXPIREAT', KEYS[2], exp)
      for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do
        local key = ARGV[3] .. k
        local x = redis.call('HGET', key, 'x')
        local eff = exp
        if x and tonumber(x) < exp then eff = tonumber(x) end
        redis.call('PEXPIREAT', key, eff)
      end
      for _, l in ipairs(redis.call('SMEMBERS', KEYS[3])) do
        local x = redis.call('HGET', KEYS[4], l)
        local eff = exp
        if x and tonumber(x) < exp then eff = tonumber(x) end
        redis.call('PEXPIREAT', ARGV[4] .. l, eff)
      end
      redis.call('PEXPIREAT', KEYS[3], exp)
      redis.call('PEXPIREAT', KEYS[4], exp)
      return exp
      """;

  /** Persist. KEYS: meta, index, list index, list TTLs. ARGV: key prefix, list prefix. */
  static final String PERSIST =
      """
      if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
      redis.call('HDEL', KEYS[1], 'exp')
      redis.call('PERSIST', KEYS[1])
      redis.call('PERSIST', KEYS[2])
      for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do
        local key = ARGV[1] .. k
        local x = redis.call('HGET', key, 'x')
        if x then redis.call('PEXPIREAT', key, x) else redis.call('PERSIST', key) end
      end
      for _, l in ipairs(redis.call('SMEMBERS', KEYS[3])) do
        local x = redis.call('HGET', KEYS[4], l)
        if x then redis.call('PEXPIREAT', ARGV[2] .. l, x) else redis.call('PERSIST', ARGV[2] .. l) end
      end
      redis.call('PERSIST', KEYS[3])
      redis.call('PERSIST', KEYS[4])
      return 1
      """;

  /**
   * Present keys, pruning index entries of expired keys. KEYS: index. ARGV: key prefix, '1' to
   * return a count.
   */
  static final String KEYS =
      """
      local out = {}
      local pruned = 0
      for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        if redis.call('EXISTS', ARGV[1] .. k) == 1 then
          out[#out + 1] = k
        else
          redis.call('SREM', KEYS[1], k)
          pruned = pruned + 1
        end
      end
      if ARGV[2] == '1' then return #out end
      if ARGV[2] == '2' then return pruned end
      return out
      """;

  /** Every present entry as key, t, v, n, c, a (6 per entry). KEYS: index. ARGV: key prefix. */
  static final String ENTRIES =
      """
      local out = {}
      for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        local f = redis.call('HMGET', ARGV[1] .. k, 't', 'v', 'n', 'c', 'a')
        if f[1] then
          out[#out + 1] = k
          for i = 1, 5 do out[#out + 1] = f[i] or '' end
        else
          redis.call('SREM', KEYS[1], k)
        end
      end
      return out
      """;

  // ------------------------------------------------------------------ lists

  /**
   * Starts the workflow if it has no metadata (as {@link #WRITE} does) and sets {@code wexp} to its
   * deadline or false. KEYS[1] is the metadata; ARGV[1] the default workflow TTL in ms, ARGV[2] the
   * workflow id.
   */
  private static final String START =
      NOW
          + """
      local wexp = false
      if redis.call('EXISTS', KEYS[1]) == 0 then
        redis.call('HSET', KEYS[1], 'id', ARGV[2], 'seq', string.format('%d', seed))
        if tonumber(ARGV[1]) > 0 then
          wexp = nowms + tonumber(ARGV[1])
          redis.call('HSET', KEYS[1], 'exp', string.format('%d', wexp))
          redis.call('PEXPIREAT', KEYS[1], wexp)
        end
      else
        local e = redis.call('HGET', KEYS[1], 'exp')
        if e then wexp = tonumber(e) end
      end
      """;

  /**
   * Sets the list's expiry to the earlier of its own deadline (kept from before when the list
   * existed) and the workflow's, and indexes it. KEYS[2] list index, KEYS[3] the list, KEYS[4] list
   * TTLs; ARGV[3] the list name; {@code own} the list's own deadline or false.
   */
  private static final String INDEX =
      """
      redis.call('SADD', KEYS[2], ARGV[3])
      if wexp then
        redis.call('PEXPIREAT', KEYS[2], wexp)
        redis.call('PEXPIREAT', KEYS[4], wexp)
      end
      local eff = own
      if wexp and ((not eff) or wexp < eff) then eff = wexp end
      if eff then redis.call('PEXPIREAT', KEYS[3], eff) end
      """;

  /**
   * Append. KEYS: meta, list index, list, list TTLs. ARGV: default workflow ttl ms, workflow id,
   * list name, elements... (pushed 1000 at a time: Lua's unpack is bounded). Returns the length
   * after the append.
   */
  static final String LIST_APPEND =
      START
          + """
      local own = false
      if redis.call('EXISTS', KEYS[3]) == 0 then
        redis.call('HDEL', KEYS[4], ARGV[3])
      else
        local x = redis.call('HGET', KEYS[4], ARGV[3])
        if x then own = tonumber(x) end
      end
      local n = 0
      for i = 4, #ARGV, 1000 do n = redis.call('RPUSH', KEYS[3], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
      """
          + INDEX
          + """
      return n
      """;

  /**
   * Replace. KEYS: meta, list index, list, list TTLs. ARGV: default workflow ttl ms, workflow id,
   * list name, elements... (none: the list is removed). Returns the new length.
   */
  static final String LIST_REPLACE =
      START
          + """
      local own = false
      if redis.call('EXISTS', KEYS[3]) == 1 then
        local x = redis.call('HGET', KEYS[4], ARGV[3])
        if x then own = tonumber(x) end
      end
      redis.call('DEL', KEYS[3])
      if #ARGV < 4 then
        redis.call('SREM', KEYS[2], ARGV[3])
        redis.call('HDEL', KEYS[4], ARGV[3])
        return 0
      end
      if not own then redis.call('HDEL', KEYS[4], ARGV[3]) end
      local n = 0
      for i = 4, #ARGV, 1000 do n = redis.call('RPUSH', KEYS[3], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
      """
          + INDEX
          + """
      return n
      """;

  /**
   * Trim to the last n. KEYS: list index, list, list TTLs. ARGV: n, list name. Returns how many it
   * removed.
   */
  static final String LIST_TRIM =
      """
      local len = redis.call('LLEN', KEYS[2])
      local keep = tonumber(ARGV[1])
      if len <= keep then return 0 end
      if keep == 0 then
        redis.call('DEL', KEYS[2])
        redis.call('SREM', KEYS[1], ARGV[2])
        redis.call('HDEL', KEYS[3], ARGV[2])
      else
        redis.call('LTRIM', KEYS[2], -keep, -1)
      end
      return len - keep
      """;

  /** Delete. KEYS: list index, list, list TTLs. ARGV: list name. Returns 1 if the list existed. */
  static final String LIST_DELETE =
      """
      local n = redis.call('DEL', KEYS[2])
      redis.call('SREM', KEYS[1], ARGV[1])
      redis.call('HDEL', KEYS[3], ARGV[1])
      return n
      """;

  /**
   * Own TTL. KEYS: meta, list, list TTLs. ARGV: ttl ms ('0': persist), list name. Returns 0 if the
   * list is absent; else 1 (for persist: 1 only if it had an own TTL).
   */
  static final String LIST_EXPIRE =
      NOW
          + """
      if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
      local wexp = redis.call('HGET', KEYS[1], 'exp')
      if wexp then wexp = tonumber(wexp) end
      if ARGV[1] == '0' then
        local had = redis.call('HDEL', KEYS[3], ARGV[2])
        if wexp then redis.call('PEXPIREAT', KEYS[2], wexp) else redis.call('PERSIST', KEYS[2]) end
        return had
      end
      local own = nowms + tonumber(ARGV[1])
      redis.call('HSET', KEYS[3], ARGV[2], string.format('%d', own))
      if wexp then
        redis.call('PEXPIREAT', KEYS[3], wexp)
        if wexp < own then own = wexp end
      end
      redis.call('PEXPIREAT', KEYS[2], own)
      return 1
      """;

  /**
   * Own TTL left. KEYS: list, list TTLs. ARGV: list name. Returns ms left, or -1 if none or absent.
   */
  static final String LIST_TTL =
      NOW
          + """
      if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
      local x = redis.call('HGET', KEYS[2], ARGV[1])
      if not x then return -1 end
      local left = tonumber(x) - nowms
      if left < 1 then left = 1 end
      return left
      """;

  /**
   * The lists that exist, pruning index entries of expired ones. KEYS: list index. ARGV: list
   * prefix.
   */
  static final String LISTS =
      """
      local out = {}
      for _, l in ipairs(redis.call('SMEMBERS', KEYS[1])) do
        if redis.call('EXISTS', ARGV[1] .. l) == 1 then
          out[#out + 1] = l
        else
          redis.call('SREM', KEYS[1], l)
        end
      end
      return out
      """;
}
