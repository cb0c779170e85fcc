package io.depot.langchain4j;

import io.depot.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link DepotChatMemoryStore} on a real {@code redis-server} started here (plain lists and Lua, no
 * module).
 */
class RedisChatMemoryStoreTest extends ChatMemoryStoreContractTest {
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
    return server.uri() + "/0?namespace=lc4j";
  }
}
