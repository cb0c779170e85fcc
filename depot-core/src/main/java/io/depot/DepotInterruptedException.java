package io.depot;

import java.io.Serial;

/**
 * A blocking operation (a pop or push with a timeout, a get that waits for a commit) was ended by
 * {@link Thread#interrupt()}. The thread's interrupt status is set again when this is thrown, so
 * that code up the stack still sees it.
 */
public class DepotInterruptedException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what was interrupted, naming it
   */
  public DepotInterruptedException(String message) {
    super(message);
  }
}
