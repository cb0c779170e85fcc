package io.depot.redis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.ObjectNotFoundException;
import io.depot.ObjectStore;
import io.depot.Track;
import io.depot.contract.DepotQueueContractTest;
import io.depot.testkit.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@link io.depot.DepotQueue} contract on Redis Streams against a real standalone {@code
 * redis-server}, with a {@code claimIdle} of 1 s: a SIGKILLed consumer's entry is taken over by
 * XAUTOCLAIM within that plus a heartbeat.
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
    return URI.create(
        server.uri() + "/0?prefix=queues" + STORES.incrementAndGet() + "&claimIdle=1s");
  }

  @Test
  void aRemovedQueueFailsOnItsOpenHandles() {
    try (DepotQueue q = store.createQueue("gone", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      assertTrue(store.remove("gone"));
      assertThrows(
          ObjectNotFoundException.class, () -> q.tryPush(MemorySegment.ofArray(new long[] {2})));
      assertThrows(ObjectNotFoundException.class, q::tryPop);
    }
  }

  @Test
  void anEntryClaimGetsItsSequenceAtCommit() {
    try (DepotQueue q = store.createQueue("late", 4, Track.bytes("v", 8))) {
      EntryClaim first = q.createEntry(Duration.ofSeconds(1));
      assertEquals(-1, first.sequence());
      try (EntryClaim second = q.createEntry(Duration.ofSeconds(1))) {
        second.commit();
        assertEquals(0, second.sequence());
      }
      first.commit();
      assertEquals(1, first.sequence());
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(0, e.sequence(), "a claim holds no entry behind it back");
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void consumersOfGoneHandlesAreForgottenOnceTheyHoldNothing() throws Exception {
    URI fast = URI.create(uri.toString().replace("claimIdle=1s", "claimIdle=100ms"));
    try (ObjectStore s = Depot.open(fast);
        DepotQueue q = s.createQueue("ghosts", 4, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      RedisClient client = RedisClient.create(server.uri());
      try (StatefulRedisConnection<String, String> c = client.connect()) {
        String stream = "{" + s.name() + ":ghosts}:s";
        c.sync()
            .xreadgroup(
                io.lettuce.core.Consumer.from("g", "holder"),
                XReadArgs.StreamOffset.lastConsumed(stream));
        c.sync()
            .xreadgroup(
                io.lettuce.core.Consumer.from("g", "ghost"),
                XReadArgs.StreamOffset.lastConsumed(stream));
        Thread.sleep(1_200);
        s.openQueue("ghosts").close();
        List<String> names =
            c.sync().xinfoConsumers(stream, "g").stream()
                .map(o -> String.valueOf(((List<?>) o).get(1)))
                .toList();
        assertTrue(names.contains("holder"), "a consumer holding an entry stays: " + names);
        assertFalse(names.contains("ghost"), "an idle consumer holding nothing goes: " + names);
      } finally {
        client.shutdown();
      }
    }
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }
}
