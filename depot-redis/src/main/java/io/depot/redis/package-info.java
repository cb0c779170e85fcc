/**
 * Shared Redis plumbing of the Redis backends ({@code io.depot.redis.stm}, {@code
 * io.depot.redis.storage}, {@code io.depot.redis.store}). Not exported by the module: not API.
 */
@NullMarked
package io.depot.redis;

import org.jspecify.annotations.NullMarked;
