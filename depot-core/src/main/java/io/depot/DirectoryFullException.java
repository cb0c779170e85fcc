package io.depot;

import java.io.Serial;

/**
 * Every object descriptor of the store is in use; the limit is {@link
 * DepotOptions.Builder#maxObjects(int)}.
 */
public class DirectoryFullException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public DirectoryFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public DirectoryFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
