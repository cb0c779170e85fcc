package io.depot;

import io.depot.internal.ShmDepots;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * A shared-memory object store: one file (in {@code /dev/shm} by default) that any number of
 * processes attach to and share named objects through, with no server on the data path.
 *
 * <h2>Lifecycle of an object</h2>
 *
 * <ol>
 *   <li><b>WRITE</b>: {@link #claim} allocates a block visible only to its writer, who fills it in
 *       place;
 *   <li><b>IDLE</b>: {@link WriteClaim#commit()} makes it visible to every process, immutable;
 *   <li><b>BUSY</b>: while {@link #get} handles are open (counted in shared memory), its bytes
 *       cannot change or be reused;
 *   <li><b>ZOMBIE</b>: {@link #remove} hides it at once; its memory is reused when the last handle
 *       closes.
 * </ol>
 *
 * <p>The {@code put} and {@code replace} methods are claim, copy and commit in one call.
 *
 * <h2>Names</h2>
 *
 * Object names are non-empty strings of at most {@value #MAX_NAME_BYTES} bytes in UTF-8 (no
 * unpaired surrogates). Store names are at most 200 characters of {@code [A-Za-z0-9._-]}, not
 * starting with a dot; the file is {@code <directory>/<name>.depot}.
 *
 * <h2>Threads and processes</h2>
 *
 * A {@code Depot} is thread-safe; any number of processes may attach to one store (up to {@link
 * DepotOptions#maxClients()}). Each process attaches once per {@code Depot} instance and takes a
 * client slot until {@link #close()}.
 *
 * <h2>Processes that die</h2>
 *
 * A process killed at any moment is detected (pid and start time) and what it held is recovered by
 * the others, with no call and no daemon: an operation that runs into its state recovers it there
 * and then and proceeds (a put of a name it was writing, a put that finds the store full, a queue
 * operation behind its half-made or popped entry, an attach to a full client table, a lock it
 * held); and every attached process runs a recovery sweep on a daemon thread (taking turns, about
 * twice per {@linkplain DepotOptions.Builder#recoveryInterval recovery interval} for the whole
 * store), so that its handles, claims and popped entries are given back within one interval (1 s by
 * default) even if nobody runs into them. Its uncommitted claims are aborted, its handles released
 * (a removed object it was reading is freed), its popped queue entries delivered again.
 *
 * <h2>Other backends</h2>
 *
 * {@code Depot} adds to {@link ObjectStore} what only shared memory has: the store file ({@link
 * #path()}), the attached processes ({@link #clients()}), the store check and dead-client recovery,
 * and {@link #forceRemove}. The same objects and queues across machines: {@link #open(URI)} and
 * {@link #openOrCreate(URI, DepotOptions)} route by URI scheme ({@code shm:NAME}, the default;
 * {@code redis://}, {@code rediss://} with {@code depot-redis}) to a {@link
 * io.depot.spi.ObjectStoreProvider} found by {@link java.util.ServiceLoader}, and return an {@link
 * ObjectStore} (for {@code shm:}, a {@code Depot}).
 */
public interface Depot extends ObjectStore {
  /**
   * Creates a store and attaches to it.
   *
   * <p>All of the file's memory is reserved ({@code posix_fallocate}) before the store becomes
   * visible under its name (it is built under a temporary name and linked into place), so other
   * processes never see a half-made store, and a {@code /dev/shm} too small for it fails here, not
   * later. By default the creator's mapping is also pre-faulted before this returns ({@link
   * DepotOptions.Builder#prefault(Prefault)}).
   *
   * @param name the store's name
   * @param options its sizes and settings
   * @return the attached store; close it
   * @throws StoreExistsException if a store of that name exists (two creators racing: exactly one
   *     wins)
   * @throws StoreFullException if the file system has no room for the file
   * @throws StoreAccessException if the file cannot be created or mapped
   */
  static Depot create(String name, DepotOptions options) {
    return ShmDepots.create(name, options);
  }

  /**
   * Attaches to an existing store in {@code /dev/shm}. Attaching takes milliseconds whatever the
   * store's size: by default this process's mapping is pre-faulted afterwards, by a background
   * thread that uses idle CPU time only.
   *
   * @param name the store's name
   * @return the attached store; close it
   * @throws StoreNotFoundException if there is none
   * @throws CorruptStoreException if the file is not a store of this layout version, or is
   *     truncated
   */
  static Depot open(String name) {
    return ShmDepots.open(name, DepotOptions.defaults());
  }

  /**
   * Attaches to an existing store in {@code options.directory()}.
   *
   * @param name the store's name
   * @param options where the store file is, and this process's settings
   * @return the attached store; close it
   * @throws StoreNotFoundException if there is none
   * @throws CorruptStoreException if the file is not a store of this layout version, or is
   *     truncated
   */
  static Depot open(String name, DepotOptions options) {
    return ShmDepots.open(name, options);
  }

  /**
   * Attaches to the store, creating it with {@code options} if it does not exist. When processes
   * race, one creates and the others attach to what it created.
   *
   * @param name the store's name
   * @param options its sizes and settings, if it is created
   * @return the attached store; close it
   */
  static Depot openOrCreate(String name, DepotOptions options) {
    return ShmDepots.openOrCreate(name, options);
  }

  /**
   * Opens an existing store by URI: {@code shm:NAME} (or a bare {@code NAME}: shared memory is the
   * default, with {@link DepotOptions#defaults()}; parameter {@code dir}, e.g. {@code
   * shm:frames?dir=/tmp}), or {@code redis://[user:password@]host:port/db?prefix=P} ({@code
   * rediss://} for TLS; see {@code docs/redis.md}).
   *
   * @param uri the store's URI
   * @return the open store; close it
   * @throws StoreNotFoundException if there is no such store
   * @throws InvalidArgumentException naming the URI if it is malformed or no provider handles its
   *     scheme
   * @throws StoreAccessException if the backend cannot be reached or refuses the credentials
   */
  static ObjectStore open(URI uri) {
    return StoreRoutes.open(uri, DepotOptions.defaults(), false);
  }

  /**
   * Opens the store at {@code uri}, creating it with {@code options} if it does not exist (on
   * Redis, the options' shared-memory sizes do not apply).
   *
   * @param uri the store's URI
   * @param options its sizes and settings, if it is created
   * @return the open store; close it
   * @throws InvalidArgumentException naming the URI if it is malformed or no provider handles its
   *     scheme
   * @throws StoreAccessException if the backend cannot be reached or refuses the credentials
   */
  static ObjectStore openOrCreate(URI uri, DepotOptions options) {
    return StoreRoutes.open(uri, options, true);
  }

  /**
   * Unlinks the store file. Processes still attached keep using their mapping until they close; the
   * memory is returned to the system when the last one detaches. A later {@link #create} makes a
   * new, empty store.
   *
   * @param name the store's name
   * @param options where the store file is
   * @return whether a file was removed
   */
  static boolean destroy(String name, DepotOptions options) {
    return ShmDepots.destroy(name, options);
  }

  /**
   * {@return whether a store file of that name exists in {@code options.directory()}}
   *
   * @param name the store's name
   * @param options where the store file is
   */
  static boolean exists(String name, DepotOptions options) {
    return ShmDepots.exists(name, options);
  }

  /** {@return the store file} */
  Path path();

  /**
   * Removes {@code name} and frees its memory at once, even if handles are open. <b>Unsafe for
   * current readers</b>: their views may then show another object's bytes. For recovery from stuck
   * readers only.
   *
   * @param name the object's name
   * @return whether a committed object was removed
   */
  boolean forceRemove(String name);

  /**
   * {@return the processes attached to the store, live and dead (a dead one is listed until it is
   * recovered), with the claims and handles each holds} Reads every descriptor and journal entry:
   * meant for tools, not for hot paths.
   */
  List<ClientInfo> clients();

  /**
   * Walks the whole store and verifies its invariants (see {@link CheckReport}). Meant for a
   * quiescent store; the cost is linear in the store's size (every page, descriptor, bucket and
   * journal entry).
   *
   * @return what it found
   */
  CheckReport check();

  /**
   * Recovers now every client slot whose process is dead (pid and start time checked): takes over
   * its locks (repairing what they guard), aborts its uncommitted claims, skips its half-made queue
   * positions, delivers its popped entries again, releases its readers' pins, and frees its slot;
   * then gives back whatever is still owned by clients no slot holds. Never needed for correctness
   * (Depot recovers on contact and by its sweep, see the class comment); for tools ({@code depot
   * fsck --recover}) and tests. Safe to call at any time from any number of processes at once.
   *
   * @return the number of dead clients recovered by this call
   */
  int recoverDeadClients();

  /**
   * Detaches: waits for this instance's operations in flight, aborts its open claims, has its
   * popped and unreleased queue entries delivered again, releases its open handles (leaks, reported
   * through {@link System.Logger}), stops its pre-fault and recovery threads, frees its client slot
   * and unmaps the file. Idempotent; operations afterwards throw {@link StoreClosedException}.
   */
  @Override
  void close();
}
