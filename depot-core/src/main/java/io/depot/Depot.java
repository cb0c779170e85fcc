package io.depot;

import io.depot.internal.ShmDepot;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A shared-memory object store: one file (in {@code /dev/shm} by default) that any number of processes attach to
 * and share named objects through, with no server on the data path.
 *
 * <h2>Lifecycle of an object</h2>
 *
 * <ol>
 *   <li><b>WRITE</b>: {@link #claim} allocates a block visible only to its writer, who fills it in place;
 *   <li><b>IDLE</b>: {@link WriteClaim#commit()} makes it visible to every process, immutable;
 *   <li><b>BUSY</b>: while {@link #get} handles are open (counted in shared memory), its bytes cannot change or be
 *       reused;
 *   <li><b>ZOMBIE</b>: {@link #remove} hides it at once; its memory is reused when the last handle closes.
 * </ol>
 *
 * <p>The {@code put} and {@code replace} methods are claim, copy and commit in one call.
 *
 * <h2>Names</h2>
 *
 * Object names are non-empty strings of at most {@value #MAX_NAME_BYTES} bytes in UTF-8 (no unpaired surrogates).
 * Store names are at most 200 characters of {@code [A-Za-z0-9._-]}, not starting with a dot; the file is {@code
 * <directory>/<name>.depot}.
 *
 * <h2>Threads and processes</h2>
 *
 * A {@code Depot} is thread-safe; any number of processes may attach to one store (up to {@link
 * DepotOptions#maxClients()}). Each process attaches once per {@code Depot} instance and takes a client slot until
 * {@link #close()}.
 *
 * <h2>Processes that die</h2>
 *
 * A process killed at any moment is detected (pid and start time) and what it held is recovered by the others, with
 * no call and no daemon: an operation that runs into its state recovers it there and then and proceeds (a put of a
 * name it was writing, a put that finds the store full, a queue operation behind its half-made or popped entry, an
 * attach to a full client table, a lock it held); and every attached process runs a recovery sweep on a daemon
 * thread (taking turns, about twice per {@linkplain DepotOptions.Builder#recoveryInterval recovery interval} for the
 * whole store), so that its handles, claims and popped entries are given back within one interval (1 s by
 * default) even if nobody runs into them. Its uncommitted claims are aborted, its handles released (a removed object
 * it was reading is freed), its popped queue entries delivered again.
 */
public interface Depot extends AutoCloseable {
  /** The longest object name, in UTF-8 bytes. */
  int MAX_NAME_BYTES = 255;

  /** The version of a name that has no committed object (see {@link #compareAndSet}). */
  long NO_VERSION = 0;

  /**
   * Creates a store and attaches to it.
   *
   * <p>All of the file's memory is reserved ({@code posix_fallocate}) before the store becomes visible under its
   * name (it is built under a temporary name and linked into place), so other processes never see a half-made store,
   * and a {@code /dev/shm} too small for it fails here, not later. By default the creator's mapping is also
   * pre-faulted before this returns ({@link DepotOptions.Builder#prefault(Prefault)}).
   *
   * @throws StoreExistsException if a store of that name exists (two creators racing: exactly one wins)
   * @throws StoreFullException if the file system has no room for the file
   * @throws StoreAccessException if the file cannot be created or mapped
   */
  static Depot create(String name, DepotOptions options) {
    return ShmDepot.create(name, options);
  }

  /**
   * Attaches to an existing store in {@code /dev/shm}. Attaching takes milliseconds whatever the store's size: by
   * default this process's mapping is pre-faulted afterwards, by a background thread that uses idle CPU time only.
   *
   * @throws StoreNotFoundException if there is none
   * @throws CorruptStoreException if the file is not a store of this layout version, or is truncated
   */
  static Depot open(String name) {
    return ShmDepot.open(name, DepotOptions.defaults());
  }

  /**
   * Attaches to an existing store in {@code options.directory()}.
   *
   * @throws StoreNotFoundException if there is none
   * @throws CorruptStoreException if the file is not a store of this layout version, or is truncated
   */
  static Depot open(String name, DepotOptions options) {
    return ShmDepot.open(name, options);
  }

  /**
   * Attaches to the store, creating it with {@code options} if it does not exist. When processes race, one creates
   * and the others attach to what it created.
   */
  static Depot openOrCreate(String name, DepotOptions options) {
    return ShmDepot.openOrCreate(name, options);
  }

  /**
   * Unlinks the store file. Processes still attached keep using their mapping until they close; the memory is
   * returned to the system when the last one detaches. A later {@link #create} makes a new, empty store.
   *
   * @return whether a file was removed
   */
  static boolean destroy(String name, DepotOptions options) {
    return ShmDepot.destroy(name, options);
  }

  /** Whether a store file of that name exists in {@code options.directory()}. */
  static boolean exists(String name, DepotOptions options) {
    return ShmDepot.exists(name, options);
  }

  /** The store's name. */
  String name();

  /** The store file. */
  Path path();

  // ---------------------------------------------------------------- writing

  /**
   * Stores {@code value} under a new name.
   *
   * @throws ObjectExistsException if the name is committed or being written
   * @throws StoreFullException if the arena has no room
   * @throws DirectoryFullException if every descriptor is in use
   */
  void put(String name, byte[] value);

  /** Stores the remaining bytes of {@code value} (its position is not changed) under a new name. */
  void put(String name, ByteBuffer value);

  /** Stores the bytes of {@code value} under a new name. */
  void put(String name, MemorySegment value);

  /** Stores {@code value} as UTF-8 under a new name. */
  void put(String name, String value);

  /** Stores a typed array (dtype, shape and elements) under a new name. */
  void put(String name, NDArray value);

  /**
   * Stores {@code value} encoded by {@code codec} under a new name.
   *
   * @throws CodecException if the codec fails
   */
  <T> void put(String name, T value, Codec<T> codec);

  /** Stores {@code value}, atomically replacing any committed object of that name (see {@link PutMode#REPLACE}). */
  void replace(String name, byte[] value);

  /** Stores {@code value} as UTF-8, atomically replacing any committed object of that name. */
  void replace(String name, String value);

  /** Stores a typed array, atomically replacing any committed object of that name. */
  void replace(String name, NDArray value);

  /** Stores {@code value} encoded by {@code codec}, atomically replacing any committed object of that name. */
  <T> void replace(String name, T value, Codec<T> codec);

  /**
   * Allocates a block of {@code size} bytes for the writer to fill in place, reserving the name (WRITE stage).
   *
   * @throws ObjectExistsException in {@link PutMode#CREATE} mode if the name is committed or being written
   * @throws InvalidArgumentException if the size is negative or larger than the arena
   */
  WriteClaim claim(String name, long size, PutMode mode);

  /** {@link #claim(String, long, PutMode)} in {@link PutMode#CREATE} mode. */
  default WriteClaim claim(String name, long size) {
    return claim(name, size, PutMode.CREATE);
  }

  /** Allocates a typed array of {@code dtype} and {@code shape} for the writer to fill in place. */
  WriteClaim claimArray(String name, DType dtype, long[] shape, PutMode mode);

  /** {@link #claimArray(String, DType, long[], PutMode)} in {@link PutMode#CREATE} mode. */
  default WriteClaim claimArray(String name, DType dtype, long... shape) {
    return claimArray(name, dtype, shape, PutMode.CREATE);
  }

  /**
   * Stores {@code value} under {@code name} only if the committed object there has version {@code expectedVersion}
   * ({@link ObjectHandle#version()}), or none if {@code expectedVersion} is {@link #NO_VERSION}: an atomic
   * compare-and-set across all processes. Handles on the old value stay valid until closed.
   *
   * @return whether the value was stored
   */
  boolean compareAndSet(String name, long expectedVersion, byte[] value);

  /** {@link #compareAndSet(String, long, byte[])} for a UTF-8 string. */
  boolean compareAndSet(String name, long expectedVersion, String value);

  /** {@link #compareAndSet(String, long, byte[])} for a value encoded by {@code codec}. */
  <T> boolean compareAndSet(String name, long expectedVersion, T value, Codec<T> codec);

  // ---------------------------------------------------------------- queues

  /**
   * Creates a queue object: a bounded queue of up to {@code capacity} entries, each with one block per track. The
   * entries are allocated with the queue, {@code capacity} of them (each the tracks' sizes, 64-byte aligned, plus 8
   * bytes per track), and reused: producing and consuming allocate nothing.
   *
   * @return the open queue (close it when done)
   * @throws ObjectExistsException if the name is taken
   * @throws StoreFullException if the store has no room for the queue and its entries
   * @throws InvalidArgumentException if the capacity is not 1..{@value #MAX_QUEUE_CAPACITY}, there are no tracks or
   *     more than {@link Track#MAX_TRACKS}, or two tracks share a name
   */
  DepotQueue createQueue(String name, int capacity, Track... tracks);

  /**
   * {@link #createQueue(String, int, Track...)} with a policy for a full queue other than the default {@link
   * Overflow#BLOCK}.
   */
  DepotQueue createQueue(String name, int capacity, Overflow overflow, Track... tracks);

  /**
   * Opens an existing queue object.
   *
   * @throws ObjectNotFoundException if there is none
   * @throws TypeMismatchException if the object is not a queue
   */
  DepotQueue openQueue(String name);

  /**
   * Opens an existing queue object that must have been created with {@code overflow}: for code that relies on its
   * policy (a "latest values" reader expecting {@link Overflow#OVERWRITE_OLDEST}).
   *
   * @throws TypeMismatchException naming both policies if the queue has another
   */
  DepotQueue openQueue(String name, Overflow overflow);

  /** The largest queue capacity. */
  int MAX_QUEUE_CAPACITY = 1 << 24;

  // ---------------------------------------------------------------- reading

  /** The version of the committed object {@code name}, or {@link #NO_VERSION} if there is none. */
  long version(String name);

  /**
   * Opens a handle on the committed object {@code name}.
   *
   * @throws ObjectNotFoundException if there is none
   * @throws TooManyHandlesException if this process holds {@link DepotOptions#maxHandlesPerClient()} handles
   */
  ObjectHandle get(String name);

  /** Opens a handle on {@code name}, or returns empty if no such object is committed. */
  Optional<ObjectHandle> tryGet(String name);

  /**
   * Opens a handle on {@code name}, waiting up to {@code timeout} for it to be committed: the commit (by any
   * process) wakes the waiter, which spins briefly, then sleeps on a futex in the store (parks, on a virtual thread).
   *
   * @throws ObjectNotFoundException naming the timeout if it is still not committed
   * @throws DepotInterruptedException if the thread is interrupted while waiting
   */
  ObjectHandle get(String name, Duration timeout);

  /** A copy of the bytes of {@code name}. */
  default byte[] getBytes(String name) {
    try (ObjectHandle h = get(name)) {
      return h.toByteArray();
    }
  }

  /** The string {@code name}. */
  default String getString(String name) {
    try (ObjectHandle h = get(name)) {
      return h.asString();
    }
  }

  /** The value of {@code name} decoded by {@code codec}. */
  default <T> T get(String name, Codec<T> codec) {
    try (ObjectHandle h = get(name)) {
      return h.decode(codec);
    }
  }

  /** Whether an object of that name is committed. */
  boolean contains(String name);

  /**
   * Removes {@code name}: it is invisible at once; its memory is reused when the last open handle closes.
   *
   * @return whether a committed object was removed
   */
  boolean remove(String name);

  /**
   * Removes {@code name} only if its committed object still has version {@code expectedVersion} ({@link
   * ObjectHandle#version()}, {@link #version}): an atomic compare-and-remove across all processes, for removing
   * exactly what was read without dropping a newer write of the same name. Handles on it stay valid until closed.
   *
   * @return whether it was removed ({@code false} if there is none or it has another version)
   * @throws InvalidArgumentException if {@code expectedVersion} is not positive (no object has such a version)
   */
  boolean remove(String name, long expectedVersion);

  /**
   * Removes {@code name} and frees its memory at once, even if handles are open. <b>Unsafe for current
   * readers</b>: their views may then show another object's bytes. For recovery from stuck readers only.
   *
   * @return whether a committed object was removed
   */
  boolean forceRemove(String name);

  /** The committed objects, in no particular order. */
  List<ObjectInfo> list();

  /** The committed objects whose names start with {@code prefix}. */
  List<ObjectInfo> list(String prefix);

  /** Occupancy figures. */
  StoreStats stats();

  /**
   * The processes attached to the store, live and dead (a dead one is listed until it is recovered), with the claims
   * and handles each holds. Reads every descriptor and journal entry: meant for tools, not for hot paths.
   */
  List<ClientInfo> clients();

  /**
   * Walks the whole store and verifies its invariants (see {@link CheckReport}). Meant for a quiescent store; the
   * cost is linear in the store's size (every page, descriptor, bucket and journal entry).
   */
  CheckReport check();

  /**
   * Recovers now every client slot whose process is dead (pid and start time checked): takes over its locks
   * (repairing what they guard), aborts its uncommitted claims, skips its half-made queue positions, delivers its
   * popped entries again, releases its readers' pins, and frees its slot; then gives back whatever is still owned by
   * clients no slot holds. Never needed for correctness (Depot recovers on contact and by its sweep, see the class
   * comment); for tools ({@code depot fsck --recover}) and tests. Safe to call at any time from any number of
   * processes at once.
   *
   * @return the number of dead clients recovered by this call
   */
  int recoverDeadClients();

  /**
   * Detaches: waits for this instance's operations in flight, aborts its open claims, has its popped and unreleased
   * queue entries delivered again, releases its open handles (leaks, reported through {@link System.Logger}), stops
   * its pre-fault and recovery threads, frees its client slot and unmaps the file. Idempotent; operations afterwards
   * throw {@link StoreClosedException}.
   */
  @Override
  void close();
}
