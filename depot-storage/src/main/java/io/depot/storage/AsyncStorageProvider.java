package io.depot.storage;

import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * A provider whose backend client is asynchronous ({@code s3:} on {@code S3AsyncClient}, {@code
 * redis:} on Lettuce) and that offers non-blocking variants of the whole-blob operations. The
 * futures complete with the same results, and fail with the same {@link StorageException}s, as the
 * blocking methods of {@link StorageProvider}; they complete on the client's threads, so chain
 * blocking work with an {@code *Async} stage and an executor of your own.
 *
 * <p>Test for it with {@code provider instanceof AsyncStorageProvider async}.
 */
public interface AsyncStorageProvider extends StorageProvider {
  /**
   * {@link #store(byte[], StoreOptions)} without blocking.
   *
   * @param data the bytes to store
   * @param options how to store them
   * @return the blob's URI, when stored
   */
  CompletableFuture<URI> storeAsync(byte[] data, StoreOptions options);

  /**
   * {@link #store(byte[])} without blocking.
   *
   * @param data the bytes to store
   * @return the blob's URI, when stored
   */
  default CompletableFuture<URI> storeAsync(byte[] data) {
    return storeAsync(data, StoreOptions.DEFAULT);
  }

  /**
   * {@link #load(URI)} without blocking: the verified bytes.
   *
   * @param uri the blob's URI
   * @return the bytes, when verified
   */
  CompletableFuture<byte[]> loadAsync(URI uri);

  /**
   * {@link #info(URI)} without blocking.
   *
   * @param uri the blob's URI
   * @return the blob's metadata
   */
  CompletableFuture<BlobInfo> infoAsync(URI uri);

  /**
   * {@link #exists(URI)} without blocking.
   *
   * @param uri the blob's URI
   * @return whether a blob is stored there
   */
  CompletableFuture<Boolean> existsAsync(URI uri);

  /**
   * {@link #delete(URI)} without blocking.
   *
   * @param uri the blob's URI
   * @return whether a blob was stored there
   */
  CompletableFuture<Boolean> deleteAsync(URI uri);
}
