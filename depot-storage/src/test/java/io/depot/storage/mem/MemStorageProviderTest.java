package io.depot.storage.mem;

import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.contract.StorageProviderContract;
import java.net.URI;
import java.util.Map;

class MemStorageProviderTest extends StorageProviderContract {
  private final URI base = URI.create("mem://contract-" + ProcessHandle.current().pid() + "/");

  @Override
  protected StorageProvider openProvider() {
    return StorageProviders.provider(base);
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    return Map.of(StorageProviders.STORE, storeBase.toString());
  }

  @Override
  protected void tamper(URI uri) {
    ((MemStorageProvider) p).storedBytes(uri)[0] ^= 1;
  }

  @Override
  protected long heapLimit() {
    return MemStorageProvider.maxBlobBytes();
  }
}
