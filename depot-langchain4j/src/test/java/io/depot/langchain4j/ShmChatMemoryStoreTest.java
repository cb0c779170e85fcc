package io.depot.langchain4j;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.TestStores;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link DepotChatMemoryStore} on shared memory ({@code shm:}), across processes of this machine.
 */
class ShmChatMemoryStoreTest extends ChatMemoryStoreContractTest {
  private static final String STORE = TestStores.uniqueName("lc4j");

  @AfterAll
  static void destroyStore() {
    Depot.destroy(STORE, DepotOptions.defaults());
  }

  @Override
  protected String uri() {
    return "shm:" + STORE + "?capacity=16m&maxObjects=8192";
  }
}
