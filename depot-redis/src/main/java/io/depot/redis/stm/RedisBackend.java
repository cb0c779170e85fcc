package io.depot.redis.stm;

import io.depot.redis.AuthProbe;
import io.depot.redis.LettuceClients;
import io.depot.redis.RedisCalls;
import io.depot.redis.RedisFailure;
import io.depot.stm.InvalidUriException;
import io.depot.stm.StmAuthenticationException;
import io.depot.stm.StmConnectionException;
import io.depot.stm.StmException;
import io.depot.stm.StmOptions;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmUri;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The Redis backend: one Lettuce connection (thread-safe, pipelined by Lettuce) per memory, Lua
 * scripts for every multi-key change (see {@link Scripts}), keys laid out per workflow in one hash
 * slot (see {@link RedisKeys}).
 *
 * <pre>
 * Concurrency: Redis runs each script atomically, so every single-key operation, and clear, end and the TTL
 * changes, are atomic on the server. Reads are single commands (HMGET). The connection reconnects by itself
 * (exponential back-off up to 1 s); while it is down, commands fail at once with StmConnectionException
 * (DisconnectedBehavior.REJECT_COMMANDS), so callers may retry.
 * </pre>
 */
final class RedisBackend extends RedisCalls implements StmBackend {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  static final String DEFAULT_NAMESPACE = "stm";

  /** Redis's largest bulk string (proto-max-bulk-len default). */
  static final long MAX_REDIS_VALUE = 512L << 20;

  private static final Object RESOURCES_LOCK = new Object();
  private static @Nullable ClientResources sharedResources;
  private static int resourceUsers;

  final String namespace;
  final long defaultTtlMillis;
  private final String address;
  private final ClientResources resources;
  private final AbstractRedisClient client;
  private final StatefulConnection<byte[], byte[]> connection;

  /**
   * The commands a standalone server and a cluster share (a cluster's are Lettuce's advanced
   * cluster commands).
   */
  final RedisClusterCommands<byte[], byte[]> commands;

  private RedisBackend(
      String address,
      String namespace,
      StmOptions options,
      ClientResources resources,
      AbstractRedisClient client,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterCommands<byte[], byte[]> commands) {
    // a script the server does not know (after a restart) is loaded again
    super(commands, OnNoScript.RELOAD);
    this.address = address;
    this.namespace = namespace;
    this.defaultTtlMillis = options.defaultTtl().map(Duration::toMillis).orElse(0L);
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.commands = commands;
  }

  static RedisBackend open(StmUri uri, StmOptions options) {
    Map<String, String> lettuceParams = new LinkedHashMap<>(uri.params());
    String namespace = lettuceParams.remove("namespace");
    lettuceParams.remove("ttl");
    lettuceParams.remove("maxValueBytes");
    lettuceParams.remove("timeout");
    // cluster=true: the host is a seed node of a Redis Cluster (every workflow's keys share one
    // hash tag: one slot).
    boolean cluster = Boolean.parseBoolean(lettuceParams.remove("cluster"));
    if (namespace == null) {
      namespace = DEFAULT_NAMESPACE;
    }
    if (namespace.isEmpty() || !namespace.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidUriException(
          "namespace must be 1 or more of [A-Za-z0-9._-]: namespace="
              + namespace
              + ": uri="
              + uri.redacted());
    }
    Duration timeout = uri.durationParam("timeout");
    if (timeout == null) {
      timeout = DEFAULT_TIMEOUT;
    }
    StringBuilder text = new StringBuilder(uri.scheme()).append(':').append(uri.body());
    char sep = '?';
    for (Map.Entry<String, String> e : lettuceParams.entrySet()) {
      text.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = '&';
    }
    RedisURI redisUri;
    try {
      redisUri = RedisURI.create(text.toString());
    } catch (IllegalArgumentException e) {
      throw new InvalidUriException(
          "invalid Redis URI (" + e.getMessage() + "): uri=" + uri.redacted(), e);
    }
    redisUri.setTimeout(timeout);
    String address =
        (redisUri.isSsl() ? "rediss://" : "redis://")
            + redisUri.getHost()
            + ":"
            + redisUri.getPort()
            + "/"
            + redisUri.getDatabase();
    ClientResources resources = acquireResources();
    AbstractRedisClient client;
    // RESP2: see LettuceClients.configure
    if (cluster) {
      RedisClusterClient c = RedisClusterClient.create(resources, redisUri);
      LettuceClients.configure(c, timeout, ProtocolVersion.RESP2);
      client = c;
    } else {
      RedisClient c = RedisClient.create(resources, redisUri);
      LettuceClients.configure(c, timeout, ProtocolVersion.RESP2);
      client = c;
    }
    try {
      if (client instanceof RedisClusterClient c) {
        StatefulRedisClusterConnection<byte[], byte[]> connection =
            c.connect(ByteArrayCodec.INSTANCE);
        return new RedisBackend(
            address, namespace, options, resources, client, connection, connection.sync());
      }
      StatefulRedisConnection<byte[], byte[]> connection =
          ((RedisClient) client).connect(ByteArrayCodec.INSTANCE);
      return new RedisBackend(
          address, namespace, options, resources, client, connection, connection.sync());
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      RuntimeException failure = translate(e, "connect", address);
      if (!(failure instanceof StmAuthenticationException)) {
        String refused = AuthProbe.refusal(redisUri, timeout);
        if (refused != null) {
          failure =
              new StmAuthenticationException(
                  "redis refused the credentials at " + address + " (connect): " + refused, e);
        }
      }
      releaseResources(resources);
      throw failure;
    }
  }

