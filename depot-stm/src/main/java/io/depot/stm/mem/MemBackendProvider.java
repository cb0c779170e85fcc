package io.depot.stm.mem;

import io.depot.stm.StmOptions;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmBackendProvider;
import io.depot.stm.spi.StmUri;
import java.util.Set;

/**
 * The {@code mem:} backend: {@code mem:} is private to the instance, {@code mem:<name>} is shared
 * within the JVM.
 */
public final class MemBackendProvider implements StmBackendProvider {
  /** For {@link java.util.ServiceLoader}. */
  public MemBackendProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("mem");
  }

  @Override
  public StmBackend open(StmUri uri, StmOptions options) {
    return MemBackend.open(uri, options);
  }
}
