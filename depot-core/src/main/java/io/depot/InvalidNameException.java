package io.depot;

import java.io.Serial;

/** An object or store name is empty, too long, or not valid UTF-8. */
public class InvalidNameException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public InvalidNameException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidNameException(String message, Throwable cause) {
    super(message, cause);
  }
}
