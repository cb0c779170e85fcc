/**
 * The Redis backend of the short-term memory ({@code redis://}, {@code rediss://}), on Lettuce:
 * every workflow in one Redis Cluster hash slot, every multi-key change one Lua script, TTLs as
 * Redis expiries on the server's clock.
 *
 * <p>Thread safety: a memory holds one thread-safe, auto-reconnecting connection. Hot path: a get
 * is one HMGET round trip, a put one EVALSHA. Errors: an unreachable server or a timeout is an
 * {@link io.depot.stm.StmConnectionException}, refused credentials an {@link
 * io.depot.stm.StmAuthenticationException}, both naming the address (never the password); nothing
 * is known to be written and the operation may be retried.
 */
@NullMarked
package io.depot.redis.stm;

import org.jspecify.annotations.NullMarked;
