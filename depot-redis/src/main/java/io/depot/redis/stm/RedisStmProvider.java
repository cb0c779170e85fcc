package io.depot.redis.stm;

import io.depot.stm.StmOptions;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmBackendProvider;
import io.depot.stm.spi.StmUri;
import java.util.Set;

/**
 * The Redis backend of the short-term memory: {@code redis://[[user:]password@]host[:port][/db]},
 * {@code rediss://} for TLS, with parameters {@code timeout} (default 5s), {@code namespace}
 * (default {@code stm}), {@code cluster=true} (the host is a seed node of a Redis Cluster) and
 * Lettuce's own ({@code verifyPeer}, {@code clientName}, ...).
 */
public final class RedisStmProvider implements StmBackendProvider {
  /** For {@link java.util.ServiceLoader}. */
  public RedisStmProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("redis", "rediss");
  }

  @Override
  public StmBackend open(StmUri uri, StmOptions options) {
    return RedisBackend.open(uri, options);
  }
}
