package io.depot;

import java.io.Serial;

/**
 * The store file could not be created, opened or mapped (permissions, I/O); the message names the
 * path.
 */
public class StoreAccessException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreAccessException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreAccessException(String message, Throwable cause) {
    super(message, cause);
  }
}
