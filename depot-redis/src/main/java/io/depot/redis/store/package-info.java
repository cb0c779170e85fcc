/**
 * The object store and its queues on Redis, behind {@link io.depot.ObjectStore} and {@link
 * io.depot.DepotQueue}: opened by {@code Depot.open(URI.create("redis://host:6379/0?prefix=P"))}
 * through {@link io.depot.redis.store.RedisStoreProvider}. Objects are hashes changed by Lua
 * scripts (versions and compare-and-set atomic on the server); queues are Redis Streams with a
 * consumer group (pop is {@code XREADGROUP}, release is {@code XACK}, a dead consumer's entries are
 * taken over by {@code XAUTOCLAIM}). Standalone and Redis Cluster ({@code cluster=true}): each
 * object's keys share one hash tag. Everything is thread-safe; Lettuce's failures are reported as
 * Depot exceptions naming the address ({@link io.depot.StoreUnavailableException}, {@link
 * io.depot.StoreAuthenticationException}, {@link io.depot.TypeMismatchException} for a key of
 * another type).
 */
@NullMarked
package io.depot.redis.store;

import org.jspecify.annotations.NullMarked;
