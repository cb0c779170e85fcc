/**
 * Depot's core: the shared-memory object store. Depends on nothing but the JDK.
 *
 * <p>Needs native access for {@code posix_fallocate}, {@code madvise} and {@code futex} ({@code
 * --enable-native-access=io.depot.core}, or {@code ALL-UNNAMED} on the class path); without it,
 * stores still work and fall back to touching pages and polling.
 */
@SuppressWarnings("module") // the export to io.depot.cli names a module not built before this one
module io.depot.core {
  // @NullMarked and @Nullable in the API: compile-time only
  requires static transitive org.jspecify;

  exports io.depot;
  exports io.depot.spi;
  // the store inspection behind `depot stat` and the metrics endpoint: for the CLI alone, not API
  exports io.depot.internal to
      io.depot.cli;

  uses io.depot.Codec;
  uses io.depot.spi.ObjectStoreProvider;

  provides io.depot.spi.ObjectStoreProvider with
      io.depot.internal.ShmStoreProvider;
}
