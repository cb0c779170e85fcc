package io.depot.stm.internal;

import io.depot.DepotException;
import io.depot.stm.InvalidUriException;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmOptions;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmBackendProvider;
import io.depot.stm.spi.StmUri;
import java.time.Duration;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens memories: parses the URI, applies its generic parameters, and finds the backend by scheme.
 */
public final class StmFactory {
  private StmFactory() {}

  /** See {@link ShortTermMemory#open(String, StmOptions)}. */
  public static ShortTermMemory open(String uri, StmOptions options) {
    Objects.requireNonNull(options, "options");
    StmUri parsed = StmUri.parse(uri);
    StmOptions effective = applyParams(parsed, options);
    StmBackendProvider provider = provider(parsed);
    StmBackend backend = provider.open(parsed, effective);
    return new StmImpl(backend, parsed.redacted(), effective);
  }

  private static StmOptions applyParams(StmUri uri, StmOptions options) {
    StmOptions.Builder b = options.toBuilder();
    try {
      Duration ttl = uri.durationParam("ttl");
      if (ttl != null) {
        b.defaultTtl(ttl);
      }
      if (uri.params().containsKey("maxValueBytes")) {
        b.maxValueBytes(uri.sizeParam("maxValueBytes", options.maxValueBytes()));
      }
    } catch (InvalidUriException e) {
      throw e;
    } catch (DepotException e) {
      throw new InvalidUriException(e.getMessage() + ": uri=" + uri.redacted(), e);
    }
    return b.build();
  }

  private static StmBackendProvider provider(StmUri uri) {
    Set<String> known = new TreeSet<>();
    for (ClassLoader loader :
        new ClassLoader[] {
          Thread.currentThread().getContextClassLoader(), StmFactory.class.getClassLoader()
        }) {
      try {
        for (StmBackendProvider p : ServiceLoader.load(StmBackendProvider.class, loader)) {
          if (p.schemes().contains(uri.scheme())) {
            return p;
          }
          known.addAll(p.schemes());
        }
      } catch (ServiceConfigurationError e) {
        throw new InvalidUriException(
            "a short-term memory backend failed to load: " + e.getMessage(), e);
      }
    }
    String hint =
        uri.scheme().startsWith("redis") ? " (add io.depot:depot-redis to the class path)" : "";
    throw new InvalidUriException(
        "no short-term memory backend for scheme="
            + uri.scheme()
            + hint
            + "; known="
            + known
            + ": uri="
            + uri.redacted());
  }
}
