package io.depot.storage;

import io.depot.DepotException;
import java.io.Serial;
import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * The root of the storage exceptions: a failed store, load, delete or listing. Every message names
 * the URI concerned as {@code uri=...} (a blob URI, or the provider's base URI when no blob is
 * involved), and {@link #uri()} returns it. Credentials are never part of the message.
 */
public class StorageException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /** The URI concerned; a {@link URI} is serializable, so the exception stays serializable. */
  private final @Nullable URI uri;

  /**
   * Creates the exception.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   */
  public StorageException(String message, @Nullable URI uri) {
    super(format(message, uri));
    this.uri = uri;
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed
   * @param uri the blob or base URI concerned, named in the message; may be {@code null}
   * @param cause the underlying failure
   */
  public StorageException(String message, @Nullable URI uri, Throwable cause) {
    super(format(message, uri), cause);
    this.uri = uri;
  }

  /** {@return the URI concerned, or {@code null} if none was known} */
  public @Nullable URI uri() {
    return uri;
  }

  private static String format(String message, @Nullable URI uri) {
    return uri == null ? message : message + ": uri=" + uri;
  }
}
