package io.depot;

import java.io.Serial;

/** A value was read as a kind, dtype, shape or codec other than the one it was written with. */
public class TypeMismatchException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public TypeMismatchException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public TypeMismatchException(String message, Throwable cause) {
    super(message, cause);
  }
}
