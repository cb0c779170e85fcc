package io.depot.stm;

import java.io.Serial;

/**
 * The root of the short-term memory's exceptions. Messages name the offending value as {@code
 * name=value}.
 */
public class StmException extends io.depot.DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StmException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StmException(String message, Throwable cause) {
    super(message, cause);
  }
}
