package io.depot;

import java.io.Serial;

/** An object with this name is already committed or being written. */
public class ObjectExistsException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public ObjectExistsException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public ObjectExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
