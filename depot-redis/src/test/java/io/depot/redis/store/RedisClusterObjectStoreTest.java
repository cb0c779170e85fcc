package io.depot.redis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.contract.ObjectStoreContractTest;
import io.depot.testkit.RedisCluster;
import java.net.URI;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link io.depot.ObjectStore} contract against a real three-node Redis Cluster started here
 * ({@link RedisCluster}), through Lettuce's cluster client ({@code cluster=true}).
 */
class RedisClusterObjectStoreTest extends ObjectStoreContractTest {
  private static final AtomicInteger STORES = new AtomicInteger();
  static RedisCluster cluster;

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
            + "/0?cluster=true&prefix=cobjects"
            + STORES.incrementAndGet()
            + "&claimIdle=1s");
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }

  @Test
  void objectsAreSpreadOverTheNodesAndAllListed() {
    Set<Integer> slots = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      store.put("spread/" + i, "v" + i);
      slots.add(
          io.lettuce.core.cluster.SlotHash.getSlot(
              new StoreKeys(store.name()).object("spread/" + i)));
    }
    assertTrue(slots.size() > 10, "names hash to many slots: " + slots.size());
    assertEquals(30, store.list("spread/").size());
    for (int i = 0; i < 30; i++) {
      assertEquals("v" + i, store.getString("spread/" + i));
    }
  }
}
