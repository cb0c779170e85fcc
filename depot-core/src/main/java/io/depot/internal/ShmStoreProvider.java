package io.depot.internal;

import io.depot.DepotOptions;
import io.depot.InvalidArgumentException;
import io.depot.ObjectStore;
import io.depot.spi.ObjectStoreProvider;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * The {@code shm:NAME} provider: today's shared-memory store. Parameter {@code dir} (the store's
 * directory, default {@code /dev/shm}) overrides {@link DepotOptions#directory()}.
 */
public final class ShmStoreProvider implements ObjectStoreProvider {
  /** For {@link java.util.ServiceLoader}. */
  public ShmStoreProvider() {}

  @Override
  public Set<String> schemes() {
    return Set.of("shm");
  }

  @Override
  public ObjectStore open(URI uri, DepotOptions options, boolean create) {
    String ssp = uri.getSchemeSpecificPart();
    int q = ssp.indexOf('?');
    String name = q < 0 ? ssp : ssp.substring(0, q);
    while (name.startsWith("/")) {
      name = name.substring(1);
    }
    if (name.isEmpty()) {
      throw new InvalidArgumentException("shm: URI without a store name: uri=" + uri);
    }
    Map<String, String> params = ObjectStoreProvider.parameters(uri);
    DepotOptions o = options;
    for (Map.Entry<String, String> p : params.entrySet()) {
      if (p.getKey().equals("dir")) {
        o = o.toBuilder().directory(Path.of(p.getValue())).build();
      } else {
        throw new InvalidArgumentException(
            "unknown shm: parameter=" + p.getKey() + " (known: dir): uri=" + uri);
      }
    }
    return create ? ShmDepots.openOrCreate(name, o) : ShmDepots.open(name, o);
  }
}
