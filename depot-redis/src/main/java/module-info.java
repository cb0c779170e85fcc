/**
 * Depot on Redis and Redis Cluster, through Lettuce: the object store and its queues ({@code
 * redis://} for {@link io.depot.Depot#open(java.net.URI)}), the short-term memory backend and the
 * storage provider.
 */
module io.depot.redis {
  requires static transitive org.jspecify; // @NullMarked and @Nullable in the API: compile-time
  // only
  requires transitive io.depot.core;
  requires transitive io.depot.stm;
  requires transitive io.depot.storage;
  requires lettuce.core;
  requires reactor.core; // Lettuce's reactive types appear in the calls made (Mono.block)

  // io.depot.redis (the plumbing the three backends share: failure kinds, the credentials probe,
  // Lettuce's client options, commands and scripts run with their failures translated) is not
  // exported
  exports io.depot.redis.store;
  exports io.depot.redis.stm;
  exports io.depot.redis.storage;

  provides io.depot.spi.ObjectStoreProvider with
      io.depot.redis.store.RedisStoreProvider;
  provides io.depot.stm.spi.StmBackendProvider with
      io.depot.redis.stm.RedisStmProvider;
  provides io.depot.storage.spi.StorageProviderFactory with
      io.depot.redis.storage.RedisStorageFactory,
      io.depot.redis.storage.SecureRedisStorageFactory;
}
