package io.depot.storage.shm;

import io.depot.Depot;
import io.depot.DepotException;
import io.depot.DepotOptions;
import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.StorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.ProviderOptions;
import io.depot.storage.spi.StorageProviderFactory;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code shm://<store>/[<scope>/...]} providers on the Depot store {@code <store>}, creating
 * the store if it does not exist. Options (used only when this provider creates the store; an
 * existing store keeps its sizes):
 *
 * <ul>
 *   <li>{@code capacity} (1g): the arena's size, for example {@code 4g};
 *   <li>{@code max-objects} (capacity / 64 KiB, at least 1024): the most blobs (and spool chunks)
 *       at once;
 *   <li>{@code directory} ({@code /dev/shm}): where the store file lives;
 *   <li>{@code chunk-size} (4m): the spool chunk of {@link
 *       StorageProvider#store(java.io.InputStream, io.depot.storage.StoreOptions) streamed stores}.
 * </ul>
 */
public final class ShmStorageFactory implements StorageProviderFactory {
  /** The scheme. */
  public static final String SCHEME = "shm";

  /** For {@link java.util.ServiceLoader}. */
  public ShmStorageFactory() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public StorageProvider open(URI base, Map<String, String> options) {
    ProviderOptions opts =
        new ProviderOptions(
            options, base, Set.of("capacity", "max-objects", "directory", "chunk-size"));
    BlobLayout layout = BlobLayout.of(base, 0, true);
    String store = layout.authority();
    if (!store.matches("[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")) {
      throw new MalformedBlobUriException(
          "a shm: base names a Depot store: shm://<store>/, store names are"
              + " [A-Za-z0-9._-], at most 200 characters, not starting with a dot",
          base);
    }
    long capacity =
        opts.size("capacity", 1L << 30, DepotOptions.MIN_CAPACITY, DepotOptions.MAX_CAPACITY);
    DepotOptions.Builder b = DepotOptions.builder().capacity(capacity);
    b.maxObjects(
        (int)
            opts.integer(
                "max-objects",
                Math.max(1024, Math.min(capacity >> 16, DepotOptions.MAX_OBJECTS)),
                1,
                DepotOptions.MAX_OBJECTS));
    if (opts.has("directory")) {
      b.directory(Path.of(opts.string("directory")));
    }
    long chunk = opts.size("chunk-size", 4L << 20, 64L << 10, 1L << 30);
    try {
      return new ShmStorageProvider(layout, Depot.openOrCreate(store, b.build()), chunk);
    } catch (DepotException e) {
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof java.nio.file.AccessDeniedException) {
          throw new BackendAccessDeniedException(
              "shm: cannot open the store: " + e.getMessage(), layout.base(), e);
        }
      }
      throw new BackendUnavailableException(
          "shm: cannot open the store: " + e.getMessage(), layout.base(), e);
    }
  }
}
