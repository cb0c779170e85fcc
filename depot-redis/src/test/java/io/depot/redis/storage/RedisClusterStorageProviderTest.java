package io.depot.redis.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.contract.StorageProviderContract;
import io.depot.storage.contract.TestData;
import io.depot.testkit.RedisCluster;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The storage provider contract against a real three-node Redis Cluster ({@code cluster=true}: keys
 * under the hash tag {@code {<namespace>}}, so a blob's temporary key and its final key share a
 * slot).
 */
class RedisClusterStorageProviderTest extends StorageProviderContract {
  private RedisCluster cluster;
  private final String namespace = "cstore";

  @Override
  protected void cleanUp() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected boolean expectsAsync() {
    return true;
  }

  /** Still larger than the child's heap; smaller than the default to keep the cluster run short. */
  @Override
  protected long largeStreamSize() {
    return 80L << 20;
  }

  @Override
  protected StorageProvider openProvider() {
    cluster = RedisCluster.start();
    return StorageProviders.provider(
        URI.create(cluster.uri() + "/0/contract/"),
        Map.of("max-blob-bytes", "256m", "cluster", "true", "namespace", namespace));
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    return Map.of(
        StorageProviders.STORE,
        storeBase.toString(),
        "depot.storage.redis.max-blob-bytes",
        "256m",
        "depot.storage.redis.cluster",
        "true",
        "depot.storage.redis.namespace",
        namespace);
  }

  private byte[] key(URI uri) {
    return ("{" + namespace + "}:" + uri.getPath().substring(1)).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void tamper(URI uri) {
    RedisClusterClient client = RedisClusterClient.create(cluster.uri());
    try (StatefulRedisClusterConnection<byte[], byte[]> c =
        client.connect(ByteArrayCodec.INSTANCE)) {
      byte[] first = c.sync().getrange(key(uri), 0, 0);
      first[0] ^= 1;
      c.sync().setrange(key(uri), 0, first);
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  @Test
  void blobsAreStringsUnderTheNamespacesHashTag() {
    byte[] data = TestData.bytes(1000, 1);
    URI uri = p.store(data);
    RedisClusterClient client = RedisClusterClient.create(cluster.uri());
    try (StatefulRedisClusterConnection<byte[], byte[]> c =
        client.connect(ByteArrayCodec.INSTANCE)) {
      byte[] value = c.sync().get(key(uri));
      assertArrayEquals(
          data, java.util.Arrays.copyOf(value, 1000), "the bytes first, then the trailer");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
