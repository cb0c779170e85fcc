package io.depot.stm.shm;

import io.depot.stm.StmOptions;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmBackendProvider;
import io.depot.stm.spi.StmUri;
import java.util.Set;

/**
 * The {@code shm:} backend: {@code
 * shm:<store>[?capacity=64m&maxObjects=65536&dir=/dev/shm&sweepInterval=1m]}, a Depot store created
 * on first use.
 */
public final class ShmBackendProvider implements StmBackendProvider {
  /** For {@link java.util.ServiceLoader}. */
  public ShmBackendProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("shm");
  }

  @Override
  public StmBackend open(StmUri uri, StmOptions options) {
    return ShmBackend.open(uri, options);
  }
}
