package io.depot;

import java.io.Serial;

/**
 * The file is not a Depot store, is of another layout version, is truncated, or its metadata is
 * inconsistent.
 */
public class CorruptStoreException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public CorruptStoreException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public CorruptStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
