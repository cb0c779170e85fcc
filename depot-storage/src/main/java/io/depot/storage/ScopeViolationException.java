package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The URI is outside the provider's scope (another scheme, backend, or scope; a path-traversal or
 * symlink escape).
 */
public class ScopeViolationException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public ScopeViolationException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public ScopeViolationException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
