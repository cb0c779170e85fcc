/**
 * For implementers of storage providers: the {@link io.depot.storage.spi.StorageProviderFactory}
 * SPI found by {@link java.util.ServiceLoader}, and the pieces every provider shares so that all of
 * them parse URIs, check scopes and names, record metadata and verify digests the same way ({@link
 * io.depot.storage.spi.BlobLayout}, {@link io.depot.storage.spi.Names}, {@link
 * io.depot.storage.spi.BlobTrailer}, {@link io.depot.storage.spi.VerifyingInputStream}, {@link
 * io.depot.storage.spi.AbstractStorageProvider}, {@link
 * io.depot.storage.spi.BackendStorageProvider}). Applications need none of it.
 *
 * <p>All classes are immutable or thread-safe, except the streams.
 */
@NullMarked
package io.depot.storage.spi;

import org.jspecify.annotations.NullMarked;
