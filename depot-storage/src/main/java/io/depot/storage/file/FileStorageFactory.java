package io.depot.storage.file;

import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.StorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.ProviderOptions;
import io.depot.storage.spi.StorageProviderFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code file:///<directory>/} providers (the directory is created if missing). Options:
 *
 * <ul>
 *   <li>{@code fsync} ({@code true}): force each blob file and its folder to disk before the store
 *       returns, so a stored blob survives a power loss; {@code false} trades that for speed (the
 *       rename is still atomic).
 * </ul>
 */
public final class FileStorageFactory implements StorageProviderFactory {
  /** The scheme. */
  public static final String SCHEME = "file";

  /** For {@link java.util.ServiceLoader}. */
  public FileStorageFactory() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public StorageProvider open(URI base, Map<String, String> options) {
    ProviderOptions opts = new ProviderOptions(options, base, Set.of("fsync"));
    BlobLayout layout = BlobLayout.of(base, 2, false);
    if (!layout.authority().isEmpty()) {
      throw new MalformedBlobUriException(
          "a file: base is a local directory: file:///<directory>/", base);
    }
    Path dir = Path.of(layout.basePath());
    try {
      Files.createDirectories(dir);
      Path real = dir.toRealPath();
      FileStorageProvider.deleteStaleTemps(dir);
      return new FileStorageProvider(layout, real, opts.bool("fsync", true));
    } catch (AccessDeniedException e) {
      throw new BackendAccessDeniedException(
          "cannot create or open the directory: permission denied", layout.base(), e);
    } catch (IOException e) {
      throw new BackendUnavailableException(
          "cannot create or open the directory: " + e, layout.base(), e);
    }
  }
}
