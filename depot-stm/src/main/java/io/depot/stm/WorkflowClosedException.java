package io.depot.stm;

import java.io.Serial;

/** A workflow scope was used after {@link Workflow#close()} or {@link Workflow#end()}. */
public class WorkflowClosedException extends StmClosedException {
  @Serial private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what failed, naming the offending value
   */
  public WorkflowClosedException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what failed, naming the offending value
   * @param cause the underlying failure
   */
  public WorkflowClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
