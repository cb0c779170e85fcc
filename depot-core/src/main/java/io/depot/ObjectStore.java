package io.depot;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The object store's operations that hold on every backend: named objects with versions (put,
 * replace, compare-and-set, get, remove, list) and bounded queues of multi-track entries. {@link
 * Depot} is the shared-memory store (one machine, zero copy); {@link Depot#open(java.net.URI)}
 * opens any backend by URI: {@code shm:NAME}, or {@code redis://host:port/db} with {@code
 * depot-redis} on the class path (processes on several machines).
 *
 * <h2>What holds on every backend</h2>
 *
 * Names and their limits, value kinds (bytes, strings, typed arrays with dtype and shape, encoded
 * values), versions ({@link ObjectHandle#version()} changes with every commit of a name, {@link
 * #compareAndSet} and {@link #remove(String, long)} are atomic across all processes and machines),
 * the exceptions, and the queue contract of {@link DepotQueue} (at-least-once delivery of popped
 * entries, re-delivered when their consumer dies).
 *
 * <h2>What differs</h2>
 *
 * <ul>
 *   <li>Zero copy is a shared-memory property. On Redis a handle holds a <em>copy</em> taken by
 *       {@link #get}: its {@link ObjectHandle#segment()} is a read-only heap segment, valid after
 *       the object is removed, and holding it pins nothing on the server. A {@link WriteClaim} is a
 *       heap buffer sent at commit.
 *   <li>Latency: a shared-memory operation costs nanoseconds to microseconds; on Redis each is one
 *       or more round trips (tens of microseconds on loopback).
 *   <li>{@link StoreStats}: on Redis the arena, directory and client figures are 0; objects, queue
 *       entries and the operation counters are filled.
 *   <li>Waiting for an object ({@link #get(String, Duration)}) sleeps on a futex in shared memory;
 *       on Redis it polls with a back-off (1 to 50 ms).
 * </ul>
 *
 * <p>Implementations are thread-safe and {@link AutoCloseable}; {@code close()} is idempotent and
 * later operations throw {@link StoreClosedException}.
 */
public interface ObjectStore extends AutoCloseable {
  /** The longest object name, in UTF-8 bytes. */
  int MAX_NAME_BYTES = 255;

  /** The version of a name that has no committed object (see {@link #compareAndSet}). */
  long NO_VERSION = 0;

  /** The largest queue capacity. */
  int MAX_QUEUE_CAPACITY = 1 << 24;

  /** {@return the store's name (for Redis, its key prefix)} */
  String name();

  // ---------------------------------------------------------------- writing

  /**
   * Stores {@code value} under a new name.
   *
   * @param name the object's name
   * @param value the bytes
   * @throws ObjectExistsException if the name is committed or being written
   * @throws StoreFullException if the arena has no room
   * @throws DirectoryFullException if every descriptor is in use
   */
  void put(String name, byte[] value);

  /**
   * Stores the remaining bytes of {@code value} (its position is not changed) under a new name.
   *
   * @param name the object's name
   * @param value the bytes
   */
  void put(String name, ByteBuffer value);

  /**
   * Stores the bytes of {@code value} under a new name.
   *
   * @param name the object's name
   * @param value the bytes
   */
  void put(String name, MemorySegment value);

  /**
   * Stores {@code value} as UTF-8 under a new name.
   *
   * @param name the object's name
   * @param value the string
   */
  void put(String name, String value);

  /**
   * Stores a typed array (dtype, shape and elements) under a new name.
   *
   * @param name the object's name
   * @param value the array
   */
  void put(String name, NDArray value);

  /**
   * Stores {@code value} encoded by {@code codec} under a new name.
   *
   * @param <T> the value's type
   * @param name the object's name
   * @param value the value
   * @param codec the codec that encodes it
   * @throws CodecException if the codec fails
   */
  <T> void put(String name, T value, Codec<T> codec);

  /**
   * Stores {@code value}, atomically replacing any committed object of that name (see {@link
   * PutMode#REPLACE}).
   *
   * @param name the object's name
   * @param value the bytes
   */
  void replace(String name, byte[] value);

  /**
   * Stores {@code value} as UTF-8, atomically replacing any committed object of that name.
   *
   * @param name the object's name
   * @param value the string
   */
  void replace(String name, String value);

  /**
   * Stores a typed array, atomically replacing any committed object of that name.
   *
   * @param name the object's name
   * @param value the array
   */
  void replace(String name, NDArray value);

  /**
   * Stores {@code value} encoded by {@code codec}, atomically replacing any committed object of
   * that name.
   *
   * @param <T> the value's type
   * @param name the object's name
   * @param value the value
   * @param codec the codec that encodes it
   */
  <T> void replace(String name, T value, Codec<T> codec);

  /**
   * Allocates a block of {@code size} bytes for the writer to fill in place, reserving the name
   * (WRITE stage).
   *
   * @param name the object's name
   * @param size the value's size in bytes
   * @param mode whether the commit creates the name or replaces an object of it
   * @return the claim; commit or close it
   * @throws ObjectExistsException in {@link PutMode#CREATE} mode if the name is committed or being
   *     written
   * @throws InvalidArgumentException if the size is negative or larger than the arena
   */
  WriteClaim claim(String name, long size, PutMode mode);

  /**
   * {@link #claim(String, long, PutMode)} in {@link PutMode#CREATE} mode.
   *
   * @param name the object's name
   * @param size the value's size in bytes
   * @return the claim; commit or close it
   */
  default WriteClaim claim(String name, long size) {
    return claim(name, size, PutMode.CREATE);
  }

  /**
   * Allocates a typed array of {@code dtype} and {@code shape} for the writer to fill in place.
   *
   * @param name the object's name
   * @param dtype the element type
   * @param shape the array's shape
   * @param mode whether the commit creates the name or replaces an object of it
   * @return the claim; commit or close it
   */
  WriteClaim claimArray(String name, DType dtype, long[] shape, PutMode mode);

  /**
   * {@link #claimArray(String, DType, long[], PutMode)} in {@link PutMode#CREATE} mode.
   *
   * @param name the object's name
   * @param dtype the element type
   * @param shape the array's shape
   * @return the claim; commit or close it
   */
  default WriteClaim claimArray(String name, DType dtype, long... shape) {
    return claimArray(name, dtype, shape, PutMode.CREATE);
  }

  /**
   * Stores {@code value} under {@code name} only if the committed object there has version {@code
   * expectedVersion} ({@link ObjectHandle#version()}), or none if {@code expectedVersion} is {@link
   * #NO_VERSION}: an atomic compare-and-set across all processes. Handles on the old value stay
   * valid until closed.
   *
   * @param name the object's name
   * @param expectedVersion the version the committed object must have ({@link #NO_VERSION}: none
   *     may be committed)
   * @param value the bytes
   * @return whether the value was stored
   */
  boolean compareAndSet(String name, long expectedVersion, byte[] value);

  /**
   * {@link #compareAndSet(String, long, byte[])} for a UTF-8 string.
   *
   * @param name the object's name
   * @param expectedVersion the version the committed object must have
   * @param value the string
   * @return whether the value was stored
   */
  boolean compareAndSet(String name, long expectedVersion, String value);

  /**
   * {@link #compareAndSet(String, long, byte[])} for a value encoded by {@code codec}.
   *
   * @param <T> the value's type
   * @param name the object's name
   * @param expectedVersion the version the committed object must have
   * @param value the value
   * @param codec the codec that encodes it
   * @return whether the value was stored
   */
  <T> boolean compareAndSet(String name, long expectedVersion, T value, Codec<T> codec);

  // ---------------------------------------------------------------- queues

  /**
   * Creates a queue object: a bounded queue of up to {@code capacity} entries, each with one block
   * per track. The entries are allocated with the queue, {@code capacity} of them (each the tracks'
   * sizes, 64-byte aligned, plus 8 bytes per track), and reused: producing and consuming allocate
   * nothing.
   *
   * @param name the queue's name
   * @param capacity the most entries it holds at once
   * @param tracks the layout of every entry
   * @return the open queue (close it when done)
   * @throws ObjectExistsException if the name is taken
   * @throws StoreFullException if the store has no room for the queue and its entries
   * @throws InvalidArgumentException if the capacity is not 1..{@value #MAX_QUEUE_CAPACITY}, there
   *     are no tracks or more than {@link Track#MAX_TRACKS}, or two tracks share a name
   */
  DepotQueue createQueue(String name, int capacity, Track... tracks);

  /**
   * {@link #createQueue(String, int, Track...)} with a policy for a full queue other than the
   * default {@link Overflow#BLOCK}.
   *
   * @param name the queue's name
   * @param capacity the most entries it holds at once
   * @param overflow what a push on a full queue does
   * @param tracks the layout of every entry
   * @return the open queue (close it when done)
   */
  DepotQueue createQueue(String name, int capacity, Overflow overflow, Track... tracks);

  /**
   * Opens an existing queue object.
   *
   * @param name the queue's name
   * @return the open queue (close it when done)
   * @throws ObjectNotFoundException if there is none
   * @throws TypeMismatchException if the object is not a queue
   */
  DepotQueue openQueue(String name);

  /**
   * Opens an existing queue object that must have been created with {@code overflow}: for code that
   * relies on its policy (a "latest values" reader expecting {@link Overflow#OVERWRITE_OLDEST}).
   *
   * @param name the queue's name
   * @param overflow what a push on a full queue does
   * @return the open queue (close it when done)
   * @throws TypeMismatchException naming both policies if the queue has another
   */
  DepotQueue openQueue(String name, Overflow overflow);

  // ---------------------------------------------------------------- reading

  /**
   * {@return the version of the committed object {@code name}, or {@link #NO_VERSION} if there is
   * none}
   *
   * @param name the object's name
   */
  long version(String name);

  /**
   * Opens a handle on the committed object {@code name}.
   *
   * @param name the object's name
   * @return the handle; close it
   * @throws ObjectNotFoundException if there is none
   * @throws TooManyHandlesException if this process holds {@link
   *     DepotOptions#maxHandlesPerClient()} handles
   */
  ObjectHandle get(String name);

  /**
   * Opens a handle on {@code name}, or returns empty if no such object is committed.
   *
   * @param name the object's name
   * @return the handle (close it), or empty
   */
  Optional<ObjectHandle> tryGet(String name);

  /**
   * Opens a handle on {@code name}, waiting up to {@code timeout} for it to be committed: the
   * commit (by any process) wakes the waiter, which spins briefly, then sleeps on a futex in the
   * store (parks, on a virtual thread).
   *
   * @param name the object's name
   * @param timeout how long to wait at most
   * @return the handle; close it
   * @throws ObjectNotFoundException naming the timeout if it is still not committed
   * @throws DepotInterruptedException if the thread is interrupted while waiting
   */
  ObjectHandle get(String name, Duration timeout);

  /**
   * {@return a copy of the bytes of {@code name}}
   *
   * <p>On shared memory a value of up to 64 KiB is copied out without a handle (it takes no pin and
   * counts against no handle limit): the copy is checked against a concurrent replace or remove
   * afterwards and taken again if one happened. For a small value that makes it faster than {@link
   * #get(String)} and {@code close}.
   *
   * @param name the object's name
   * @throws ObjectNotFoundException if there is none
   */
  default byte[] getBytes(String name) {
    try (ObjectHandle h = get(name)) {
      return h.toByteArray();
    }
  }

  /**
   * {@return the string {@code name}} (copied out as by {@link #getBytes})
   *
   * @param name the object's name
   * @throws ObjectNotFoundException if there is none
   * @throws TypeMismatchException if the object is not a string
   */
  default String getString(String name) {
    try (ObjectHandle h = get(name)) {
      return h.asString();
    }
  }

  /**
   * {@return the value of {@code name} decoded by {@code codec}}
   *
   * @param <T> the value's type
   * @param name the object's name
   * @param codec the codec that decodes it
   */
  default <T> T get(String name, Codec<T> codec) {
    try (ObjectHandle h = get(name)) {
      return h.decode(codec);
    }
  }

  /**
   * {@return whether an object of that name is committed}
   *
   * @param name the object's name
   */
  boolean contains(String name);

  /**
   * Removes {@code name}: it is invisible at once; its memory is reused when the last open handle
   * closes.
   *
   * @param name the object's name
   * @return whether a committed object was removed
   */
  boolean remove(String name);

  /**
   * Removes {@code name} only if its committed object still has version {@code expectedVersion}
   * ({@link ObjectHandle#version()}, {@link #version}): an atomic compare-and-remove across all
   * processes, for removing exactly what was read without dropping a newer write of the same name.
   * Handles on it stay valid until closed.
   *
   * @param name the object's name
   * @param expectedVersion the version it must have
   * @return whether it was removed ({@code false} if there is none or it has another version)
   * @throws InvalidArgumentException if {@code expectedVersion} is not positive (no object has such
   *     a version)
   */
  boolean remove(String name, long expectedVersion);

  /** {@return the committed objects, in no particular order} */
  List<ObjectInfo> list();

  /**
   * {@return the committed objects whose names start with {@code prefix}}
   *
   * @param prefix the start of the names to list ({@code ""}: all)
   */
  List<ObjectInfo> list(String prefix);

  /**
   * Occupancy figures.
   *
   * @return the figures, read now
   */
  StoreStats stats();

  /**
   * Detaches from the store. Idempotent; operations afterwards throw {@link StoreClosedException}.
   */
  @Override
  void close();
}
