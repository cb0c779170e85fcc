package io.depot;

import java.io.Serial;

/** A handle or claim was used after it was closed, committed or aborted. */
public class HandleClosedException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public HandleClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public HandleClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
