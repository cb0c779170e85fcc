/**
 * Depot storage providers: store bytes, get a URI; load a URI, get the verified bytes. The {@code
 * mem:}, {@code file:} and {@code shm:} providers live here; {@code s3:} and {@code redis:} in
 * their own modules, found by {@link java.util.ServiceLoader}.
 */
module io.depot.storage {
  requires static transitive org.jspecify; // @NullMarked and @Nullable in the API: compile-time
  // only
  requires transitive io.depot.core;

  exports io.depot.storage;
  exports io.depot.storage.spi;

  uses io.depot.storage.spi.StorageProviderFactory;

  provides io.depot.storage.spi.StorageProviderFactory with
      io.depot.storage.mem.MemStorageFactory,
      io.depot.storage.file.FileStorageFactory,
      io.depot.storage.shm.ShmStorageFactory;
}
