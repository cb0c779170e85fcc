package io.depot.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce client options the three Redis backends share, standalone or cluster: reconnect by
 * itself, refuse commands at once while disconnected ({@link
 * ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}, so callers see an unreachable server and may
 * retry), and one timeout for the connect and for every command.
 */
public final class LettuceClients {
  private LettuceClients() {}

  /**
   * Sets the shared options on a standalone client.
   *
   * @param client the client, before it connects
   * @param timeout the connect and command timeout
   * @param protocol the protocol to speak, or null for Lettuce's default (RESP3, HELLO handshake);
   *     RESP2 authenticates with AUTH instead of HELLO, whose failure against a password-protected
   *     server is not always reported as NOAUTH, and is the most widely supported by
   *     Redis-compatible servers
   */
  public static void configure(
      RedisClient client, Duration timeout, @Nullable ProtocolVersion protocol) {
    client.setOptions(shared(ClientOptions.builder(), timeout, protocol).build());
  }

  /**
   * Sets the shared options on a cluster client.
   *
   * @param client the cluster client, before it connects
   * @param timeout the connect and command timeout
   * @param protocol the protocol to speak, or null for Lettuce's default (see {@link
   *     #configure(RedisClient, Duration, ProtocolVersion)})
   */
  public static void configure(
      RedisClusterClient client, Duration timeout, @Nullable ProtocolVersion protocol) {
    client.setOptions(shared(ClusterClientOptions.builder(), timeout, protocol).build());
  }

  private static <B extends ClientOptions.Builder> B shared(
      B builder, Duration timeout, @Nullable ProtocolVersion protocol) {
    if (protocol != null) {
      builder.protocolVersion(protocol);
    }
    builder
        .autoReconnect(true)
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
        .timeoutOptions(TimeoutOptions.enabled(timeout));
    return builder;
  }
}
