package io.depot.stm;

import java.io.Serial;

/**
 * The backend cannot be reached (e.g. Redis is down or times out). The message names the address;
 * nothing is known to be written, and the operation may be retried.
 */
public class StmConnectionException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StmConnectionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StmConnectionException(String message, Throwable cause) {
    super(message, cause);
  }
}
