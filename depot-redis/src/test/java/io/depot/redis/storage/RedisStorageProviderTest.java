package io.depot.redis.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.storage.AsyncStorageProvider;
import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.StoreOptions;
import io.depot.storage.contract.StorageProviderContract;
import io.depot.storage.contract.TestData;
import io.depot.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The contract against a real redis-server on loopback, plus Redis-specific behaviour. */
class RedisStorageProviderTest extends StorageProviderContract {
  private RedisServer server;
  private RedisClient rawClient;
  private StatefulRedisConnection<byte[], byte[]> rawConnection;
  private RedisCommands<byte[], byte[]> raw;

  @Override
  protected boolean expectsAsync() {
    return true;
  }

  @Override
  protected StorageProvider openProvider() {
    server = RedisServer.start();
    rawClient = RedisClient.create(server.uri());
    rawConnection = rawClient.connect(ByteArrayCodec.INSTANCE);
    raw = rawConnection.sync();
    return StorageProviders.provider(
        URI.create(server.uri() + "/0/contract/"), Map.of("max-blob-bytes", "256m"));
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    return Map.of(
        StorageProviders.STORE, storeBase.toString(), "depot.storage.redis.max-blob-bytes", "256m");
  }

  private static byte[] key(URI uri) {
    return ("depot:" + uri.getPath().substring(1)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void tamper(URI uri) {
    byte[] first = raw.getrange(key(uri), 0, 0);
    first[0] ^= 1;
    raw.setrange(key(uri), 0, first);
  }

  @Override
  protected void cleanUp() {
    if (rawConnection != null) {
      rawConnection.close();
      rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
    if (server != null) {
      server.close();
    }
  }

  private List<String> allKeys() {
    return raw.keys("*".getBytes(StandardCharsets.UTF_8)).stream()
        .map(k -> new String(k, StandardCharsets.UTF_8))
        .sorted()
        .toList();
  }

  @Test
  void blobsAreStringsUnderTheNamespace() {
    byte[] data = TestData.bytes(1000, 1);
    URI uri = p.store(data);
    assertTrue(uri.toString().startsWith(server.uri() + "/0/contract/"), uri.toString());
    byte[] value = raw.get(key(uri));
    assertEquals(1000, value.length - (value.length - 1000));
    assertArrayEquals(
        data, java.util.Arrays.copyOf(value, 1000), "the bytes first, then the trailer");
    assertInstanceOf(AsyncStorageProvider.class, p);
  }

  @Test
  void theDefaultLimitIs64MiB() {
    try (StorageProvider defaults = StorageProviders.provider(p.base())) {
      List<String> before = allKeys();
      URI ok = defaults.store(new byte[64 << 20]);
      assertTrue(defaults.delete(ok));
      BlobTooLargeException e =
          assertThrows(BlobTooLargeException.class, () -> defaults.store(new byte[(64 << 20) + 1]));
      assertTrue(e.getMessage().contains("max-blob-bytes=" + (64 << 20)), e.getMessage());
      assertThrows(
          BlobTooLargeException.class,
          () -> defaults.store(TestData.stream((64 << 20) + 1, 2, 1 << 16), StoreOptions.DEFAULT));
      java.util.concurrent.CompletionException async =
          assertThrows(
              java.util.concurrent.CompletionException.class,
              () -> ((AsyncStorageProvider) defaults).storeAsync(new byte[(64 << 20) + 1]).join());
      assertInstanceOf(BlobTooLargeException.class, async.getCause());
      assertEquals(before, allKeys(), "nothing stored, no temporary key left");
    }
  }

  @Test
  void failedStreamsLeaveNoTemporaryKey() {
    assertThrows(
        io.depot.storage.StorageException.class,
        () -> p.store(TestData.failingStream(5 << 20, 3, 3 << 20), StoreOptions.DEFAULT));
    assertEquals(List.of(), allKeys().stream().filter(k -> k.contains(".tmp/")).toList());
  }

  @Test
  void passwordsStayOutOfBlobUris() {
    try (RedisServer secured = RedisServer.startWithPassword("s3cret-pw")) {
      URI base = URI.create("redis://:s3cret-pw@127.0.0.1:" + secured.port() + "/1/wf/");
      try (StorageProvider ok = StorageProviders.provider(base)) {
        URI uri = ok.store(new byte[] {1, 2, 3});
        assertFalse(uri.toString().contains("s3cret"), uri.toString());
        assertEquals(URI.create("redis://127.0.0.1:" + secured.port() + "/1/wf/"), ok.base());
        assertArrayEquals(new byte[] {1, 2, 3}, ok.load(uri));
      }
      URI wrong = URI.create("redis://127.0.0.1:" + secured.port() + "/1/wf/");
      BackendAccessDeniedException e =
          assertThrows(
              BackendAccessDeniedException.class,
              () -> StorageProviders.provider(wrong, Map.of("password", "wrong-pw")).close());
      assertTrue(e.getMessage().contains("uri=" + wrong), e.getMessage());
      assertFalse(e.getMessage().contains("wrong-pw"));
      assertThrows(
          BackendAccessDeniedException.class,
          () -> StorageProviders.provider(wrong).store(new byte[1]));
    }
  }

  @Test
  void anUnreachableServerIsBackendUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    URI base = URI.create("redis://127.0.0.1:" + port + "/0/");
    BackendUnavailableException e =
        assertThrows(
            BackendUnavailableException.class,
            () -> StorageProviders.provider(base, Map.of("timeout-millis", "2000")).close());
    assertTrue(e.getMessage().contains("uri=" + base), e.getMessage());
  }

  @Test
  void aServerGoingAwayIsBackendUnavailable() {
    try (RedisServer other = RedisServer.start();
        StorageProvider q =
            StorageProviders.provider(
                URI.create(other.uri() + "/0/"), Map.of("timeout-millis", "2000"))) {
      URI uri = q.store(new byte[] {4});
      other.stop();
      assertThrows(BackendUnavailableException.class, () -> q.load(uri));
      assertThrows(BackendUnavailableException.class, () -> q.store(new byte[] {5}));
    }
  }

  @Test
  void baseUrisNeedADatabaseNumber() {
    assertThrows(
        io.depot.storage.MalformedBlobUriException.class,
        () -> StorageProviders.provider(URI.create(server.uri() + "/wf/")));
    Map<String, String> config = new HashMap<>(routerConfig(URI.create(server.uri())));
    try (StorageProviders storage = StorageProviders.open(config)) {
      assertEquals(URI.create(server.uri() + "/0/"), storage.base());
    }
  }
}
