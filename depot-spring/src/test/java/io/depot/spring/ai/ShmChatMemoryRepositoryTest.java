package io.depot.spring.ai;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.TestStores;
import org.junit.jupiter.api.AfterAll;

/**
 * {@link DepotChatMemoryRepository} on shared memory ({@code shm:}), across processes of this
 * machine.
 */
class ShmChatMemoryRepositoryTest extends ChatMemoryRepositoryContractTest {
  private static final String STORE = TestStores.uniqueName("sai");

  @AfterAll
  static void destroyStore() {
    Depot.destroy(STORE, DepotOptions.defaults());
  }

  @Override
  protected String uri() {
    return "shm:" + STORE + "?capacity=16m&maxObjects=8192";
  }
}
