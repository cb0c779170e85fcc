package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * No {@link io.depot.storage.spi.StorageProviderFactory} on the class or module path handles the
 * URI's scheme.
 */
public class UnsupportedSchemeException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public UnsupportedSchemeException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public UnsupportedSchemeException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
