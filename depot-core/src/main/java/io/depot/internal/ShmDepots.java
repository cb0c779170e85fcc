package io.depot.internal;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.StoreExistsException;
import io.depot.StoreNotFoundException;
import java.nio.file.Files;
import java.util.Objects;

/**
 * The one way into the shared-memory implementation: {@link Depot}'s static factories (and the
 * {@code shm:} provider) call these. Besides it, only {@link Names} (the name rules the API
 * shares), {@link Inspector} (the lifecycle state tools show) and {@link ShmStoreProvider} (for the
 * {@link java.util.ServiceLoader}) are public in this package, which the module does not export.
 */
public final class ShmDepots {
  private ShmDepots() {}

  /** {@link Depot#create(String, DepotOptions)}. */
  public static Depot create(String name, DepotOptions options) {
    Objects.requireNonNull(options, "options");
    return new ShmDepot(name, Store.create(name, options));
  }

  /** {@link Depot#open(String, DepotOptions)}. */
  public static Depot open(String name, DepotOptions options) {
    Objects.requireNonNull(options, "options");
    return new ShmDepot(name, Store.open(name, options));
  }

  /** {@link Depot#openOrCreate(String, DepotOptions)}. */
  public static Depot openOrCreate(String name, DepotOptions options) {
    Objects.requireNonNull(options, "options");
    long deadline = System.nanoTime() + options.openTimeoutMillis() * 1_000_000L;
    for (; ; ) {
      try {
        return open(name, options);
      } catch (StoreNotFoundException e) {
        try {
          return create(name, options);
        } catch (StoreExistsException raced) {
          if (System.nanoTime() > deadline) {
            throw raced;
          }
          // Another process created it between our open and our create: attach to theirs.
        }
      }
    }
  }

  /** {@link Depot#destroy(String, DepotOptions)}. */
  public static boolean destroy(String name, DepotOptions options) {
    return Store.destroy(name, options);
  }

  /** {@link Depot#exists(String, DepotOptions)}. */
  public static boolean exists(String name, DepotOptions options) {
    return Files.exists(Store.fileOf(name, options));
  }
}
