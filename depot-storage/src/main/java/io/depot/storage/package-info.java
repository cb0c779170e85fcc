/**
 * Storage providers: store bytes, get a URI; load a URI, get the bytes back, verified. {@link
 * io.depot.storage.StorageProvider} is the API (whole blobs, streams, ranged reads, zero-copy
 * views, metadata, delete, exists, list), {@link io.depot.storage.StorageProviders} routes URIs to
 * providers by scheme and scope from a configuration, and {@link
 * io.depot.storage.AsyncStorageProvider} adds non-blocking variants where the backend's client is
 * asynchronous.
 *
 * <p>Thread safety: providers, routers and views are thread-safe; streams are not (as any stream).
 * Errors are unchecked {@link io.depot.storage.StorageException}s (under {@link
 * io.depot.DepotException}) naming the URI; expected outcomes ({@code exists}, {@code delete} of a
 * missing blob) are return values.
 *
 * <p>Hot path: {@code store} hashes the bytes once (SHA-256) and copies them once into the backend;
 * {@code load} copies once and hashes once; a zero-copy {@code view} only hashes.
 */
@NullMarked
package io.depot.storage;

import org.jspecify.annotations.NullMarked;
