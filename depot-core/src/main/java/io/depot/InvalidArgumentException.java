package io.depot;

import java.io.Serial;

/** A size, shape, capacity or option is out of its documented range. */
public class InvalidArgumentException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public InvalidArgumentException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidArgumentException(String message, Throwable cause) {
    super(message, cause);
  }
}
