package io.depot.stm;

import java.io.Serial;

/**
 * The backend refused the credentials (e.g. a wrong Redis password). The message names the address;
 * the operation may be retried with other credentials.
 */
public class StmAuthenticationException extends StmConnectionException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StmAuthenticationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StmAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
