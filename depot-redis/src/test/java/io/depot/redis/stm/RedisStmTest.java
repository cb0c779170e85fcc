package io.depot.redis.stm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmAuthenticationException;
import io.depot.stm.StmConnectionException;
import io.depot.stm.Workflow;
import io.depot.stm.contract.StmContractTest;
import io.depot.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on the Redis backend against a real {@code redis-server} started here (never a mock,
 * never skipped: {@link RedisServer#start()} fails the class if no binary runs), plus Redis-only
 * promises: one hash slot per workflow, readable values, and clear errors for a server that is down
 * or a wrong password.
 */
class RedisStmTest extends StmContractTest {
  private static RedisServer server;

  @BeforeAll
  static void startRedis() {
    server = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected String uri() {
    return server.uri() + "/0?namespace=contract";
  }

  @Override
  protected boolean crossProcess() {
    return true;
  }

  private static <T> T raw(
      java.util.function.Function<io.lettuce.core.api.sync.RedisCommands<byte[], byte[]>, T> f) {
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
      return f.apply(c.sync());
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void aListIsAPlainRedisListInTheWorkflowsSlot() {
    Workflow wf = stm.workflow(newId("plain"));
    wf.put("k", 1);
    wf.list("chat").appendAll(List.of("a", "b", "c"));
    byte[] key = ("{contract:" + wf.id() + "}:l:chat").getBytes(StandardCharsets.UTF_8);
    assertEquals("list", raw(c -> c.type(key)));
    long length = raw(c -> c.llen(key));
    assertEquals(3, length);
    assertEquals(
        SlotHash.getSlot(("{contract:" + wf.id() + "}:m").getBytes(StandardCharsets.UTF_8)),
        SlotHash.getSlot(key));
    wf.list("chat").expireAfter(Duration.ofMinutes(10));
    long pttl = raw(c -> c.pttl(key));
    assertTrue(pttl > 0 && pttl <= 600_000, "pttl=" + pttl);
  }

  @Test
  void aWorkflowLivesInOneHashSlotAndIsReadable() {
    Workflow wf = stm.workflow(newId("slot/{x}"));
    wf.put("a", Map.of("step", 1));
    wf.put("b/ü", "text", Duration.ofHours(1));
    wf.expireAfter(Duration.ofHours(2));
    List<byte[]> keys = raw(c -> c.keys("*".getBytes(StandardCharsets.UTF_8)));
    Set<Integer> slots = new HashSet<>();
    int mine = 0;
    for (byte[] k : keys) {
      String s = new String(k, StandardCharsets.UTF_8);
      if (s.contains("slot/%7Bx%7D")) {
        slots.add(SlotHash.getSlot(k));
        mine++;
      }
    }
    assertEquals(4, mine, "meta, index and two keys");
    assertEquals(1, slots.size(), "one slot for the whole workflow");
    String json =
        raw(
            c ->
                new String(
                    c.hget(
                        ("{contract:" + io.depot.stm.spi.Keys.escape(wf.id()) + "}:k:a")
                            .getBytes(StandardCharsets.UTF_8),
                        "v".getBytes(StandardCharsets.UTF_8)),
                    StandardCharsets.UTF_8));
    assertEquals("{\"step\":1}", json);
  }

  @Test
  void serverDownIsARetryableErrorNamingTheAddress() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    int closedPort = port;
    StmConnectionException e =
        assertThrows(
            StmConnectionException.class,
            () -> ShortTermMemory.open("redis://127.0.0.1:" + closedPort + "?timeout=2s"));
    assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort), e.getMessage());

    try (RedisServer own = RedisServer.start();
        ShortTermMemory mem = ShortTermMemory.open(own.uri() + "?timeout=2s")) {
      Workflow wf = mem.workflow("down");
      wf.put("a", 1);
      own.stop();
      StmConnectionException down =
          assertThrows(StmConnectionException.class, () -> wf.put("b", 2));
      assertTrue(down.getMessage().contains("127.0.0.1:" + own.port()), down.getMessage());
      own.restart();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      for (; ; ) {
        try {
          wf.put("b", 2); // the same operation, retried, succeeds once the server is back
          break;
        } catch (StmConnectionException retry) {
          if (System.nanoTime() > deadline) {
            throw retry;
          }
          Thread.sleep(50);
        }
      }
      assertEquals(2, wf.get("b"));
    }
  }

  @Test
  void wrongPasswordIsAnAuthenticationErrorWithoutThePassword() {
    try (RedisServer secured = RedisServer.startWithPassword("s3cret-pw")) {
      String hostPort = secured.host() + ":" + secured.port();
      StmAuthenticationException wrong =
          assertThrows(
              StmAuthenticationException.class,
              () -> ShortTermMemory.open("redis://wrong-pw@" + hostPort + "?timeout=2s"));
      assertTrue(wrong.getMessage().contains(hostPort), wrong.getMessage());
      assertTrue(!wrong.getMessage().contains("wrong-pw"), wrong.getMessage());
      assertThrows(
          StmAuthenticationException.class,
          () -> {
            try (ShortTermMemory none =
                ShortTermMemory.open("redis://" + hostPort + "?timeout=2s")) {
              none.workflow("x").put("a", 1); // no password: refused at the first command
            }
          });
      try (ShortTermMemory ok =
          ShortTermMemory.open("redis://s3cret-pw@" + hostPort + "/1?timeout=2s")) {
        assertTrue(ok.uri().contains("***") && !ok.uri().contains("s3cret"), ok.uri());
        ok.workflow("x").put("a", 1);
        assertEquals(1, ok.workflow("x").get("a"));
      }
    }
  }
}
