package io.depot.contract;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.TestStores;
import java.net.URI;
import java.time.Duration;

/** The {@link io.depot.ObjectStore} contract on shared memory, opened as {@code shm:NAME}. */
class ShmObjectStoreTest extends ObjectStoreContractTest {
  @Override
  protected URI newStoreUri() {
    return URI.create("shm:" + TestStores.uniqueName("contract"));
  }

  @Override
  protected Duration recoveryBound() {
    return Duration.ofSeconds(10);
  }

  @Override
  protected void destroy(URI uri) {
    Depot.destroy(uri.getSchemeSpecificPart(), DepotOptions.defaults());
  }
}
