package io.depot.stm;

import java.io.Serial;

/**
 * A memory URI is malformed, has an invalid parameter, or names a scheme no backend on the class
 * path handles.
 */
public class InvalidUriException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public InvalidUriException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidUriException(String message, Throwable cause) {
    super(message, cause);
  }
}
