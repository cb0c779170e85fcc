package io.depot;

import java.io.Serial;

/** {@link Depot#open} found no store of that name. */
public class StoreNotFoundException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the offending value */
  public StoreNotFoundException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
