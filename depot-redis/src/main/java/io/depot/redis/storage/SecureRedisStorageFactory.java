package io.depot.redis.storage;

/**
 * Opens {@code rediss://} (TLS) providers; see {@link RedisStorageFactory} for the layout and
 * options.
 */
public final class SecureRedisStorageFactory extends RedisStorageFactory {
  /** The scheme. */
  public static final String SCHEME = "rediss";

  /** For {@link java.util.ServiceLoader}. */
  public SecureRedisStorageFactory() {
    super(SCHEME);
  }
}
