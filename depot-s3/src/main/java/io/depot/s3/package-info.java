/**
 * The {@code s3:} storage provider on the AWS SDK v2: one object per blob (raw bytes, {@code
 * Content-Type}, {@code depot-sha256} and {@code depot-created} metadata), multipart streaming
 * uploads, ranged GETs, the SDK's standard credentials chain, endpoint override for S3-compatible
 * servers, and {@link io.depot.storage.AsyncStorageProvider} variants on {@code S3AsyncClient}.
 * Opened through {@link io.depot.storage.StorageProviders} ({@link io.depot.s3.S3StorageFactory} is
 * found by {@link java.util.ServiceLoader}).
 *
 * <p>Thread-safe. Failures are {@link io.depot.storage.StorageException}s naming the URI: a missing
 * object is {@link io.depot.storage.BlobNotFoundException}, refused credentials {@link
 * io.depot.storage.BackendAccessDeniedException}, an unreachable endpoint or a missing bucket
 * {@link io.depot.storage.BackendUnavailableException}.
 */
@NullMarked
package io.depot.s3;

import org.jspecify.annotations.NullMarked;
