package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The bytes read do not match the blob's SHA-256 (or its stored length or metadata are damaged):
 * the blob was tampered with or corrupted. The data is never returned silently.
 */
public class IntegrityException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public IntegrityException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public IntegrityException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
