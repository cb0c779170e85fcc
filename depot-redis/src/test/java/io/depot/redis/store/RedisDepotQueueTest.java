package io.depot.redis.store;

import io.depot.contract.DepotQueueContractTest;
import io.depot.testkit.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The {@link io.depot.DepotQueue} contract on Redis Streams against a real standalone {@code redis-server}, with a
 * {@code claimIdle} of 1 s: a SIGKILLed consumer's entry is taken over by XAUTOCLAIM within that plus a heartbeat.
 */
class RedisDepotQueueTest extends DepotQueueContractTest {
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
    return URI.create(server.uri() + "/0?prefix=queues" + STORES.incrementAndGet() + "&claimIdle=1s");
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }
}
