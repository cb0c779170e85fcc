package io.depot.redis;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Explains a failed connect: asks the server directly whether it refuses the given credentials or
 * demands some. Lettuce's connection handshake does not always report a refused or missing AUTH as
 * such (a failed handshake can surface as "RedisHandshakeHandler not registered"), and a client
 * must be told "wrong password" rather than "unreachable". Two RESP commands ({@code AUTH} if there
 * is a password, then {@code PING}) on a plain socket; TLS servers are not probed. A diagnostic
 * only: data never travels this way.
 */
public final class AuthProbe {
  private AuthProbe() {}

  /**
   * {@return the server's refusal (its error reply) if it refuses {@code password} or requires
   * authentication, else null (accepted, not reachable, or not probed)}
   *
   * @param host the server's host
   * @param port its port
   * @param ssl whether to connect with TLS
   * @param user the ACL user, or null or empty for the default user
   * @param password the password to try (null or empty: none)
   * @param timeout how long to wait for the connection and the reply
   */
  public static @Nullable String refusal(
      String host,
      int port,
      boolean ssl,
      @Nullable String user,
      char @Nullable [] password,
      Duration timeout) {
    if (ssl) {
      return null;
    }
    int millis = (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), millis);
      s.setSoTimeout(millis);
      OutputStream out = s.getOutputStream();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      if (password != null && password.length > 0) {
        String pw = new String(password);
        out.write(user == null || user.isEmpty() ? command("AUTH", pw) : command("AUTH", user, pw));
        out.flush();
        String reply = in.readLine();
        if (reply != null && reply.startsWith("-")) {
          return reply.substring(1);
        }
      }
      out.write(command("PING"));
      out.flush();
      String reply = in.readLine();
      if (reply != null
          && reply.startsWith("-")
          && reply.toUpperCase(Locale.ROOT).contains("AUTH")) {
        return reply.substring(1);
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * {@return the server's refusal of {@code uri}'s credentials (resolved from its credentials
   * provider), or of a connection without any, else null}
   *
   * @param uri the Redis URI a connect failed on
   * @param timeout how long to wait for the credentials, the connection and the reply
   */
  public static @Nullable String refusal(RedisURI uri, Duration timeout) {
    RedisCredentials credentials = null;
    try {
      credentials = uri.getCredentialsProvider().resolveCredentials().block(timeout);
    } catch (RuntimeException e) {
      // no credentials to resolve: probe without
    }
    String user =
        credentials != null && credentials.hasUsername() ? credentials.getUsername() : null;
    char[] password =
        credentials != null && credentials.hasPassword() ? credentials.getPassword() : null;
    return refusal(uri.getHost(), uri.getPort(), uri.isSsl(), user, password, timeout);
  }

  private static byte[] command(String... parts) {
    StringBuilder sb = new StringBuilder("*").append(parts.length).append("\r\n");
    for (String p : parts) {
      byte[] b = p.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(p).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
