package io.depot.storage.mem;

import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.StorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.Names;
import io.depot.storage.spi.ProviderOptions;
import io.depot.storage.spi.StorageProviderFactory;
import java.net.URI;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@code mem://<space>/[<scope>/...]} providers: blobs in this JVM's heap, shared by the
 * providers opened on the same space and dropped when the last of them closes. No options.
 */
public final class MemStorageFactory implements StorageProviderFactory {
  /** The scheme. */
  public static final String SCHEME = "mem";

  /** For {@link java.util.ServiceLoader}. */
  public MemStorageFactory() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public StorageProvider open(URI base, Map<String, String> options) {
    new ProviderOptions(options, base, Set.of());
    BlobLayout layout = BlobLayout.of(base, 0, true);
    if (!Names.isSegment(layout.authority())) {
      throw new MalformedBlobUriException("a mem: base names its space: mem://<space>/", base);
    }
    return new MemStorageProvider(layout, MemSpace.acquire(layout.authority()));
  }
}
