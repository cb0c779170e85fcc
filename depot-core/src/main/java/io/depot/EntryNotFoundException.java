package io.depot;

import java.io.Serial;

/**
 * No committed entry has that sequence number in the queue (never claimed, not committed yet,
 * popped, deleted).
 */
public class EntryNotFoundException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the sequence
   */
  public EntryNotFoundException(String message) {
    super(message);
  }
}
