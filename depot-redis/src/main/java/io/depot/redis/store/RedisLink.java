package io.depot.redis.store;

import io.depot.DepotException;
import io.depot.InvalidArgumentException;
import io.depot.StoreAuthenticationException;
import io.depot.StoreUnavailableException;
import io.depot.TypeMismatchException;
import io.depot.ValueTooLargeException;
import io.depot.redis.AuthProbe;
import io.depot.redis.LettuceClients;
import io.depot.redis.RedisCalls;
import io.depot.redis.RedisFailure;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One Redis deployment, standalone or cluster, reached through Lettuce: the shared connection
 * (thread-safe, pipelined by Lettuce) that every non-blocking command uses, extra connections for
 * blocking reads, the scripts by SHA, and the translation of Lettuce's failures into Depot's
 * exceptions naming the address (never the password).
 *
 * <p>Both deployments are driven through {@link RedisClusterCommands}, the command set that a
 * standalone {@code RedisCommands} and a cluster's {@code RedisAdvancedClusterCommands} share; in a
 * cluster, every script touches the keys of one hash tag, so one slot.
 */
final class RedisLink extends RedisCalls implements AutoCloseable {
  final String address;
  final boolean cluster;
  private final ClientResources resources;
  private final @Nullable RedisClient client;
  private final @Nullable RedisClusterClient clusterClient;
  private final StatefulConnection<byte[], byte[]> connection;
  final RedisClusterCommands<byte[], byte[]> commands;

  /**
   * The same connection's asynchronous commands, for fire-and-forget counters (ordered with the
   * others).
   */
  final RedisClusterAsyncCommands<byte[], byte[]> async;

  private RedisLink(
      String address,
      boolean cluster,
      ClientResources resources,
      @Nullable RedisClient client,
      @Nullable RedisClusterClient clusterClient,
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterCommands<byte[], byte[]> commands,
      RedisClusterAsyncCommands<byte[], byte[]> async) {
    // a script the server does not know (after a restart or failover, or a cluster node that has
    // not
    // seen it: SCRIPT LOAD went to another node) runs by its source
    super(commands, OnNoScript.EVAL);
    this.address = address;
    this.cluster = cluster;
    this.resources = resources;
    this.client = client;
    this.clusterClient = clusterClient;
    this.connection = connection;
    this.commands = commands;
    this.async = async;
  }

  static RedisLink connect(RedisURI uri, boolean cluster, Duration timeout) {
    String address =
        (uri.isSsl() ? "rediss://" : "redis://")
            + uri.getHost()
            + ":"
            + uri.getPort()
            + (cluster ? " (cluster)" : "/" + uri.getDatabase());
    ClientResources resources =
        DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    RedisClient client = null;
    RedisClusterClient clusterClient = null;
    try {
      if (cluster) {
        clusterClient = RedisClusterClient.create(resources, uri);
        LettuceClients.configure(clusterClient, timeout, ProtocolVersion.RESP2);
        StatefulRedisClusterConnection<byte[], byte[]> c =
            clusterClient.connect(ByteArrayCodec.INSTANCE);
        return new RedisLink(address, true, resources, null, clusterClient, c, c.sync(), c.async());
      }
      client = RedisClient.create(resources, uri);
      LettuceClients.configure(client, timeout, ProtocolVersion.RESP2);
      StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE);
      return new RedisLink(address, false, resources, client, null, c, c.sync(), c.async());
    } catch (RuntimeException e) {
      shutdown(client, clusterClient, resources);
      DepotException failure = translate(e, "connect", address);
      if (!(failure instanceof StoreAuthenticationException)) {
        String refused = AuthProbe.refusal(uri, timeout);
        if (refused != null) {
          failure =
              new StoreAuthenticationException(
                  "redis refused the credentials at " + address + " (connect): " + refused, e);
        }
      }
      throw failure;
    }
  }

  /**
   * A connection of its own, for a blocking read ({@code XREADGROUP BLOCK}) that must not hold up
   * the others.
   */
  Blocking newBlockingConnection() {
    return call(
        "connect",
        () -> {
          if (cluster) {
            StatefulRedisClusterConnection<byte[], byte[]> c =
                Objects.requireNonNull(clusterClient).connect(ByteArrayCodec.INSTANCE);
            return new Blocking(c, c.sync());
          }
          StatefulRedisConnection<byte[], byte[]> c =
              Objects.requireNonNull(client).connect(ByteArrayCodec.INSTANCE);
          return new Blocking(c, c.sync());
        });
  }

  /** A connection of its own and its commands. */
  record Blocking(
      StatefulConnection<byte[], byte[]> connection,
      RedisClusterCommands<byte[], byte[]> commands) {}

  /** A Depot exception for a Lettuce failure of {@code operation}. */
  static DepotException translate(RuntimeException e, String operation, String address) {
    if (e instanceof DepotException de) {
      return de;
    }
    RedisFailure f = RedisFailure.of(e);
    String at = " at " + address + " (" + operation;
    return switch (f.kind()) {
      case AUTHENTICATION ->
          new StoreAuthenticationException(
              "redis refused the credentials" + at + "): " + f.detail(), e);
      case WRONG_TYPE ->
          new TypeMismatchException(
              "a key of another type is in the store's key space" + at + "): " + f.detail(), e);
      case TOO_LARGE ->
          new ValueTooLargeException(
              "redis refused a value as too large" + at + "): " + f.detail(), e);
      case UNREACHABLE ->
          new StoreUnavailableException(
              "cannot reach redis" + at + "; may be retried): " + f.detail(), e);
      case OUT_OF_MEMORY, REDIS_ERROR ->
          new DepotException("redis error" + at + "): " + f.detail(), e);
      case OTHER -> new InvalidArgumentException(operation + " failed at " + address + ": " + e, e);
    };
  }

  @Override
  protected DepotException translate(RuntimeException e, String operation) {
    return translate(e, operation, address);
  }

  @Override
  public void close() {
    try {
      connection.close();
    } finally {
      shutdown(client, clusterClient, resources);
    }
  }

  /** Shuts the client (whichever there is) down, and its resources in the background. */
  private static void shutdown(
      @Nullable RedisClient client,
      @Nullable RedisClusterClient clusterClient,
      ClientResources resources) {
    if (client != null) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (clusterClient != null) {
      clusterClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    var unused =
        resources.shutdown(0, 2, TimeUnit.SECONDS); // in the background: nothing waits for it
  }
}
