/**
 * Workflow short-term memory: keys, values and lists scoped by workflow instance, shared by the
 * worker processes of an agent workflow. The {@code shm:} and {@code mem:} backends live here;
 * {@code redis:} in {@code io.depot.redis}, found by {@link java.util.ServiceLoader}.
 */
module io.depot.stm {
  requires static transitive org.jspecify; // @NullMarked and @Nullable in the API: compile-time
  // only
  requires transitive io.depot.core;
  requires io.depot.codec.json;

  exports io.depot.stm;
  exports io.depot.stm.spi;
  // the shm backend's provider and ShmStmObjects (what tools such as depot get decode of a store's
  // objects)
  exports io.depot.stm.shm;

  uses io.depot.stm.spi.StmBackendProvider;

  provides io.depot.stm.spi.StmBackendProvider with
      io.depot.stm.mem.MemBackendProvider,
      io.depot.stm.shm.ShmBackendProvider;
}
