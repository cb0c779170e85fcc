package io.depot;

import java.io.Serial;

/**
 * A value is larger than the store accepts (on Redis, the URI's {@code maxValueBytes}); the message
 * names the size and the limit.
 */
public class ValueTooLargeException extends InvalidArgumentException {
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
