package io.depot.storage.spi;

import io.depot.storage.StorageProvider;
import java.net.URI;
import java.util.Map;

/**
 * Opens the providers of one URI scheme. Implementations are found with {@link
 * java.util.ServiceLoader} (a {@code provides} clause in a module, or {@code
 * META-INF/services/io.depot.storage.spi.StorageProviderFactory} on the class path), never by class
 * name; each must have a public no-argument constructor.
 */
public interface StorageProviderFactory {
  /**
   * {@return the scheme served, lower case ({@code mem}, {@code shm}, {@code file}, {@code s3},
   * {@code redis})}
   */
  String scheme();

  /**
   * Opens a provider confined to {@code base}.
   *
   * @param base the base URI (scope), of this factory's scheme
   * @param options provider options, keys without the {@code depot.storage.<scheme>.} prefix (for
   *     example {@code capacity}); a key the provider does not know is an error
   * @return the open provider; the caller closes it
   * @throws io.depot.InvalidArgumentException if an option is unknown or out of range
   * @throws io.depot.storage.MalformedBlobUriException if {@code base} is not a base URI of this
   *     scheme
   * @throws io.depot.storage.BackendUnavailableException if the backend cannot be reached
   */
  StorageProvider open(URI base, Map<String, String> options);
}
