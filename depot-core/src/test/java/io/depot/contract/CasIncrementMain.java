package io.depot.contract;

import io.depot.Depot;
import io.depot.ObjectHandle;
import io.depot.ObjectStore;
import java.net.URI;

/**
 * Child process: opens the store at {@code args[0]} and increments counter {@code args[1]} {@code
 * args[2]} times.
 */
public final class CasIncrementMain {
  private CasIncrementMain() {}

  /**
   * One lost-update-free increment of the decimal counter {@code name}: read, compare-and-set,
   * retry.
   */
  static void increment(ObjectStore store, String name) {
    while (true) {
      long version;
      int value;
      try (ObjectHandle h = store.get(name)) {
        version = h.version();
        value = Integer.parseInt(h.asString());
      }
      if (store.compareAndSet(name, version, Integer.toString(value + 1))) {
        return;
      }
    }
  }

  public static void main(String[] args) {
    try (ObjectStore store = Depot.open(URI.create(args[0]))) {
      int n = Integer.parseInt(args[2]);
      for (int i = 0; i < n; i++) {
        increment(store, args[1]);
      }
    }
    System.out.println("DONE");
  }
}
