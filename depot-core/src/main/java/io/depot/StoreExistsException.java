package io.depot;

import java.io.Serial;

/** {@link Depot#create} found a store of that name already there. */
public class StoreExistsException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreExistsException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
