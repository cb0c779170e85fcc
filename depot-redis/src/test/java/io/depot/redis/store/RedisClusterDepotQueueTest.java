package io.depot.redis.store;

import io.depot.contract.DepotQueueContractTest;
import io.depot.testkit.RedisCluster;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link io.depot.DepotQueue} contract on Redis Streams against a real three-node Redis
 * Cluster.
 */
class RedisClusterDepotQueueTest extends DepotQueueContractTest {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static RedisCluster cluster;

  @BeforeAll
  static void startCluster() {
    cluster = RedisCluster.start();
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected URI newStoreUri() {
    return URI.create(
        cluster.uri()
            + "/0?cluster=true&prefix=cqueues"
            + STORES.incrementAndGet()
            + "&claimIdle=1s");
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }
}
