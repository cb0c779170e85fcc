package io.depot;

import java.io.Serial;

/**
 * The backend refused the credentials (a wrong or missing Redis password); the message names the
 * address, never the password.
 */
public class StoreAuthenticationException extends StoreAccessException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public StoreAuthenticationException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public StoreAuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
