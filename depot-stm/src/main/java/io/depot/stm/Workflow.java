package io.depot.stm;

import io.depot.Codec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * The short-term memory of one workflow instance: a map from keys to values, shared by every worker
 * that opens the same memory, with per-key atomic updates, TTLs, and an explicit end.
 *
 * <h2>Values</h2>
 *
 * <ul>
 *   <li>{@code byte[]} (and {@link java.lang.foreign.MemorySegment}) are stored as raw bytes,
 *       {@code String} as UTF-8, {@link io.depot.NDArray} as a typed array (zero-copy through
 *       {@link #read} on shared memory);
 *   <li>anything else (records, POJOs, maps, lists, numbers, booleans) as JSON, readable from any
 *       language;
 *   <li>with {@link #put(String, Object, Codec)}, any codec's bytes. Java serialization is never
 *       used.
 * </ul>
 *
 * {@link #get(String)} returns JSON as plain maps, lists, strings, numbers and booleans; {@link
 * #get(String, Class)} decodes into the named type. Null values are refused ({@link
 * InvalidValueException}); absent keys read as null.
 *
 * <h2>Keys and ids</h2>
 *
 * Any non-empty string of valid UTF-16, up to {@link ShortTermMemory#MAX_ID_BYTES} bytes in UTF-8:
 * slashes, unicode, very long strings and separators never make two keys or two workflows collide.
 *
 * <h2>Expiry and end</h2>
 *
 * A workflow may have a TTL ({@link #expireAfter}, or {@link StmOptions#defaultTtl()} at its first
 * write) and each key its own ({@link #put(String, Object, Duration)}). Expired data is invisible
 * at once and reclaimed lazily or by {@link ShortTermMemory#sweepExpired()}; writing to an expired
 * workflow starts it afresh. {@link #clear()} removes every key atomically; {@link #end()} also
 * drops the TTL and closes this scope.
 *
 * <h2>Threads</h2>
 *
 * A scope is thread-safe. {@link #close()} only retires this scope object (data stays for other
 * workers); afterwards its methods throw {@link WorkflowClosedException}.
 */
public interface Workflow extends AutoCloseable {
  /** The version of an absent key. */
  long NO_VERSION = 0;

  /** {@return the workflow instance id} */
  String id();

  // ---------------------------------------------------------------- reading

  /**
   * {@return the value of {@code key} as stored (JSON as maps, lists, strings, numbers, booleans),
   * or null if absent}
   *
   * @param key the key
   */
  @Nullable Object get(String key);

  /**
   * {@return the value of {@code key} decoded into {@code type}, or null if absent} JSON decodes
   * into any type Jackson can build (records, POJOs, {@code Map}, boxed scalars); bytes read as
   * {@code byte[]}, strings as {@code String}, arrays as {@link io.depot.NDArray} (a heap copy; see
   * {@link #read} for zero-copy).
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the class to decode into
   * @throws io.depot.TypeMismatchException if the stored kind cannot become {@code type} (e.g.
   *     bytes as a record)
   * @throws io.depot.CodecException naming the type if the JSON does not decode into it
   */
  <T> @Nullable T get(String key, Class<T> type);

  /**
   * {@return the value of {@code key} decoded by {@code codec}, or null if absent}
   *
   * @param <T> the value's type
   * @param key the key
   * @param codec the codec that encodes and decodes the value
   */
  <T> @Nullable T get(String key, Codec<T> codec);

  /**
   * {@return the value of {@code key} decoded into {@code type}, or {@code defaultValue} if absent}
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the class to decode into
   * @param defaultValue the value if {@code key} is absent
   */
  <T> T getOrDefault(String key, Class<T> type, T defaultValue);

  /**
   * {@return the value and its version, for {@link #compareAndSet}; version {@link #NO_VERSION} and
   * null if absent}
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the class to decode into
   */
  <T> Versioned<T> getVersioned(String key, Class<T> type);

  /**
   * {@return the version of {@code key}, or {@link #NO_VERSION} if absent}
   *
   * @param key the key
   */
  long version(String key);

  /**
   * {@return a view of the stored value (zero-copy on shared memory) to be closed after use, or
   * empty if absent}
   *
   * <pre>{@code
   * try (StmValue v = wf.read("embedding").orElseThrow()) {
   *   NDArray a = v.asArray(); // the store's memory, valid until close
   * }
   * }</pre>
   *
   * @param key the key
   */
  Optional<StmValue> read(String key);

  /**
   * {@return whether {@code key} is present}
   *
   * @param key the key
   */
  boolean contains(String key);

  /** {@return the present keys (a snapshot)} */
  Set<String> keys();

  /** {@return the present values, decoded as by {@link #get(String)} (a snapshot)} */
  List<Object> values();

  /**
   * {@return the present entries, decoded as by {@link #get(String)}, in no particular order (a
   * snapshot)}
   */
  Map<String, Object> entries();

  /**
   * {@return the present entries decoded into {@code type} (a snapshot)}
   *
   * @param <T> the value's type
   * @param type the class to decode into
   */
  <T> Map<String, T> entries(Class<T> type);

  /** {@return the number of present keys} */
  int size();

  /** {@return whether no key is present} */
  default boolean isEmpty() {
    return size() == 0;
  }

  // ---------------------------------------------------------------- writing

  /**
   * Stores {@code value} under {@code key}, replacing any value (and its key TTL); one key is
   * written, nothing else.
   *
   * @param key the key
   * @param value the value (JSON-encoded unless bytes, a string or an array)
   * @throws InvalidValueException if {@code value} is null
   * @throws io.depot.CodecException naming the class if it cannot be encoded
   * @throws ValueTooLargeException if the encoding exceeds {@link StmOptions#maxValueBytes()}
   */
  void put(String key, Object value);

  /**
   * Stores {@code value} under {@code key}, to expire after {@code ttl} (or with the workflow, if
   * sooner).
   *
   * @param key the key
   * @param value the value
   * @param ttl the key's time to live
   */
  void put(String key, Object value, Duration ttl);

  /**
   * Stores {@code value} encoded by {@code codec}.
   *
   * @param <T> the value's type
   * @param key the key
   * @param value the value
   * @param codec the codec that encodes and decodes the value
   */
  <T> void put(String key, T value, Codec<T> codec);

  /**
   * Stores {@code value} only if {@code key} is absent; returns whether it did.
   *
   * @param key the key
   * @param value the value
   * @return whether it stored it
   */
  boolean putIfAbsent(String key, Object value);

  /**
   * Stores every entry (each key atomically; the batch as a whole is not atomic).
   *
   * @param values the entries to store
   */
  void putAll(Map<String, ?> values);

  /**
   * Stores {@code newValue} only if {@code key} still has {@code expectedVersion} ({@link
   * #NO_VERSION}: only if absent), keeping its key TTL. Atomic across processes.
   *
   * @param key the key
   * @param expectedVersion the version {@code key} must still have
   * @param newValue the value to store
   * @return whether it was stored
   */
  boolean compareAndSet(String key, long expectedVersion, Object newValue);

  /**
   * Atomically replaces the value of {@code key} by {@code fn(current)} ({@code current} is null if
   * absent; a null result removes the key), retrying with back-off when another writer got in
   * between, so no update is lost. The key TTL is kept. {@code fn} may run several times and must
   * have no side effects.
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the class to decode into
   * @param fn computes the new value from the current one
   * @return the new value
   */
  <T> @Nullable T update(String key, Class<T> type, UnaryOperator<T> fn);

  /**
   * {@link #update(String, Class, UnaryOperator)} with a codec.
   *
   * @param <T> the value's type
   * @param key the key
   * @param codec the codec that encodes and decodes the value
   * @param fn computes the new value from the current one
   * @return the new value
   */
  <T> @Nullable T update(String key, Codec<T> codec, UnaryOperator<T> fn);

  /**
   * Removes {@code key}; returns whether it was present.
   *
   * @param key the key
   * @return whether it was present
   */
  boolean remove(String key);

  /**
   * Atomically removes {@code key} and returns its value as by {@link #get(String)}, or null if
   * absent.
   *
   * @param key the key
   * @return the value, or null if absent
   */
  @Nullable Object pop(String key);

  /**
   * Atomically removes {@code key} and returns its value decoded into {@code type}, or null if
   * absent.
   *
   * @param <T> the value's type
   * @param key the key
   * @param type the class to decode into
   * @return the value, or null if absent
   */
  <T> @Nullable T pop(String key, Class<T> type);

  /**
   * Removes every key, atomically: no reader sees part of the old keys afterwards. The workflow TTL
   * stays.
   */
  void clear();

  // ---------------------------------------------------------------- lists

  /**
   * {@return the list value {@code key} of this workflow: append-friendly, in a namespace apart
   * from the keys (see {@link StmList})} Cheap: nothing shared is allocated until the first append.
   *
   * @param key the list's key
   * @throws InvalidKeyException if {@code key} is null, empty, not valid UTF-16 or too long
   */
  StmList list(String key);

  /** {@return the names of the lists that have elements (a snapshot)} */
  Set<String> lists();

  // ---------------------------------------------------------------- lifetime

  /**
   * Makes the whole workflow expire {@code ttl} from now (keys with an earlier key TTL expire
   * earlier).
   *
   * @param ttl the time to live from now
   */
  void expireAfter(Duration ttl);

  /** Removes the workflow TTL (key TTLs stay). */
  void persist();

  /** {@return the time left before the workflow expires, or empty if it has no TTL (or no data)} */
  Optional<Duration> ttl();

  /**
   * Ends the workflow: removes every key and its TTL, and closes this scope. Other scopes may start
   * it afresh.
   */
  void end();

  /**
   * {@return a {@code Map} view backed by this workflow: {@code get}/{@code put}/{@code
   * remove}/{@code containsKey} go straight through; iteration, {@code size} and {@code equals}
   * work on snapshots} Null keys and values are refused.
   */
  Map<String, Object> asMap();

  /** Retires this scope object; stored data stays. Idempotent. */
  @Override
  void close();
}
