package io.depot;

import java.io.Serial;

/** A queue whose policy is {@link Overflow#FAIL} had no room for an entry. */
public class QueueFullException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the queue
   */
  public QueueFullException(String message) {
    super(message);
  }
}
