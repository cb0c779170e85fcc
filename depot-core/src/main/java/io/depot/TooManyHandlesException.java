package io.depot;

import java.io.Serial;

/**
 * This process holds as many open handles as its journal has slots; the limit is {@link
 * DepotOptions.Builder#maxHandlesPerClient(int)}.
 */
public class TooManyHandlesException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public TooManyHandlesException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public TooManyHandlesException(String message, Throwable cause) {
    super(message, cause);
  }
}
