/**
 * Shared Redis plumbing of the Redis backends ({@code io.depot.redis.stm}, {@code
 * io.depot.redis.storage}, {@code io.depot.redis.store}).
 */
@NullMarked
package io.depot.redis;

import org.jspecify.annotations.NullMarked;
