package io.depot.cli;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.testkit.ChildJvm;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code depot serve} as a real process: it creates the store, serves Prometheus metrics on
 * loopback (scraped over HTTP, a counter seen to move after another process's puts), refuses a
 * second daemon naming the first's pid, and stops on SIGTERM with exit code 0, destroying the store
 * with {@code --destroy-on-exit}.
 */
class ServeCommandTest {
  @TempDir Path dir;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static String scrape(String url) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    return r.body();
  }

  private static double value(String metrics, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(metrics);
    assertTrue(m.find(), "no " + series + " in:\n" + metrics);
    return Double.parseDouble(m.group(1));
  }

  @Test
  void servesMetricsRefusesASecondDaemonAndStopsOnSigterm() throws Exception {
    String name = "serve-" + ProcessHandle.current().pid();
    DepotOptions opts = DepotOptions.builder().directory(dir).build();
    try (ChildJvm daemon =
        ChildJvm.start(
            DepotCli.class,
            "serve",
            name,
            "--create",
            "--capacity",
            "8M",
            "--metrics-port",
            "0",
            "--interval",
            "200ms",
            "--destroy-on-exit",
            "--dir",
            dir.toString())) {
      String banner = daemon.awaitLine("depot serve: ", 60, TimeUnit.SECONDS);
      Matcher m =
          Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(banner);
      assertTrue(m.find(), banner);
      String url = m.group(1);
      assertTrue(banner.contains("pid " + daemon.pid()), banner);

      String first = scrape(url);
      assertEquals(8 << 20, value(first, "depot_capacity_bytes"));
      assertEquals(0, value(first, "depot_objects"));
      double puts = value(first, "depot_operations_total{op=\"put\"}");
      try (Depot d = Depot.open(name, opts)) {
        for (int i = 0; i < 3; i++) {
          d.put("k" + i, new byte[100]);
        }
        d.createQueue("q", 4, io.depot.Track.bytes("v", 8)).close();
      }
      String second = scrape(url);
      assertEquals(4, value(second, "depot_objects"));
      assertEquals(
          puts + 3,
          value(second, "depot_operations_total{op=\"put\"}"),
          "the puts of a process that has detached since are counted");
      assertEquals(0, value(second, "depot_queue_depth{queue=\"q\"}"));
      assertTrue(value(second, "depot_sweeps_total") >= 0);
      assertTrue(second.contains("depot_client_pins{pid=\"" + daemon.pid() + "\""), second);

      try (ChildJvm other =
          ChildJvm.start(
              DepotCli.class, "serve", name, "--metrics-port", "0", "--dir", dir.toString())) {
        assertEquals(1, other.await(60, TimeUnit.SECONDS));
        assertTrue(
            String.join("\n", other.errors()).contains("already served by pid=" + daemon.pid()),
            other.errors().toString());
      }

      daemon.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close the pipes)
      assertEquals(0, daemon.await(30, TimeUnit.SECONDS), daemon.errors().toString());
      assertTrue(
          daemon.output().contains("depot serve: stopped, store destroyed"),
          daemon.output().toString());
      assertFalse(Depot.exists(name, opts));
      assertFalse(Files.exists(dir.resolve(name + ".depot.serve")));
    }
  }

  @Test
  void sweepsTheExpiredWorkflowsOfAShortTermMemory() throws Exception {
    String name = "serve-stm-" + ProcessHandle.current().pid();
    String uri = "shm:" + name + "?dir=" + dir;
    try (ChildJvm daemon =
        ChildJvm.start(
            DepotCli.class,
            "serve",
            name,
            "--create",
            "--metrics-port",
            "0",
            "--interval",
            "100ms",
            "--stm",
            uri,
            "--destroy-on-exit",
            "--dir",
            dir.toString())) {
      String banner = daemon.awaitLine("depot serve: ", 60, TimeUnit.SECONDS);
      Matcher m =
          Pattern.compile("metrics on (http://127\\.0\\.0\\.1:\\d+/metrics)").matcher(banner);
      assertTrue(m.find(), banner);
      try (io.depot.stm.ShortTermMemory stm = io.depot.stm.ShortTermMemory.open(uri)) {
        stm.workflow("w").put("k", "v", java.time.Duration.ofMillis(1));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      double expired = 0;
      while (expired == 0 && System.nanoTime() < deadline) {
        Thread.sleep(50);
        expired = value(scrape(m.group(1)), "depot_stm_expired_total");
      }
      assertTrue(expired >= 1, "the daemon's sweep reclaimed the expired key");
      daemon.process().toHandle().destroy();
      assertEquals(0, daemon.await(30, TimeUnit.SECONDS), daemon.errors().toString());
    }
  }

  @Test
  void watchPrintsPlainLinesWhenPipedAndStoresListsTheDirectory() throws Exception {
    String name = "watch-" + ProcessHandle.current().pid();
    DepotOptions opts = DepotOptions.builder().directory(dir).capacity(8 << 20).build();
    try (Depot d = Depot.create(name, opts)) {
      d.createQueue("jobs", 16, io.depot.Track.bytes("v", 8)).close();
      try (ChildJvm watch =
          ChildJvm.start(
              DepotCli.class,
              "watch",
              name,
              "--interval",
              "200",
              "--count",
              "3",
              "--dir",
              dir.toString())) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (watch.output().isEmpty() && System.nanoTime() < deadline) {
          Thread.sleep(5);
        }
        for (int i = 0; i < 20; i++) {
          d.put("k" + i, new byte[10]);
          Thread.sleep(20);
        }
        assertEquals(0, watch.await(60, TimeUnit.SECONDS), watch.errors().toString());
        List<String> lines = watch.output();
        assertEquals(3, lines.size(), lines.toString());
        for (String l : lines) {
          assertTrue(
              l.matches("\\d\\d:\\d\\d:\\d\\d used .* of?.*queues jobs=0/16")
                  || l.contains("queues jobs=0/16"),
              l);
          assertFalse(l.contains("\033"), "no terminal codes when piped");
        }
        assertTrue(
            lines.stream().anyMatch(l -> !l.contains("ops/s put 0 ")), "puts seen: " + lines);
        assertTrue(
            lines.stream().allMatch(l -> l.contains(" get 0 ")),
            "its own reads are not counted: " + lines);
      }
      try (ChildJvm watch =
          ChildJvm.start(
              DepotCli.class,
              "watch",
              name,
              "--json",
              "--interval",
              "50",
              "--count",
              "2",
              "--dir",
              dir.toString())) {
        assertEquals(0, watch.await(60, TimeUnit.SECONDS), watch.errors().toString());
        List<String> lines = watch.output();
        assertEquals(2, lines.size(), lines.toString());
        var row = new com.fasterxml.jackson.databind.ObjectMapper().readTree(lines.get(1));
        assertEquals(21, row.get("objects").asInt(), lines.get(1));
        assertEquals(16, row.get("queues").get("jobs").get("capacity").asInt(), lines.get(1));
        assertEquals(0, row.get("queues").get("jobs").get("depth").asInt(), lines.get(1));
        long arena = row.get("capacity").asLong();
        assertTrue(arena > 0 && arena <= opts.capacity(), lines.get(1));
      }
      // on a terminal (a pseudo-terminal made by script, as a user's shell has): the screen is
      // redrawn each time
      String command =
          String.join(
              " ",
              ChildJvm.javaBinary().toString(),
              "--enable-native-access=ALL-UNNAMED",
              "-cp",
              "'" + System.getProperty("java.class.path") + "'",
              DepotCli.class.getName(),
              "watch",
              name,
              "--interval",
              "100",
              "--count",
              "3",
              "--dir",
              "'" + dir + "'");
      Process tty =
          new ProcessBuilder("script", "-q", "-e", "-c", command, "/dev/null")
              .redirectErrorStream(true)
              .start();
      tty.getOutputStream().close();
      String screen =
          new String(tty.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertTrue(tty.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, tty.exitValue(), screen);
      assertEquals(3, screen.split("\033\\[H\033\\[2J", -1).length - 1, "three redraws: " + screen);
      assertTrue(
          screen.contains("used  [")
              && screen.contains("queues (depth/capacity): jobs=0/16")
              && screen.contains("objects 21 (max"),
          screen);
      try (ChildJvm stores =
          ChildJvm.start(DepotCli.class, "stores", "--json", "--dir", dir.toString())) {
        assertEquals(0, stores.await(60, TimeUnit.SECONDS), stores.errors().toString());
        var rows =
            new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(String.join("", stores.output()));
        assertEquals(1, rows.size());
        assertEquals(name, rows.get(0).get("name").asText());
        assertEquals(1, rows.get(0).get("clients").asInt(), "this test's process");
        assertEquals(21, rows.get(0).get("objects").asInt());
      }
    }
  }

  @Test
  void refusesBadArgumentsAndAMissingStore() throws Exception {
    for (List<String> args :
        List.of(
            List.of("serve", "nostore", "--dir", dir.toString()),
            List.of("watch", "x", "--interval", "0", "--dir", dir.toString()),
            List.of("watch", "nostore", "--dir", dir.toString()),
            List.of("serve", "x", "--interval", "soon", "--dir", dir.toString()),
            List.of(
                "serve", "x", "--metrics-port", "70000", "--create", "--dir", dir.toString()))) {
      try (ChildJvm p = ChildJvm.start(DepotCli.class, args.toArray(String[]::new))) {
        int code = p.await(60, TimeUnit.SECONDS);
        assertNotEquals(0, code, args + ": " + p.output());
        assertFalse(
            String.join("\n", p.errors()).contains("\tat "), "no stack trace: " + p.errors());
      }
    }
  }
}
