package io.depot;

import java.io.Serial;

/** The store was used after {@link Depot#close()}. */
public class StoreClosedException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
