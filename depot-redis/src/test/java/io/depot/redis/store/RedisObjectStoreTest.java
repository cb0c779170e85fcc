package io.depot.redis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.InvalidArgumentException;
import io.depot.NDArray;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.StoreAccessException;
import io.depot.StoreAuthenticationException;
import io.depot.StoreNotFoundException;
import io.depot.StoreStats;
import io.depot.StoreUnavailableException;
import io.depot.TypeMismatchException;
import io.depot.ValueTooLargeException;
import io.depot.WriteClaim;
import io.depot.contract.ObjectStoreContractTest;
import io.depot.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link io.depot.ObjectStore} contract on a real standalone {@code redis-server} started here,
 * plus the bad input only Redis has: an unreachable server, a wrong password, a key of another type
 * under the prefix, a value over {@code maxValueBytes}.
 */
class RedisObjectStoreTest extends ObjectStoreContractTest {
  private static final AtomicInteger STORES = new AtomicInteger();
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
  protected URI newStoreUri() {
    return URI.create(
        server.uri() + "/0?prefix=objects" + STORES.incrementAndGet() + "&claimIdle=500ms");
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }

  @Test
  void anUnreachableServerIsNamed() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI u = URI.create("redis://127.0.0.1:" + port + "/0?timeout=1s");
    StoreUnavailableException e =
        assertThrows(StoreUnavailableException.class, () -> Depot.open(u));
    assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
  }

  @Test
  void aWrongPasswordIsNamedWithoutThePassword() {
    try (RedisServer secured = RedisServer.startWithPassword("s3cret")) {
      URI u = URI.create("redis://:wrong-pw@127.0.0.1:" + secured.port() + "/0");
      StoreAuthenticationException e =
          assertThrows(
              StoreAuthenticationException.class,
              () -> Depot.openOrCreate(u, DepotOptions.defaults()));
      assertTrue(e.getMessage().contains("127.0.0.1:" + secured.port()), e.getMessage());
      assertTrue(!e.getMessage().contains("wrong-pw"), e.getMessage());
      URI none = URI.create("redis://127.0.0.1:" + secured.port() + "/0");
      assertThrows(StoreAuthenticationException.class, () -> Depot.open(none));
    }
  }

  @Test
  void aKeyOfAnotherTypeUnderThePrefixIsATypeMismatchNamingIt() {
    String prefix = uri.getQuery().split("&")[0].substring("prefix=".length());
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      c.sync().set("{" + prefix + ":intruder}:o", "a plain string");
    } finally {
      client.shutdown();
    }
    TypeMismatchException e =
        assertThrows(TypeMismatchException.class, () -> store.put("intruder", "x"));
    assertTrue(e.getMessage().contains("intruder"), e.getMessage());
    assertThrows(TypeMismatchException.class, () -> store.get("intruder"));
  }

  @Test
  void aValueOverTheLimitIsRefusedNamingItsSize() {
    URI small = URI.create(uri + "&maxValueBytes=1000");
    try (var s = Depot.open(small)) {
      s.put("fits", new byte[1000]);
      ValueTooLargeException e =
          assertThrows(ValueTooLargeException.class, () -> s.put("big", new byte[1001]));
      assertTrue(e.getMessage().contains("1001") && e.getMessage().contains("big"), e.getMessage());
      assertInstanceOf(InvalidArgumentException.class, e);
    }
  }

  @Test
  void aCreateClaimChecksTheNameWhenMadeAndAtCommit() {
    store.put("taken", "x");
    assertThrows(ObjectExistsException.class, () -> store.claim("taken", 4));
    try (WriteClaim c = store.claim("raced", 4)) {
      store.put("raced", "first");
      assertThrows(ObjectExistsException.class, c::commit);
    }
    assertEquals("first", store.getString("raced"));
  }

  @Test
  void statsHaveNoMemoryOrClientFigures() {
    store.put("a", "1");
    StoreStats s = store.stats();
    assertEquals(1, s.objects());
    assertEquals(0, s.arenaBytes());
    assertEquals(0, s.clients());
  }

  @Test
  void valuesOverTheThresholdGoToTheStorageProviderByReference(@TempDir Path blobs) {
    URI withBlobs =
        URI.create(
            uri
                + "&largeValueBytes=100&largeValues="
                + URLEncoder.encode(blobs.toUri().toString(), StandardCharsets.UTF_8));
    byte[] big = new byte[5000];
    new java.util.Random(7).nextBytes(big);
    try (var s = Depot.open(withBlobs)) {
      s.put("big", big);
      s.put("small", new byte[100]);
      s.put("array", NDArray.of(new double[200], 10, 20));
      assertArrayEquals(big, s.getBytes("big"));
      assertEquals(5000, s.list("big").getFirst().size());
      try (ObjectHandle h = s.get("array")) {
        assertArrayEquals(new long[] {10, 20}, h.asArray().shape());
      }
    }
    String prefix = uri.getQuery().split("&")[0].substring("prefix=".length());
    RedisClient client = RedisClient.create(server.uri());
    try (StatefulRedisConnection<String, String> c = client.connect()) {
      assertEquals("", c.sync().hget("{" + prefix + ":big}:o", "v"), "the value is not in Redis");
      assertTrue(c.sync().hget("{" + prefix + ":big}:o", "r").startsWith("file:"));
      assertEquals(
          "",
          c.sync().hget("{" + prefix + ":small}:o", "r"),
          "a value at the threshold stays inline");
    } finally {
      client.shutdown();
    }
    // a client without the provider cannot read it, and says why
    StoreAccessException e = assertThrows(StoreAccessException.class, () -> store.get("big"));
    assertTrue(e.getMessage().contains("largeValues"), e.getMessage());
  }

  @Test
  void openingAStoreNobodyCreatedFails() {
    URI u = URI.create(server.uri() + "/0?prefix=never-created");
    assertThrows(StoreNotFoundException.class, () -> Depot.open(u));
    assertThrows(
        InvalidArgumentException.class,
        () -> Depot.open(URI.create(server.uri() + "/0?prefix=a%7Bb")));
    assertThrows(
        InvalidArgumentException.class,
        () -> Depot.open(URI.create(server.uri() + "/0?colour=red")));
  }
}
