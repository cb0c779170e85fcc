package io.depot;

import java.io.Serial;

/** A blocking operation did not complete within its timeout. */
public class DepotTimeoutException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public DepotTimeoutException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public DepotTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
