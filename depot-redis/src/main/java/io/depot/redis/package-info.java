/** Shared Redis plumbing of the Redis backends ({@code io.depot.redis.stm}, {@code io.depot.redis.storage}). */
package io.depot.redis;
