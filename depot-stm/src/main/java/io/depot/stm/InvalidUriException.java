package io.depot.stm;

import java.io.Serial;

/** A memory URI is malformed, has an invalid parameter, or names a scheme no backend on the class path handles. */
public class InvalidUriException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /** @param message what failed, naming the offending value */
  public InvalidUriException(String message) {
    super(message);
  }

  /**
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidUriException(String message, Throwable cause) {
    super(message, cause);
  }
}
