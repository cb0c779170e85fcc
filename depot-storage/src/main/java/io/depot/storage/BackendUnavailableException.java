package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The backend cannot be reached or failed (connection refused, timeout, I/O error, missing bucket
 * or directory).
 */
public class BackendUnavailableException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public BackendUnavailableException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public BackendUnavailableException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
