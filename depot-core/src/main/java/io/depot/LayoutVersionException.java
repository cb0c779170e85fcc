package io.depot;

import java.io.Serial;

/** The file is a Depot store of a layout version this library cannot read. */
public class LayoutVersionException extends CorruptStoreException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public LayoutVersionException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public LayoutVersionException(String message, Throwable cause) {
    super(message, cause);
  }
}
