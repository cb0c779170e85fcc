package io.depot.redis.storage;

import io.depot.redis.LettuceClients;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.StorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.ProviderOptions;
import io.depot.storage.spi.StorageProviderFactory;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code redis://<host>:<port>/<db>/[<scope>/...]} providers on Lettuce ({@code <db>}
 * defaults to 0). The password may be in the base URI's user information ({@code
 * redis://:secret@host:6379/0/}) or an option; blob URIs never carry it. Options:
 *
 * <ul>
 *   <li>{@code max-blob-bytes} ({@value #DEFAULT_MAX_BLOB_MIB} MiB, at most 512 MB less the
 *       trailer): the largest blob; a larger one is refused with {@link
 *       io.depot.storage.BlobTooLargeException} and nothing is stored;
 *   <li>{@code namespace} ({@code depot}): the key prefix, {@code <namespace>:<path>};
 *   <li>{@code username}, {@code password}: ACL credentials;
 *   <li>{@code timeout-millis} (30000): the connect and command timeout;
 *   <li>{@code cluster} ({@code false}): the host is a seed node of a Redis Cluster (Lettuce's
 *       cluster client); the keys are then {@code {<namespace>}:<path>}, one hash tag per
 *       namespace, so a namespace's blobs live in one slot (use several namespaces to spread blobs
 *       over the nodes).
 * </ul>
 */
public class RedisStorageFactory implements StorageProviderFactory {
  /** The scheme. */
  public static final String SCHEME = "redis";

  /** The default blob size limit in MiB. */
  public static final int DEFAULT_MAX_BLOB_MIB = 64;

  /** Redis's largest string ({@code proto-max-bulk-len}'s default), less the largest trailer. */
  public static final long MAX_BLOB_BYTES =
      (512L << 20) - io.depot.storage.spi.BlobTrailer.MAX_BYTES;

  private final String scheme;

  /** For {@link java.util.ServiceLoader}: the {@code redis:} scheme. */
  public RedisStorageFactory() {
    this(SCHEME);
  }

  /**
   * For subclasses serving another scheme of the same layout.
   *
   * @param scheme the URI scheme this factory serves
   */
  protected RedisStorageFactory(String scheme) {
    this.scheme = scheme;
  }

  @Override
  public final String scheme() {
    return scheme;
  }

  @Override
  public final StorageProvider open(URI base, Map<String, String> options) {
    ProviderOptions opts =
        new ProviderOptions(
            options,
            base,
            Set.of(
                "max-blob-bytes",
                "namespace",
                "username",
                "password",
                "timeout-millis",
                "cluster"));
    if (base.getHost() == null) {
      throw new MalformedBlobUriException(
          "a redis base names a server: " + scheme + "://<host>:<port>/<db>/", base);
    }
    String path = base.getRawPath() == null ? "" : base.getRawPath();
    String[] segs = path.replaceFirst("^/", "").split("/", -1);
    URI normalized = base;
    if (path.isEmpty() || path.equals("/")) {
      normalized = URI.create(scheme + "://" + base.getRawAuthority() + "/0/");
    } else if (!segs[0].matches("\\d{1,4}")) {
      throw new MalformedBlobUriException(
          "a redis base starts with the database number: " + scheme + "://<host>:<port>/<db>/",
          base);
    }
    BlobLayout layout = BlobLayout.of(normalized, 0, true);
    int db = Integer.parseInt(layout.basePath().split("/")[1]);
    String namespace = opts.string("namespace", "depot");
    if (!namespace.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new io.depot.InvalidArgumentException(
          "storage option namespace must be 1..64 of [A-Za-z0-9._-]:"
              + " namespace="
              + namespace
              + " base="
              + layout.base());
    }
    long maxBlob =
        opts.size("max-blob-bytes", (long) DEFAULT_MAX_BLOB_MIB << 20, 0, MAX_BLOB_BYTES);
    Duration timeout = Duration.ofMillis(opts.integer("timeout-millis", 30_000, 1, 3_600_000));

    RedisURI.Builder ru =
        RedisURI.builder()
            .withHost(base.getHost())
            .withPort(base.getPort() < 0 ? RedisURI.DEFAULT_REDIS_PORT : base.getPort())
            .withDatabase(db)
            .withSsl(scheme.equals("rediss"))
            .withTimeout(timeout);
    String user = opts.string("username");
    String password = opts.string("password");
    if (password == null && base.getRawUserInfo() != null) {
      String info = base.getUserInfo();
      int colon = info.indexOf(':');
      password = colon < 0 ? info : info.substring(colon + 1);
      if (user == null && colon > 0) {
        user = info.substring(0, colon);
      }
    }
    if (password != null) {
      if (user != null) {
        ru.withAuthentication(user, password.toCharArray());
      } else {
        ru.withPassword(password.toCharArray());
      }
    }
    boolean cluster = opts.bool("cluster", false);
    AbstractRedisClient client;
    // Lettuce's default protocol (RESP3); the STM backend and the object store speak RESP2
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(ru.build());
      LettuceClients.configure(c, timeout, null);
      client = c;
    } else {
      RedisClient c = RedisClient.create(ru.build());
      LettuceClients.configure(c, timeout, null);
      client = c;
    }
    try {
      RedisStorageProvider.Backend backend;
      if (client instanceof RedisClusterClient c) {
        StatefulRedisClusterConnection<byte[], byte[]> connection =
            c.connect(ByteArrayCodec.INSTANCE);
        backend =
            new RedisStorageProvider.Backend(
                client,
                connection,
                connection.sync(),
                connection.async(),
                true,
                namespace,
                maxBlob);
      } else {
        StatefulRedisConnection<byte[], byte[]> connection =
            ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
        backend =
            new RedisStorageProvider.Backend(
                client,
                connection,
                connection.sync(),
                connection.async(),
                false,
                namespace,
                maxBlob);
      }
      return new RedisStorageProvider(layout, backend);
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      io.depot.storage.StorageException failure =
          RedisErrors.map("cannot connect", layout.base(), e);
      if (!(failure instanceof io.depot.storage.BackendAccessDeniedException)) {
        // the handshake does not always say that AUTH was refused or required: ask the server
        // directly
        RedisURI built = ru.build();
        String refused =
            io.depot.redis.AuthProbe.refusal(
                built.getHost(),
                built.getPort(),
                built.isSsl(),
                user,
                password == null ? null : password.toCharArray(),
                timeout);
        if (refused != null) {
          failure =
              new io.depot.storage.BackendAccessDeniedException(
                  "cannot connect: redis refused the " + "credentials: " + refused,
                  layout.base(),
                  e);
        }
      }
      throw failure;
    }
  }
}
