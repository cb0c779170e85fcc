package io.depot;

import io.depot.spi.ObjectStoreProvider;
import java.net.URI;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeSet;

/** Routes a store URI to the provider of its scheme ({@link Depot#open(URI)}). */
final class StoreRoutes {
  private StoreRoutes() {}

  static ObjectStore open(URI uri, DepotOptions options, boolean create) {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(options, "options");
    URI target = uri.getScheme() == null ? URI.create("shm:" + uri) : uri;
    String scheme = target.getScheme().toLowerCase(Locale.ROOT);
    Map<String, ObjectStoreProvider> providers = providers();
    ObjectStoreProvider provider = providers.get(scheme);
    if (provider == null) {
      throw new InvalidArgumentException(
          "no object store provider for scheme="
              + scheme
              + " (known: "
              + new TreeSet<>(providers.keySet())
              + "; redis needs depot-redis on the class path): uri="
              + redacted(target));
    }
    return provider.open(target, options, create);
  }

  private static Map<String, ObjectStoreProvider> providers() {
    Map<String, ObjectStoreProvider> out = new HashMap<>();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    for (ObjectStoreProvider p :
        ServiceLoader.load(
            ObjectStoreProvider.class,
            loader != null ? loader : StoreRoutes.class.getClassLoader())) {
      for (String s : p.schemes()) {
        out.putIfAbsent(s.toLowerCase(Locale.ROOT), p);
      }
    }
    if (out.isEmpty()) {
      // On the module path the context loader may not see the core's own provider.
      for (ObjectStoreProvider p : ServiceLoader.load(ObjectStoreProvider.class)) {
        p.schemes().forEach(s -> out.putIfAbsent(s, p));
      }
    }
    return out;
  }

  /** {@code uri} without its password. */
  static String redacted(URI uri) {
    String s = uri.toString();
    String info = uri.getRawUserInfo();
    if (info == null) {
      return s;
    }
    int colon = info.indexOf(':');
    return s.replace(info + "@", (colon < 0 ? "***" : info.substring(0, colon) + ":***") + "@");
  }
}
