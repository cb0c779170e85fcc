package io.depot.storage;

import io.depot.InvalidArgumentException;
import io.depot.storage.spi.StorageProviderFactory;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The storage of an application: stores go to one configured provider, and loads are routed by URI
 * to the provider whose scope holds it. Providers are found by scheme through {@link ServiceLoader}
 * ({@link StorageProviderFactory}), so a backend is available when its module is on the class or
 * module path.
 *
 * <pre>{@code
 * try (StorageProviders storage = StorageProviders.open(Map.of("depot.storage.store", "shm://depot/wf-42"))) {
 *   URI uri = storage.store(bytes);    // shm://depot/wf-42/sha256/<hex>
 *   byte[] back = storage.load(uri);   // verified against its SHA-256
 * }
 * }</pre>
 *
 * <h2>Configuration</h2>
 *
 * <ul>
 *   <li>{@value #STORE}: the base URI {@code store} writes under (required);
 *   <li>{@value #READ}: further base URIs, comma-separated, that loads may read (the store base is
 *       always readable); a URI under none of them is refused with {@link ScopeViolationException},
 *       so a URI from outside cannot make the application reach an arbitrary host, bucket or
 *       directory;
 *   <li>{@code depot.storage.<scheme>.<option>}: an option of the {@code <scheme>} providers (for
 *       example {@code depot.storage.shm.capacity=4g}, {@code
 *       depot.storage.s3.endpoint=http://127.0.0.1:9000}); an option a provider does not know is an
 *       error.
 * </ul>
 *
 * A URI is served by the provider with the longest base that holds it. This class is itself a
 * {@link StorageProvider} (its base, scheme and listing are those of the store provider),
 * thread-safe, and owns the providers it opened: close it.
 */
public final class StorageProviders implements StorageProvider {
  /** The prefix of every configuration key. */
  public static final String PREFIX = "depot.storage.";

  /** The base URI stores go to. */
  public static final String STORE = "depot.storage.store";

  /** Further readable base URIs, comma-separated. */
  public static final String READ = "depot.storage.read";

  private final StorageProvider store;
  private final List<StorageProvider> providers;
  private final boolean owner;

  private StorageProviders(StorageProvider store, List<StorageProvider> providers, boolean owner) {
    this.store = store;
    this.providers = List.copyOf(providers);
    this.owner = owner;
  }

  // ---------------------------------------------------------------- opening

  /**
   * Opens the providers a configuration names (see the class comment).
   *
   * @param config the configuration: keys and values as the class comment describes
   * @return the open providers; close them
   * @throws InvalidArgumentException if {@value #STORE} is missing or a key or option is unknown
   * @throws UnsupportedSchemeException if no factory serves a configured scheme
   */
  public static StorageProviders open(Map<String, String> config) {
    Objects.requireNonNull(config, "config");
    String storeBase = config.get(STORE);
    if (storeBase == null || storeBase.isBlank()) {
      throw new InvalidArgumentException(
          "storage configuration needs " + STORE + "=<base URI>: " + STORE + "=" + storeBase);
    }
    Map<String, Map<String, String>> options = new HashMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      String k = e.getKey();
      if (!k.startsWith(PREFIX) || k.equals(STORE) || k.equals(READ)) {
        continue;
      }
      String rest = k.substring(PREFIX.length());
      int dot = rest.indexOf('.');
      if (dot <= 0 || dot == rest.length() - 1) {
        throw new InvalidArgumentException(
            "unknown storage configuration key (expected "
                + STORE
                + ", "
                + READ
                + " or "
                + PREFIX
                + "<scheme>.<option>): key="
                + k);
      }
      options
          .computeIfAbsent(rest.substring(0, dot).toLowerCase(Locale.ROOT), s -> new HashMap<>())
          .put(rest.substring(dot + 1), e.getValue());
    }
    Map<String, URI> bases = new LinkedHashMap<>();
    URI first = uri(storeBase.trim());
    bases.put(first.toString(), first);
    String read = config.get(READ);
    if (read != null) {
      for (String s : read.split(",")) {
        if (!s.isBlank()) {
          URI u = uri(s.trim());
          bases.putIfAbsent(u.toString(), u);
        }
      }
    }
    List<StorageProvider> opened = new ArrayList<>();
    try {
      for (URI base : bases.values()) {
        String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(Locale.ROOT);
        opened.add(provider(base, options.getOrDefault(scheme, Map.of())));
      }
    } catch (RuntimeException e) {
      opened.forEach(StorageProvider::close);
      throw e;
    }
    return new StorageProviders(opened.get(0), opened, true);
  }

  /**
   * Opens the providers configured by the system properties starting with {@value #PREFIX} (for
   * example {@code -Ddepot.storage.store=file:///var/lib/depot/}).
   *
   * @return the open providers; close them
   */
  public static StorageProviders fromSystemProperties() {
    Map<String, String> config = new HashMap<>();
    for (String name : System.getProperties().stringPropertyNames()) {
      if (name.startsWith(PREFIX)) {
        config.put(name, System.getProperty(name));
      }
    }
    return open(config);
  }

  /**
   * Opens one provider on {@code base} with its options (keys without the {@code
   * depot.storage.<scheme>.} prefix).
   *
   * @param base the provider's base URI
   * @param options its options
   * @return the open provider; close it
   * @throws UnsupportedSchemeException if no factory serves the scheme
   */
  public static StorageProvider provider(URI base, Map<String, String> options) {
    Objects.requireNonNull(base, "base");
    if (base.getScheme() == null) {
      throw new MalformedBlobUriException("a base URI has a scheme", base);
    }
    return factory(base.getScheme(), base).open(base, options);
  }

  /**
   * Opens one provider on {@code base} with default options.
   *
   * @param base the provider's base URI
   * @return the open provider; close it
   */
  public static StorageProvider provider(URI base) {
    return provider(base, Map.of());
  }

  /** {@return the schemes served by the factories found by {@link ServiceLoader}} */
  public static List<String> schemes() {
    List<String> out = new ArrayList<>(factories().keySet());
    out.sort(null);
    return out;
  }

  /**
   * Parses a URI string.
   *
   * @param text the URI's text
   * @return the URI
   * @throws MalformedBlobUriException if it is not a URI (the message names the text)
   */
  public static URI uri(String text) {
    Objects.requireNonNull(text, "text");
    try {
      URI u = new URI(text);
      if (!u.isAbsolute() || u.isOpaque()) {
        throw new MalformedBlobUriException(
            "a storage URI is absolute and hierarchical (scheme://...): text=" + text, null);
      }
      return u;
    } catch (URISyntaxException e) {
      throw new MalformedBlobUriException(
          "not a URI: " + e.getMessage() + ": text=" + text, null, e);
    }
  }

  private static StorageProviderFactory factory(String scheme, URI uri) {
    StorageProviderFactory f = factories().get(scheme.toLowerCase(Locale.ROOT));
    if (f == null) {
      throw new UnsupportedSchemeException(
          "no storage provider for scheme="
              + scheme
              + " (found: "
              + schemes()
              + "; is its module on the class path?)",
          uri);
    }
    return f;
  }

  private static Map<String, StorageProviderFactory> factories() {
    Map<String, StorageProviderFactory> out = new HashMap<>();
    for (StorageProviderFactory f :
        ServiceLoader.load(StorageProviderFactory.class, StorageProviders.class.getClassLoader())) {
      StorageProviderFactory previous = out.putIfAbsent(f.scheme().toLowerCase(Locale.ROOT), f);
      if (previous != null && previous.getClass() != f.getClass()) {
        throw new InvalidArgumentException(
            "two storage provider factories for scheme="
                + f.scheme()
                + ": "
                + previous.getClass().getName()
                + " and "
                + f.getClass().getName());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- routing

  /** {@return the provider stores go to} */
  public StorageProvider storeProvider() {
    return store;
  }

  /** {@return every provider, the store provider first} */
  public List<StorageProvider> providers() {
    return providers;
  }

  /**
   * {@return the provider that serves {@code uri}: the one with the longest base holding it}
   *
   * @param uri a blob or base URI
   * @throws MalformedBlobUriException if it is not an absolute hierarchical URI
   * @throws UnsupportedSchemeException if no factory serves its scheme
   * @throws ScopeViolationException if no configured provider's scope holds it
   */
  public StorageProvider providerFor(URI uri) {
    Objects.requireNonNull(uri, "uri");
    if (!uri.isAbsolute() || uri.isOpaque()) {
      throw new MalformedBlobUriException(
          "a blob URI is absolute and hierarchical (scheme://...)", uri);
    }
    StorageProvider best = null;
    for (StorageProvider p : providers) {
      if (p.inScope(uri)
          && (best == null || p.base().toString().length() > best.base().toString().length())) {
        best = p;
      }
    }
    if (best != null) {
      return best;
    }
    boolean known = false;
    for (StorageProvider p : providers) {
      known |= p.scheme().equalsIgnoreCase(uri.getScheme());
    }
    if (!known) {
      factory(uri.getScheme(), uri);
    }
    List<URI> bases = providers.stream().map(StorageProvider::base).toList();
    throw new ScopeViolationException("outside every configured scope " + bases, uri);
  }

  // ---------------------------------------------------------------- StorageProvider

  @Override
  public String scheme() {
    return store.scheme();
  }

  @Override
  public URI base() {
    return store.base();
  }

  /**
   * A router confined to the sub-scope {@code scope} of the store provider: it stores and reads
   * only there.
   */
  @Override
  public StorageProviders withScope(String scope) {
    StorageProvider child = store.withScope(scope);
    return new StorageProviders(child, List.of(child), false);
  }

  @Override
  public boolean inScope(URI uri) {
    for (StorageProvider p : providers) {
      if (p.inScope(uri)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public URI contentUri(String sha256) {
    return store.contentUri(sha256);
  }

  @Override
  public URI keyUri(String key) {
    return store.keyUri(key);
  }

  @Override
  public URI store(byte[] data, StoreOptions options) {
    return store.store(data, options);
  }

  @Override
  public URI store(MemorySegment data, StoreOptions options) {
    return store.store(data, options);
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    return store.store(in, options);
  }

  @Override
  public byte[] load(URI uri) {
    return providerFor(uri).load(uri);
  }

  @Override
  public InputStream open(URI uri) {
    return providerFor(uri).open(uri);
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    return providerFor(uri).open(uri, offset, length);
  }

  @Override
  public BlobView view(URI uri) {
    return providerFor(uri).view(uri);
  }

  @Override
  public boolean zeroCopyViews() {
    return store.zeroCopyViews();
  }

  @Override
  public BlobInfo info(URI uri) {
    return providerFor(uri).info(uri);
  }

  @Override
  public boolean exists(URI uri) {
    return providerFor(uri).exists(uri);
  }

  @Override
  public boolean delete(URI uri) {
    return providerFor(uri).delete(uri);
  }

  @Override
  public List<URI> list(String prefix) {
    return store.list(prefix);
  }

  /** Closes the providers this router opened (a scoped router closes nothing). Idempotent. */
  @Override
  public void close() {
    if (!owner) {
      return;
    }
    RuntimeException first = null;
    for (StorageProvider p : providers) {
      try {
        p.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  @Override
  public String toString() {
    return "StorageProviders[store="
        + store.base()
        + ", read="
        + providers.stream().map(StorageProvider::base).toList()
        + "]";
  }
}
