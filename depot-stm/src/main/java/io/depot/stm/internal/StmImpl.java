package io.depot.stm.internal;

import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmClosedException;
import io.depot.stm.StmOptions;
import io.depot.stm.Workflow;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StmBackend;
import java.util.List;

/** A memory over one backend: argument checks, the closed state, and workflow scopes. */
final class StmImpl implements ShortTermMemory {
  private final StmBackend backend;
  private final String uri;
  private final StmOptions options;
  private volatile boolean closed;

  StmImpl(StmBackend backend, String uri, StmOptions options) {
    this.backend = backend;
    this.uri = uri;
    this.options = options;
  }

  void checkOpen() {
    if (closed) {
      throw new StmClosedException("short-term memory is closed: uri=" + uri);
    }
  }

  @Override
  public String uri() {
    return uri;
  }

  @Override
  public StmOptions options() {
    return options;
  }

  @Override
  public Workflow workflow(String workflowId) {
    Keys.check(workflowId, "workflowId");
    checkOpen();
    return new WorkflowImpl(this, workflowId, backend.workflow(workflowId));
  }

  @Override
  public List<String> workflows() {
    checkOpen();
    return List.copyOf(backend.workflows());
  }

  @Override
  public int sweepExpired() {
    checkOpen();
    return backend.sweepExpired();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    backend.close();
  }

  @Override
  public String toString() {
    return "ShortTermMemory[" + uri + (closed ? ", closed" : "") + "]";
  }
}
