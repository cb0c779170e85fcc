package io.depot;

import java.io.Serial;

/** A handle or claim was used after it was closed, committed or aborted. */
public class HandleClosedException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the offending value */
  public HandleClosedException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public HandleClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
