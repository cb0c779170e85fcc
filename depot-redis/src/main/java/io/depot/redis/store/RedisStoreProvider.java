package io.depot.redis.store;

import io.depot.DepotOptions;
import io.depot.ObjectStore;
import io.depot.spi.ObjectStoreProvider;
import java.net.URI;
import java.util.Set;

/**
 * The object store on Redis: {@code redis://[user:password@]host:port[/db]?prefix=P}, {@code
 * rediss://} for TLS; parameters in {@link RedisStoreOptions}. The {@link DepotOptions}
 * (shared-memory sizes) do not apply.
 */
public final class RedisStoreProvider implements ObjectStoreProvider {
  /** For {@link java.util.ServiceLoader}. */
  public RedisStoreProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("redis", "rediss");
  }

  @Override
  public ObjectStore open(URI uri, DepotOptions options, boolean create) {
    return RedisObjectStore.open(RedisStoreOptions.parse(uri), create);
  }
}
