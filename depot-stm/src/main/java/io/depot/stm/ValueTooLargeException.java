package io.depot.stm;

import java.io.Serial;

/**
 * An encoded value is larger than the memory's limit ({@link StmOptions#maxValueBytes()}) or than
 * the backend can ever hold; nothing was written.
 */
public class ValueTooLargeException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public ValueTooLargeException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public ValueTooLargeException(String message, Throwable cause) {
    super(message, cause);
  }
}
