package io.depot;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** Base for tests that create stores: each gets a unique name and is destroyed after the test. */
public abstract class StoreExtension {
  private final List<Depot> open = new ArrayList<>();
  private final List<String> names = new ArrayList<>();
  protected DepotOptions options = TestStores.small().build();

  protected StoreExtension() {}

  /** Creates a new store with {@link #options}. */
  protected Depot newStore() {
    return newStore(options);
  }

  protected Depot newStore(DepotOptions opts) {
    String name = TestStores.uniqueName(getClass().getSimpleName());
    names.add(name);
    options = opts;
    Depot d = Depot.create(name, opts);
    open.add(d);
    return d;
  }

  /** Attaches a second client to the store {@code d} (as another process would). */
  protected Depot attach(Depot d) {
    Depot other = Depot.open(d.name(), options);
    open.add(other);
    return other;
  }

  @AfterEach
  void destroyStores() {
    try {
      // Every test leaves its store consistent: the invariant checker must find nothing.
      for (Depot d : open) {
        CheckReport report;
        try {
          report = d.check();
        } catch (StoreClosedException closed) {
          continue;
        }
        org.junit.jupiter.api.Assertions.assertTrue(report.consistent(), report.toString());
        break;
      }
    } finally {
      for (Depot d : open) {
        d.close();
      }
      for (String n : names) {
        Depot.destroy(
            n, options); // also after a failed check: a leftover store holds memory in /dev/shm
      }
    }
  }
}
