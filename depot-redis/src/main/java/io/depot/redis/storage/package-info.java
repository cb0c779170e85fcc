/**
 * The {@code redis:} (and {@code rediss:}) storage provider on Lettuce, for small blobs: one Redis
 * string per blob (its bytes then a {@link io.depot.storage.spi.BlobTrailer}), at most {@code
 * max-blob-bytes} (64 MiB by default), stored atomically ({@code SET}, or chunked {@code APPEND}s
 * to an expiring temporary key renamed into place by a Lua script), with {@link
 * io.depot.storage.AsyncStorageProvider} variants on Lettuce's async API. Opened through {@link
 * io.depot.storage.StorageProviders} ({@link io.depot.redis.storage.RedisStorageFactory} is found
 * by {@link java.util.ServiceLoader}).
 *
 * <p>Thread-safe: one Lettuce connection per provider, shared by its scoped children. Failures are
 * {@link io.depot.storage.StorageException}s naming the URI; refused credentials are {@link
 * io.depot.storage.BackendAccessDeniedException}, an unreachable server {@link
 * io.depot.storage.BackendUnavailableException}.
 */
@NullMarked
package io.depot.redis.storage;

import org.jspecify.annotations.NullMarked;
