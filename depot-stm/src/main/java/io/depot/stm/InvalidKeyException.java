package io.depot.stm;

import java.io.Serial;

/**
 * A workflow id or key is null, empty, not valid UTF-16 (an unpaired surrogate), or longer than
 * {@link ShortTermMemory#MAX_ID_BYTES} bytes in UTF-8.
 */
public class InvalidKeyException extends StmException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public InvalidKeyException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public InvalidKeyException(String message, Throwable cause) {
    super(message, cause);
  }
}
