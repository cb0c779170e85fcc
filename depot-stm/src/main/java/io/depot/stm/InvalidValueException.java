package io.depot.stm;

import java.io.Serial;

/** A value is null (use {@code remove}) or of a kind the memory cannot store without a codec. */
public class InvalidValueException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public InvalidValueException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidValueException(String message, Throwable cause) {
    super(message, cause);
  }
}
