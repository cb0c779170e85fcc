package io.depot.spring.ai;

import io.depot.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link DepotChatMemoryRepository} on a real {@code redis-server} started here. */
class RedisChatMemoryRepositoryTest extends ChatMemoryRepositoryContractTest {
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
    return server.uri() + "/0?namespace=spring";
  }
}
