package io.depot;

import java.io.Serial;

/** The store was used after {@link Depot#close()}. */
public class StoreClosedException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the offending value */
  public StoreClosedException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
