package io.depot;

import java.io.Serial;

/**
 * The root of every exception Depot throws. Unchecked: a Depot exception means a broken contract or
 * an exhausted resource, never an expected outcome (those are return values, see {@link
 * Depot#tryGet(String)}).
 *
 * <p>Messages name the offending value as {@code name=value}.
 */
public class DepotException extends RuntimeException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public DepotException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public DepotException(String message, Throwable cause) {
    super(message, cause);
  }
}
