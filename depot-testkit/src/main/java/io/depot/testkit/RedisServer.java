package io.depot.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free loopback port, for tests and benchmarks: the binary from
 * {@code PATH} if one runs, else the one packaged in the {@code
 * com.github.codemonstur:embedded-redis} jar (extracted once per JVM). It runs with {@code --save
 * "" --appendonly no} in a temporary directory. Starting fails loudly ({@link
 * IllegalStateException} saying what was tried) if no binary works: tests that need Redis never
 * skip silently.
 *
 * <p>Always close it: close kills the server and removes its directory. A shutdown hook kills it
 * too if the JVM exits first.
 */
public final class RedisServer implements AutoCloseable {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Object BINARY_LOCK = new Object();
  private static Path binary;
  private static String binaryVersion;

  private final String password;
  private final List<String> extraArgs;
  private final Path dir;
  private final Thread hook;
  private int port;
  private Process process;

  private RedisServer(String password, List<String> extraArgs) throws IOException {
    this.password = password;
    this.extraArgs = List.copyOf(extraArgs);
    this.dir = Files.createTempDirectory("depot-redis-");
    this.hook = new Thread(this::kill, "redis-server-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts a server without a password on a free loopback port. */
  public static RedisServer start() {
    return start(null);
  }

  /** Starts a server that requires {@code password} ({@code requirepass}). */
  public static RedisServer startWithPassword(String password) {
    if (password == null || password.isEmpty()) {
      throw new IllegalArgumentException("password must be non-empty");
    }
    return start(password);
  }

  /**
   * Starts a server without a password, with {@code extraArgs} appended to its command line (e.g.
   * {@code --cluster-enabled yes}; see {@link RedisCluster}).
   */
  public static RedisServer startWith(List<String> extraArgs) {
    return start(null, extraArgs);
  }

  private static RedisServer start(String password) {
    return start(password, List.of());
  }

  private static RedisServer start(String password, List<String> extraArgs) {
    RedisServer server;
    try {
      server = new RedisServer(password, extraArgs);
    } catch (IOException e) {
      throw new IllegalStateException("cannot create a temporary directory for redis-server", e);
    }
    try {
      server.launch(0);
      return server;
    } catch (RuntimeException | Error e) {
      server.close();
      throw e;
    }
  }

  /** The binary used by every server of this JVM. */
  public static Path binary() {
    synchronized (BINARY_LOCK) {
      if (binary == null) {
        List<String> tried = new ArrayList<>();
        Path found = fromPath(tried);
        if (found == null) {
          found = fromJar(tried);
        }
        if (found == null) {
          throw new IllegalStateException(
              "no working redis-server: tried "
                  + tried
                  + "; install one on PATH (e.g. apt-get install redis-server) or keep embedded-redis on the class path");
        }
        binary = found;
      }
      return binary;
    }
  }

  /** The {@code --version} line of {@link #binary()}. */
  public static String binaryVersion() {
    binary();
    return binaryVersion;
  }

  private static Path fromPath(List<String> tried) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        if (works(candidate, tried)) {
          return candidate;
        }
      }
    }
    tried.add("redis-server on PATH: none");
    return null;
  }

  private static Path fromJar(List<String> tried) {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String osPart = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : null;
    String archPart =
        switch (arch) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case "x86", "i386", "i686" -> "386";
          default -> null;
        };
    if (osPart == null || archPart == null) {
      tried.add("embedded-redis: no binary for os.name=" + os + " os.arch=" + arch);
      return null;
    }
    URL marker = RedisServer.class.getClassLoader().getResource("redis/embedded/RedisServer.class");
    if (marker == null || !"jar".equals(marker.getProtocol())) {
      tried.add("embedded-redis: jar not on the class path");
      return null;
    }
    String suffix = "-" + osPart + "-" + archPart;
    try {
      String spec = marker.getPath();
      Path jar = Path.of(java.net.URI.create(spec.substring(0, spec.indexOf("!/"))));
      try (JarFile jf = new JarFile(jar.toFile())) {
        for (Enumeration<JarEntry> en = jf.entries(); en.hasMoreElements(); ) {
          JarEntry entry = en.nextElement();
          String name = entry.getName();
          if (!name.contains("/") && name.startsWith("redis-server-") && name.endsWith(suffix)) {
            Path dir = Files.createTempDirectory("depot-redis-bin-");
            dir.toFile().deleteOnExit(); // registered first, so deleted after the binary
            Path target = dir.resolve(name);
            try (InputStream in = jf.getInputStream(entry)) {
              Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
            }
            target.toFile().setExecutable(true, true);
            target.toFile().deleteOnExit();
            if (works(target, tried)) {
              return target;
            }
          }
        }
      }
      tried.add("embedded-redis " + jar.getFileName() + ": no working *" + suffix + " entry");
    } catch (IOException | IllegalArgumentException e) {
      tried.add("embedded-redis: " + e);
    }
    return null;
  }

  private static boolean works(Path candidate, List<String> tried) {
    try {
      Process p =
          new ProcessBuilder(candidate.toString(), "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("Redis server")) {
        binaryVersion = out;
        return true;
      }
      p.destroyForcibly();
      tried.add(
          candidate
              + ": --version gave exit="
              + (p.isAlive() ? "timeout" : p.exitValue())
              + " "
              + out);
    } catch (IOException e) {
      tried.add(candidate + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      tried.add(candidate + ": interrupted");
    }
    return false;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free loopback port", e);
    }
  }

  /**
   * Starts the process on {@code wanted} (0: a free port, retrying if another process takes it
   * first).
   */
  private void launch(int wanted) {
    Path bin = binary();
    String failure = null;
    for (int attempt = 0; attempt < (wanted == 0 ? 5 : 1); attempt++) {
      int p = wanted == 0 ? freePort() : wanted;
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  bin.toString(),
                  "--port",
                  Integer.toString(p),
                  "--bind",
                  LOOPBACK.getHostAddress(),
                  "--save",
                  "",
                  "--appendonly",
                  "no",
                  "--dir",
                  dir.toString(),
                  "--daemonize",
                  "no",
                  "--protected-mode",
                  "no",
                  "--logfile",
                  ""));
      if (password != null) {
        cmd.add("--requirepass");
        cmd.add(password);
      }
      cmd.addAll(extraArgs);
      Path log = dir.resolve("redis-" + p + ".log");
      try {
        process =
            new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot run " + cmd, e);
      }
      if (awaitReady(p)) {
        port = p;
        return;
      }
      process.destroyForcibly();
      failure = "redis-server did not come up on port=" + p + "; log: " + tail(log);
    }
    throw new IllegalStateException(failure);
  }

  private boolean awaitReady(int p) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(LOOPBACK, p), 500);
        s.setSoTimeout(2_000);
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] reply = new byte[64];
        int n = s.getInputStream().read(reply);
        String r = n > 0 ? new String(reply, 0, n, StandardCharsets.US_ASCII) : "";
        if (r.startsWith("+PONG") || r.startsWith("-NOAUTH")) {
          return true;
        }
        // -LOADING and the like: not ready yet
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** {@code 127.0.0.1}. */
  public String host() {
    return LOOPBACK.getHostAddress();
  }

  public int port() {
    return port;
  }

  /** The password, or null. */
  public String password() {
    return password;
  }

  /** {@code redis://127.0.0.1:<port>} (without the password). */
  public String uri() {
    return "redis://" + host() + ":" + port;
  }

  /** Whether the server process is running. */
  public boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Kills the server (its data is lost); {@link #restart()} starts it again on the same port. */
  public void stop() {
    kill();
  }

  /**
   * Starts a fresh, empty server on the same port and with the same password (stopping the running
   * one first).
   */
  public void restart() {
    kill();
    launch(port);
  }

  private void kill() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the server and removes its directory. Idempotent. */
  @Override
  public void close() {
    kill();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or has run
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // already gone
    }
  }

  @Override
  public String toString() {
    return "RedisServer["
        + uri()
        + (password != null ? ", password" : "")
        + (isRunning() ? "" : ", stopped")
        + "]";
  }
}
