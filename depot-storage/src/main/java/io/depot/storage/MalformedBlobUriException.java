package io.depot.storage;

import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The URI is within the provider's scope but is not a blob URI of its layout (for example a bad
 * digest, a missing {@code sha256/} or {@code keys/} segment, a query or a fragment).
 */
public class MalformedBlobUriException extends StorageException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public MalformedBlobUriException(String message, @Nullable URI uri) {
    super(message, uri);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public MalformedBlobUriException(String message, @Nullable URI uri, Throwable cause) {
    super(message, uri, cause);
  }
}
