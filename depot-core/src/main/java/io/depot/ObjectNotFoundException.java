package io.depot;

import java.io.Serial;

/** No committed object has this name (it was never put, is still being written, or was removed). */
public class ObjectNotFoundException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public ObjectNotFoundException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public ObjectNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
