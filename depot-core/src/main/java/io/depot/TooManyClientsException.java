package io.depot;

import java.io.Serial;

/**
 * Every client slot of the store is taken by a live process; the limit is {@link
 * DepotOptions.Builder#maxClients(int)}.
 */
public class TooManyClientsException extends DepotException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public TooManyClientsException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public TooManyClientsException(String message, Throwable cause) {
    super(message, cause);
  }
}
