package io.depot;

import java.io.Serial;

/**
 * The store's arena has no room for the requested block; the message gives the requested and free
 * sizes.
 */
public class StoreFullException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreFullException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreFullException(String message, Throwable cause) {
    super(message, cause);
  }
}
