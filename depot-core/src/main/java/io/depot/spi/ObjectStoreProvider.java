package io.depot.spi;

import io.depot.DepotOptions;
import io.depot.ObjectStore;
import java.net.URI;
import java.util.Set;

/**
 * Opens object stores for the URI schemes it names. Registered as a {@link java.util.ServiceLoader}
 * service ({@code META-INF/services/io.depot.spi.ObjectStoreProvider}, or {@code provides} in a
 * module); {@link io.depot.Depot#open(URI)} picks the provider by the URI's scheme, never by class
 * name. Depot's core registers {@code shm}; {@code depot-redis} registers {@code redis} and {@code
 * rediss}.
 */
public interface ObjectStoreProvider {
  /**
   * {@return the lower-case URI schemes handled, e.g. {@code shm}, or {@code redis} and {@code
   * rediss}}
   */
  Set<String> schemes();

  /**
   * Opens the store at {@code uri}.
   *
   * @param uri a URI of one of {@link #schemes()}
   * @param options the options to create the store with (a backend ignores those that do not apply
   *     to it)
   * @param create whether to create the store if it does not exist
   * @return the open store; the caller closes it
   * @throws io.depot.StoreNotFoundException if {@code create} is false and there is no such store
   * @throws io.depot.InvalidArgumentException naming the URI if it or one of its parameters is
   *     invalid
   * @throws io.depot.StoreAccessException if the backend cannot be reached or refuses the
   *     credentials
   */
  ObjectStore open(URI uri, DepotOptions options, boolean create);

  /**
   * The query parameters of {@code uri} (opaque or hierarchical), decoded, in order; a parameter
   * without {@code =} maps to the empty string.
   *
   * @param uri the URI whose query is read
   * @return the parameters by name, in the order of the query (empty if it has none)
   */
  static java.util.Map<String, String> parameters(URI uri) {
    String ssp = uri.getRawSchemeSpecificPart();
    String query =
        uri.isOpaque()
            ? (ssp.indexOf('?') < 0 ? null : ssp.substring(ssp.indexOf('?') + 1))
            : uri.getRawQuery();
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String k = eq < 0 ? part : part.substring(0, eq);
      String v = eq < 0 ? "" : part.substring(eq + 1);
      out.put(
          java.net.URLDecoder.decode(k, java.nio.charset.StandardCharsets.UTF_8),
          java.net.URLDecoder.decode(v, java.nio.charset.StandardCharsets.UTF_8));
    }
    return out;
  }
}
