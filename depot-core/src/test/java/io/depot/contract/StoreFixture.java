package io.depot.contract;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectStore;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the contract suites share: each test gets a fresh, empty store at {@link #newStoreUri()},
 * opened through {@link Depot#openOrCreate(URI, DepotOptions)} (so the URI routing is under test
 * too), and closed after it.
 */
public abstract class StoreFixture {
  /** The store under test. */
  protected ObjectStore store;

  /** Its URI (child processes open it). */
  protected URI uri;

  private final List<ObjectStore> attached = new ArrayList<>();

  /** The URI of a store no other test uses. */
  protected abstract URI newStoreUri();

  /** Options to create the store with. */
  protected DepotOptions createOptions() {
    return DepotOptions.builder().capacity(32L << 20).maxObjects(4096).build();
  }

  /** Removes what the store left behind (after it is closed). */
  protected void destroy(URI uri) {}

  /**
   * How long a consumer that died holding a popped entry may keep it from the others: the recovery
   * bound of the backend (shm: the recovery interval; Redis: the URI's {@code claimIdle}), plus
   * slack for a busy machine.
   */
  protected abstract java.time.Duration recoveryBound();

  @BeforeEach
  void openStore() {
    uri = newStoreUri();
    store = Depot.openOrCreate(uri, createOptions());
  }

  /** Another client of the same store, as another process would open it. */
  protected ObjectStore attach() {
    ObjectStore s = Depot.open(uri);
    attached.add(s);
    return s;
  }

  @AfterEach
  void closeStore() {
    for (ObjectStore s : attached) {
      s.close();
    }
    if (store != null) {
      store.close();
    }
    destroy(uri);
  }
}
