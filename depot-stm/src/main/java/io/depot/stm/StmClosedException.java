package io.depot.stm;

import java.io.Serial;

/** The short-term memory was used after {@link ShortTermMemory#close()}. */
public class StmClosedException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StmClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StmClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
