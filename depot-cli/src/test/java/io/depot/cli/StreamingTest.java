package io.depot.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.testkit.ChildJvm;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code depot put} and {@code get} stream: a 160 MiB value goes in from a file and from standard
 * input, and out to a file and to standard output, through a CLI process whose heap is 32 MiB.
 */
class StreamingTest {
  @TempDir Path dir;

  private static final long SIZE = 160L << 20;

  private Process depot(String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                ChildJvm.javaBinary().toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx32m",
                "-cp",
                System.getProperty("java.class.path"),
                DepotCli.class.getName()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--dir", dir.toString()));
    return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static int exit(Process p) throws Exception {
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "depot did not finish");
    return p.exitValue();
  }

  private static String sha256(InputStream in) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    for (int n; (n = in.read(buf)) > 0; ) {
      md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  @Test
  void putAndGetStreamThroughASmallHeap() throws Exception {
    Path big = dir.resolve("big.bin");
    Random r = new Random(7);
    byte[] chunk = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(big)) {
      for (long i = 0; i < SIZE; i += chunk.length) {
        r.nextBytes(chunk);
        out.write(chunk);
      }
    }
    String want;
    try (InputStream in = Files.newInputStream(big)) {
      want = sha256(in);
    }
    assertEquals(0, exit(depot("create", "s", "--capacity", "512M")));
    assertEquals(0, exit(depot("put", "s", "from-file", big.toString())));
    Process fromStdin = depot("put", "s", "from-stdin", "-");
    try (OutputStream in = fromStdin.getOutputStream()) {
      Files.copy(big, in);
    }
    assertEquals(0, exit(fromStdin));

    Path back = dir.resolve("back.bin");
    assertEquals(0, exit(depot("get", "s", "from-stdin", back.toString())));
    try (InputStream in = Files.newInputStream(back)) {
      assertEquals(want, sha256(in), "file out");
    }
    Process toStdout = depot("get", "s", "from-file", "-");
    String got;
    try (InputStream in = toStdout.getInputStream()) {
      got = sha256(in);
    }
    assertEquals(0, exit(toStdout));
    assertEquals(want, got, "standard output");
    assertEquals(3, exit(depot("get", "s", "missing", "-")), "not found");
    assertEquals(2, exit(depot("put", "s", "x")), "no value given: a usage error");
    assertEquals(0, exit(depot("destroy", "s")));
  }

  /**
   * The progress line shows on a terminal (a pseudo-terminal made by {@code script}, as a user's
   * shell has) and not when standard error is piped.
   */
  @Test
  void progressOnATerminalOnly() throws Exception {
    Path file = dir.resolve("p.bin");
    Files.write(file, new byte[16 << 20]);
    assertEquals(0, exit(depot("create", "p", "--capacity", "64M")));
    List<String> piped =
        new ArrayList<>(
            List.of(
                ChildJvm.javaBinary().toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                DepotCli.class.getName(),
                "put",
                "p",
                "v",
                file.toString(),
                "--dir",
                dir.toString()));
    Process p = new ProcessBuilder(piped).redirectErrorStream(true).start();
    String pipedOut =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, exit(p));
    assertFalse(pipedOut.contains("ETA"), "no progress when piped: " + pipedOut);

    Path back = dir.resolve("back.bin");
    String command =
        String.join(
            " ",
            List.of(
                ChildJvm.javaBinary().toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                "'" + System.getProperty("java.class.path") + "'",
                DepotCli.class.getName(),
                "get",
                "p",
                "v",
                "'" + back + "'",
                "--dir",
                "'" + dir + "'"));
    Process tty =
        new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
            .redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    tty.getOutputStream().close();
    String screen =
        new String(tty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, exit(tty), screen);
    assertTrue(
        screen.contains("16.0 MiB / 16.0 MiB") && screen.contains("/s") && screen.contains("ETA"),
        "a progress line on the terminal: " + screen);
    assertEquals(16 << 20, Files.size(back));
    assertEquals(0, exit(depot("destroy", "p")));
  }
}
