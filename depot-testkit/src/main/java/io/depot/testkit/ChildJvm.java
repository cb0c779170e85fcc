package io.depot.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class on this JVM's class path, with the same {@code java} binary. Its
 * standard output is collected line by line (and readable while it runs); standard error is echoed
 * with a prefix. Always close it: close kills the process (SIGKILL) if it is still running.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final String label;
  private final List<String> out = new CopyOnWriteArrayList<>();
  private final List<String> err = new CopyOnWriteArrayList<>();
  private final Thread outPump;
  private final Thread errPump;

  private ChildJvm(Process process, String label) {
    this.process = process;
    this.label = label;
    this.outPump = pump(process.inputReader(StandardCharsets.UTF_8), out, null);
    this.errPump =
        pump(
            new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
            err,
            "[" + label + " err] ");
  }

  private static Thread pump(BufferedReader reader, List<String> sink, String echoPrefix) {
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  try (reader) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                      sink.add(line);
                      if (echoPrefix != null) {
                        System.err.println(echoPrefix + line);
                      }
                    }
                  } catch (IOException ignored) {
                    // the process ended
                  }
                });
    return t;
  }

  /** The {@code java} binary of this JVM. */
  public static Path javaBinary() {
    return Path.of(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
  }

  /** Starts {@code mainClass} with {@code args}, default JVM options and a 256 MiB heap. */
  public static ChildJvm start(Class<?> mainClass, String... args) {
    return start(List.of("-Xmx256m"), mainClass, args);
  }

  /** Starts {@code mainClass} with extra JVM options and {@code args}. */
  public static ChildJvm start(List<String> jvmOptions, Class<?> mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary().toString());
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-XX:+UseSerialGC");
    cmd.add(
        "-XX:TieredStopAtLevel=1".equals(System.getProperty("depot.child.jit"))
            ? "-XX:TieredStopAtLevel=1"
            : "-XX:+TieredCompilation");
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass.getName());
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.PIPE).start();
      return new ChildJvm(p, mainClass.getSimpleName() + ":" + p.pid());
    } catch (IOException e) {
      throw new IllegalStateException("cannot start child JVM " + cmd, e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public Process process() {
    return process;
  }

  /** Lines printed to standard output so far. */
  public List<String> output() {
    return List.copyOf(out);
  }

  /** Lines printed to standard error so far. */
  public List<String> errors() {
    return List.copyOf(err);
  }

  /** Waits until some output line starts with {@code prefix}; returns it. */
  public String awaitLine(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (System.nanoTime() < deadline) {
      for (String l : out) {
        if (l.startsWith(prefix)) {
          return l;
        }
      }
      if (!process.isAlive() && !outPump.isAlive()) {
        break;
      }
      Thread.sleep(5);
    }
    throw new IllegalStateException(
        label
            + ": no output line starting with '"
            + prefix
            + "' (alive="
            + process.isAlive()
            + "), output="
            + out
            + ", errors="
            + err);
  }

  /** Writes a line to the child's standard input. */
  public void send(String line) throws IOException {
    process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
    process.getOutputStream().flush();
  }

  /**
   * Waits for the child to exit.
   *
   * @return its exit code
   * @throws IllegalStateException if it does not exit in time (it is then killed)
   */
  public int await(long timeout, TimeUnit unit) throws InterruptedException {
    if (!process.waitFor(timeout, unit)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          label
              + " did not exit within "
              + timeout
              + " "
              + unit
              + "; output="
              + out
              + ", errors="
              + err);
    }
    outPump.join(5_000);
    errPump.join(5_000);
    return process.exitValue();
  }

  /** Waits for exit and requires exit code 0. */
  public void awaitSuccess(long timeout, TimeUnit unit) throws InterruptedException {
    int code = await(timeout, unit);
    if (code != 0) {
      throw new IllegalStateException(
          label + " exited with " + code + "; output=" + out + ", errors=" + err);
    }
  }

  /**
   * Kills the child with SIGKILL, reaps it, and reads the rest of its output (everything it
   * flushed). The signal is sent through {@link ProcessHandle}: {@link Process#destroyForcibly()}
   * would also close the output pipes and discard what the child wrote last.
   */
  public void kill() throws InterruptedException {
    process.toHandle().destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
    outPump.join(10_000);
    errPump.join(10_000);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
