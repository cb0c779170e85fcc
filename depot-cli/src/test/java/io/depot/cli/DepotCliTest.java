package io.depot.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DepotCliTest {
  @TempDir Path tmp;

  private String run(String... args) {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      int code = DepotCli.run(args);
      assertEquals(0, code, "exit code of depot " + String.join(" ", args) + ": " + buf);
    } finally {
      System.setOut(old);
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Test
  void createPutGetLsStatRmDestroy() throws Exception {
    String store = "cli-" + ProcessHandle.current().pid();
    String dir = tmp.toString();
    assertTrue(run("create", store, "--capacity", "4M", "--dir", dir).contains("created"));
    run("put", store, "greeting", "--string", "hello", "--dir", dir);
    Path file = tmp.resolve("blob.bin");
    Files.write(file, new byte[] {1, 2, 3});
    run("put", store, "blob", "--file", file.toString(), "--dir", dir);
    assertEquals("hello", run("get", store, "greeting", "--dir", dir).trim());
    Path out = tmp.resolve("out.bin");
    run("get", store, "blob", "--out", out.toString(), "--dir", dir);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(out));
    String ls = run("ls", store, "--dir", dir);
    assertTrue(
        ls.startsWith("NAME ")
            && ls.matches("(?s).*\\ngreeting +STRING +5 B +\\p{XDigit}+ +IDLE +0 .*")
            && ls.matches("(?s).*\\nblob +BYTES +3 B .*"),
        ls);
    try (io.depot.Depot d =
        io.depot.Depot.open(store, io.depot.DepotOptions.builder().directory(tmp).build())) {
      try (io.depot.DepotQueue q = d.createQueue("jobs", 8, io.depot.Track.bytes("v", 8))) {
        q.tryPush(java.lang.foreign.MemorySegment.ofArray(new long[] {1}));
      }
      try (io.depot.ObjectHandle held = d.get("greeting")) {
        assertTrue(held.isOpen());
        String busy = run("ls", store, "g*", "--dir", dir);
        assertTrue(busy.matches("(?s).*\\ngreeting +STRING +5 B +\\p{XDigit}+ +BUSY +1 .*"), busy);
        assertFalse(busy.contains("blob"), "the pattern selects");
      }
    }
    String json = run("ls", store, "--json", "--dir", dir);
    var rows = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
    assertEquals(3, rows.size(), json);
    var jobs = rows.get(2); // sorted: blob, greeting, jobs
    assertEquals("jobs", jobs.get("name").asText());
    assertEquals(1, jobs.get("depth").asInt());
    assertEquals(8, jobs.get("capacity").asInt());
    assertEquals(
        "IDLE", jobs.get("state").asText(), "the listing's own hold on a queue is not a reader");
    assertEquals("1", run("push", store, "jobs", "--string", "abcdefgh", "--dir", dir).trim());
    String peeked = run("peek", store, "jobs", "--dir", dir);
    assertEquals(8, peeked.length(), "raw bytes of the oldest: the one pushed by the test above");
    assertEquals("abcdefgh", run("peek", store, "jobs", "--latest", "--dir", dir));
    run("pop", store, "jobs", "--dir", dir);
    assertEquals("abcdefgh", run("pop", store, "jobs", "--dir", dir));
    assertEquals(3, DepotCli.run("pop", store, "jobs", "--dir", dir), "empty");
    assertEquals(
        "{\"queue\":\"jobs\",\"sequence\":2}",
        run("push", store, "jobs", "--string", "ijklmnop", "--json", "--dir", dir).trim());
    for (String cmd : new String[] {"peek", "pop"}) {
      var entry =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(run(cmd, store, "jobs", "--json", "--dir", dir));
      assertEquals(2, entry.get("sequence").asInt(), entry.toString());
      assertEquals(
          "ijklmnop",
          new String(
              java.util.Base64.getDecoder()
                  .decode(entry.get("tracks").get(0).get("base64").asText()),
              StandardCharsets.UTF_8));
    }
    assertEquals(
        2, DepotCli.run("push", store, "jobs", "a", "b", "--dir", dir), "two values for one track");
    run("rm", store, "jobs", "--dir", dir);
    var stat =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run("stat", store, "--json", "--dir", dir));
    assertEquals(2, stat.get("stats").get("objects").asInt(), stat.toString());
    assertEquals(
        2,
        stat.get("stats").get("puts").asLong(),
        "greeting and blob, by processes since gone: " + stat);
    assertTrue(stat.get("clients").get(0).get("self").asBoolean(), stat.toString());
    assertTrue(run("stat", store, "--dir", dir).contains("2 committed"));
    var fsckJson =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run("fsck", store, "--json", "--dir", dir));
    assertTrue(fsckJson.get("consistent").asBoolean(), fsckJson.toString());
    String fsck = run("fsck", store, "--recover", "--dir", dir);
    assertTrue(fsck.contains("consistent: 2 objects") && fsck.contains("recovered 0 dead"), fsck);
    run("rm", store, "blob", "--dir", dir);
    assertFalse(run("ls", store, "--dir", dir).contains("blob"));
    assertEquals(3, DepotCli.run("rm", store, "blob", "--dir", dir), "not found");
    assertEquals(3, DepotCli.run("get", store, "nothing", "--dir", dir), "not found");
    assertEquals(2, DepotCli.run("get", store), "a usage error");
    assertEquals(0, DepotCli.run("create", "--help"), "help works without the required parameters");
    assertEquals(0, DepotCli.run("help", "stat"));
    run("destroy", store, "--dir", dir);
  }

  /**
   * {@code get} takes the short-term memory's envelope and the storage providers' trailer off;
   * --raw does not.
   */
  @Test
  void getDecodesShortTermMemoryValuesAndBlobs() throws Exception {
    String store = "cli-decode-" + ProcessHandle.current().pid();
    String dir = tmp.toString();
    try (var stm =
        io.depot.stm.ShortTermMemory.open("shm:" + store + "?dir=" + dir + "&capacity=8m")) {
      stm.workflow("wf/1").put("plan", java.util.Map.of("steps", 3));
      stm.workflow("wf/1").put("note", "hello");
      stm.workflow("wf/1").put("raw", new byte[] {1, 2, 3});
      stm.workflow("wf/1").put("w", io.depot.NDArray.of(new float[] {1, 2, 3, 4}, 2, 2));
    }
    String ls = run("ls", store, "stm/k/*", "--dir", dir);
    String planName =
        ls.lines()
            .map(l -> l.split("\\s+")[0])
            .filter(n -> n.endsWith("/plan"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(ls));
    String prefix = planName.substring(0, planName.length() - "plan".length());
    assertTrue(planName.startsWith("stm/k/wf%2F1/"), planName);
    assertEquals("{\"steps\":3}", run("get", store, planName, "--dir", dir).trim());
    assertEquals("hello", run("get", store, prefix + "note", "--dir", dir).trim());
    Path rawOut = tmp.resolve("raw.bin");
    run("get", store, prefix + "raw", rawOut.toString(), "--dir", dir);
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(rawOut));
    assertTrue(run("get", store, prefix + "w", "--dir", dir).startsWith("float32[2, 2] 16 B"));
    var meta =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run("get", store, prefix + "w", "--json", "--dir", dir));
    assertEquals("ARRAY", meta.get("stm").get("type").asText(), meta.toString());
    assertEquals("wf/1", meta.get("stm").get("workflow").asText(), meta.toString());
    assertEquals("w", meta.get("stm").get("key").asText(), meta.toString());
    assertEquals("float32", meta.get("stm").get("dtype").asText(), meta.toString());
    assertEquals(16, meta.get("valueSize").asInt(), meta.toString());
    run("get", store, prefix + "raw", rawOut.toString(), "--raw", "--dir", dir);
    assertTrue(Files.size(rawOut) > 3, "--raw keeps the envelope");

    String blobs = "cli-blobs-" + ProcessHandle.current().pid();
    byte[] blob = new byte[100_000];
    new java.util.Random(7).nextBytes(blob);
    java.net.URI uri;
    try (var storage =
        io.depot.storage.StorageProviders.open(
            java.util.Map.of(
                "depot.storage.store",
                "shm://" + blobs + "/run-1",
                "depot.storage.shm.directory",
                dir,
                "depot.storage.shm.capacity",
                "8m"))) {
      uri = storage.store(blob);
    }
    String blobName = uri.getPath().substring(1);
    Path blobOut = tmp.resolve("blob.bin");
    run("get", blobs, blobName, blobOut.toString(), "--dir", dir);
    assertArrayEquals(blob, Files.readAllBytes(blobOut));
    var blobMeta =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(run("get", blobs, blobName, "--json", "--dir", dir));
    assertEquals(blob.length, blobMeta.get("storage").get("size").asInt(), blobMeta.toString());
    assertTrue(
        uri.getPath().endsWith(blobMeta.get("storage").get("sha256").asText()),
        blobMeta.toString());
    run("get", blobs, blobName, blobOut.toString(), "--raw", "--dir", dir);
    assertTrue(Files.size(blobOut) > blob.length, "--raw keeps the trailer");
    run("destroy", store, "--dir", dir);
    run("destroy", blobs, "--dir", dir);
  }

  @Test
  void sizes() {
    assertEquals(64L << 20, Sizes.parse("64M"));
    assertEquals(2L << 30, Sizes.parse("2GiB"));
    assertEquals(1234, Sizes.parse("1234"));
    assertThrows(io.depot.InvalidArgumentException.class, () -> Sizes.parse("lots"));
    assertEquals("1.5 KiB", Sizes.format(1536));
  }

  @Test
  void demoRunsAcrossProcesses() {
    String out = run("demo", "--frames", "2000", "--dir", tmp.toString());
    assertTrue(out.contains("[consumer 2 pid") && out.contains("[consumer 3 pid"), out);
    assertTrue(out.matches("(?s).*killed consumer 1 \\(pid \\d+\\) with SIGKILL.*"), out);
    assertTrue(out.contains("lost              0 of 2000"), out);
    assertTrue(
        out.contains("plan=\"collect 2000 frames\"")
            && out.contains("answer=\"consumer 2 will collect"),
        out);
    assertTrue(out.contains("read zero-copy by every consumer, sum "), out);
    assertTrue(out.contains("0 zombies") && out.contains("[demo] stores destroyed"), out);
    try (var files = java.nio.file.Files.list(tmp)) {
      assertEquals(
          0, files.filter(f -> f.toString().endsWith(".depot")).count(), "both stores destroyed");
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    assertEquals(2, DepotCli.run("demo", "--frames", "-1"), "bad arguments are refused");
    assertEquals(2, DepotCli.run("demo", "--consumers", "1"));
  }
}
