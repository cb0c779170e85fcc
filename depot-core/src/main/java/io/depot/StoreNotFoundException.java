package io.depot;

import java.io.Serial;

/** {@link Depot#open} found no store of that name. */
public class StoreNotFoundException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
