package io.depot;

import java.io.Serial;

/**
 * The backend of a store cannot be reached (a Redis server down or unreachable, a timeout); the
 * message names its address. May be retried.
 */
public class StoreUnavailableException extends StoreAccessException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreUnavailableException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
