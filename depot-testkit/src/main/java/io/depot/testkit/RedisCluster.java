package io.depot.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster on loopback, for tests: {@code nodes} {@code redis-server --cluster-enabled
 * yes} processes (masters, no replicas), joined and given all 16384 slots in equal ranges — by
 * {@code redis-cli --cluster create} if a {@code redis-cli} is on {@code PATH}, else by {@code
 * CLUSTER MEET} and {@code CLUSTER ADDSLOTS} sent from here — and ready ({@code cluster_state:ok}
 * on every node) when {@link #start} returns. Never a mock.
 *
 * <p>Always close it: close kills every node and removes their directories.
 */
public final class RedisCluster implements AutoCloseable {
  /** The number of hash slots of Redis Cluster. */
  public static final int SLOTS = 16384;

  private final List<RedisServer> nodes;
  private final String createdBy;

  private RedisCluster(List<RedisServer> nodes, String createdBy) {
    this.nodes = List.copyOf(nodes);
    this.createdBy = createdBy;
  }

  /** Starts a cluster of three masters. */
  public static RedisCluster start() {
    return start(3);
  }

  /** Starts a cluster of {@code nodes} masters (at least 1). */
  public static RedisCluster start(int nodes) {
    if (nodes < 1) {
      throw new IllegalArgumentException("nodes=" + nodes);
    }
    List<RedisServer> servers = new ArrayList<>();
    try {
      for (int i = 0; i < nodes; i++) {
        servers.add(
            RedisServer.startWith(
                List.of(
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes-" + i + ".conf",
                    "--cluster-node-timeout",
                    "5000")));
      }
      Path cli = redisCli();
      String how;
      if (cli != null && nodes >= 3) {
        createWithCli(cli, servers);
        how = cli + " --cluster create";
      } else {
        createByCommands(servers);
        how = "CLUSTER MEET / ADDSLOTS";
      }
      awaitOk(servers);
      return new RedisCluster(servers, how);
    } catch (RuntimeException | Error e) {
      servers.forEach(RedisServer::close);
      throw e;
    }
  }

  private static Path redisCli() {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, "redis-cli");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  private static void createWithCli(Path cli, List<RedisServer> servers) {
    List<String> cmd = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
    for (RedisServer s : servers) {
      cmd.add(s.host() + ":" + s.port());
    }
    cmd.add("--cluster-yes");
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException(cmd + " failed: " + out);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + cmd, e);
    }
  }

  private static void createByCommands(List<RedisServer> servers) {
    int n = servers.size();
    for (int i = 0; i < n; i++) {
      int from = i * SLOTS / n;
      int to = (i + 1) * SLOTS / n;
      List<String> cmd = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      for (int slot = from; slot < to; slot++) {
        cmd.add(Integer.toString(slot));
      }
      expectOk(servers.get(i), cmd);
    }
    RedisServer first = servers.getFirst();
    for (int i = 1; i < n; i++) {
      expectOk(
          first,
          List.of(
              "CLUSTER", "MEET", servers.get(i).host(), Integer.toString(servers.get(i).port())));
    }
  }

  private static void expectOk(RedisServer s, List<String> cmd) {
    String r = command(s, cmd);
    if (!r.startsWith("OK")) {
      throw new IllegalStateException(cmd.subList(0, 2) + " on " + s + " replied " + r);
    }
  }

  private static void awaitOk(List<RedisServer> servers) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      boolean ok = true;
      for (RedisServer s : servers) {
        last = command(s, List.of("CLUSTER", "INFO"));
        if (!last.contains("cluster_state:ok")
            || !last.contains("cluster_known_nodes:" + servers.size())) {
          ok = false;
          break;
        }
      }
      if (ok) {
        return;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the cluster formed");
      }
    }
    throw new IllegalStateException(
        "the cluster did not reach cluster_state:ok in 60 s; last CLUSTER INFO: " + last);
  }

  /**
   * Sends one command and returns its reply as text (a simple string, an error as "-...", a bulk
   * string).
   */
  static String command(RedisServer s, List<String> parts) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(s.host(), s.port()), 2_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      StringBuilder sb = new StringBuilder("*").append(parts.size()).append("\r\n");
      for (String p : parts) {
        sb.append('$')
            .append(p.getBytes(StandardCharsets.UTF_8).length)
            .append("\r\n")
            .append(p)
            .append("\r\n");
      }
      out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = new BufferedInputStream(socket.getInputStream());
      String line = readLine(in);
      if (line.startsWith("$")) {
        int len = Integer.parseInt(line.substring(1));
        if (len < 0) {
          return "";
        }
        byte[] b = in.readNBytes(len + 2);
        return new String(b, 0, len, StandardCharsets.UTF_8);
      }
      return line.startsWith("+") || line.startsWith(":") ? line.substring(1) : line;
    } catch (IOException e) {
      throw new IllegalStateException("cannot talk to " + s + ": " + e, e);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      if (c == '\r') {
        in.read();
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }

  /** The nodes, each a master of an equal share of the slots. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /**
   * A seed URI, {@code redis://127.0.0.1:<port of the first node>}: a cluster client discovers the
   * others.
   */
  public String uri() {
    return nodes.getFirst().uri();
  }

  /**
   * How the cluster was created ({@code redis-cli --cluster create} or the commands sent from
   * here).
   */
  public String createdBy() {
    return createdBy;
  }

  /** Kills every node and removes their directories. Idempotent. */
  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "RedisCluster["
        + nodes.size()
        + " nodes from "
        + uri()
        + ", created by "
        + createdBy
        + "]";
  }
}
