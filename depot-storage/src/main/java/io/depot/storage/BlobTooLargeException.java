package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The blob exceeds a fixed limit of the provider (its documented maximum blob size), or a
 * whole-blob operation such as {@link io.depot.storage.StorageProvider#load} cannot hold it (more
 * than {@link io.depot.storage.StorageProvider#MAX_LOAD_BYTES}).
 */
public class BlobTooLargeException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public BlobTooLargeException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public BlobTooLargeException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