  private static ClientResources acquireResources() {
    synchronized (RESOURCES_LOCK) {
      if (sharedResources == null) {
        sharedResources =
            DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(
                    Delay.exponential(
                        Duration.ofMillis(5), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
      }
      resourceUsers++;
      return sharedResources;
    }
  }

  @SuppressWarnings("ReferenceEquality") // only the shared instance is counted: identity is meant
  private static void releaseResources(ClientResources resources) {
    synchronized (RESOURCES_LOCK) {
      if (resources == sharedResources && --resourceUsers == 0) {
        sharedResources = null;
        var unused =
            resources.shutdown(0, 2, TimeUnit.SECONDS); // in the background: nothing waits for it
      }
    }
  }

  /** A Depot exception for a Lettuce failure of {@code operation} against {@code address}. */
  static RuntimeException translate(RuntimeException e, String operation, String address) {
    RedisFailure f = RedisFailure.of(e);
    String at = " at " + address + " (" + operation;
    return switch (f.kind()) {
      case OTHER -> e;
      case AUTHENTICATION ->
          new StmAuthenticationException(
              "redis refused the credentials" + at + "): " + f.detail(), e);
      case UNREACHABLE ->
          new StmConnectionException(
              "cannot reach redis" + at + "; may be retried): " + f.detail(), e);
      default -> new StmException("redis error" + at + "): " + f.detail(), e);
    };
  }

  @Override
  protected RuntimeException translate(RuntimeException e, String operation) {
    return translate(e, operation, address);
  }

  static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public BackendWorkflow workflow(String id) {
    return new RedisWorkflow(this, id);
  }

  @Override
  public List<String> workflows() {
    List<String> out = new ArrayList<>();
    scanMetas(id -> out.add(id));
    return out;
  }

  private void scanMetas(java.util.function.Consumer<String> action) {
    ScanArgs args = ScanArgs.Builder.limit(1000).match(RedisKeys.metaPattern(namespace));
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      ScanCursor from = cursor;
      KeyScanCursor<byte[]> page = call("scan", () -> commands.scan(from, args));
      for (byte[] key : page.getKeys()) {
        String id = RedisKeys.idOfMeta(namespace, key);
        if (id != null) {
          action.accept(id);
        }
      }
      cursor = page;
    } while (!cursor.isFinished());
  }

  @Override
  public int sweepExpired() {
    // Redis deletes expired keys itself; what is left is index entries of keys that expired on
    // their own.
    int[] pruned = {0};
    scanMetas(id -> pruned[0] += ((RedisWorkflow) workflow(id)).pruneIndex());
    return pruned[0];
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      releaseResources(resources);
    }
  }

  @Override
  public String toString() {
    return "RedisBackend[" + address + ", namespace=" + namespace + "]";
  }
}
