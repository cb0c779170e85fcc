package io.depot.stm.spi;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A backend's view of one workflow. Keys are already checked (non-empty, valid UTF-16, within the
 * size limit); values are already encoded. Every single-key method is atomic and linearizable
 * across processes. Thread-safe.
 *
 * <p>Versions are positive, differ for every write of a key, and are never reused for the same key
 * while the workflow lives (no ABA), so a compare-and-set with an old version fails.
 */
public interface BackendWorkflow {
  /** {@code expectedVersion} of an unconditional write. */
  long ANY_VERSION = -1;

  /** The version of an absent key. */
  long NO_VERSION = 0;

  /**
   * {@return the stored value of {@code key}, to be closed by the caller, or null if absent or
   * expired}
   *
   * @param key the key (already checked)
   */
  @Nullable StoredValue read(String key);

  /**
   * {@return the version of {@code key}, or {@link #NO_VERSION}}
   *
   * @param key the key (already checked)
   */
  long version(String key);

  /**
   * {@return whether {@code key} is present and not expired}
   *
   * @param key the key (already checked)
   */
  boolean contains(String key);

  /** {@return the present keys (weakly consistent)} */
  List<String> keys();

  /** {@return the number of present keys (weakly consistent)} */
  default int size() {
    return keys().size();
  }

  /**
   * Calls {@code action} with every present entry (weakly consistent); each value is valid only
   * during its call. The default reads key by key; backends with a cheaper bulk read override it.
   *
   * @param action called with each key and its value
   */
  default void forEach(BiConsumer<String, StoredValue> action) {
    for (String key : keys()) {
      try (StoredValue v = read(key)) {
        if (v != null) {
          action.accept(key, v);
        }
      }
    }
  }

  /**
   * Writes {@code value} under {@code key} if its version is {@code expectedVersion} ({@link
   * #ANY_VERSION}: unconditionally; {@link #NO_VERSION}: only if absent), starting the workflow
   * (with the default TTL) if it has no data or has expired.
   *
   * @param key the key (already checked)
   * @param value the encoded value
   * @param ttl the key's own TTL
   * @param expectedVersion the version {@code key} must have
   * @return whether it was written ({@code false} only if the expected version did not match)
   * @throws io.depot.stm.ValueTooLargeException if the backend can never hold the value
   */
  boolean write(String key, EncodedValue value, KeyTtl ttl, long expectedVersion);

  /**
   * Removes {@code key}; returns whether it was present.
   *
   * @param key the key (already checked)
   * @return whether it was present
   */
  boolean remove(String key);

  /**
   * Removes {@code key} only if its version is {@code expectedVersion}; returns whether it did.
   *
   * @param key the key (already checked)
   * @param expectedVersion the version {@code key} must have
   * @return whether it removed it
   */
  boolean removeIf(String key, long expectedVersion);

  /** Removes every key at once; the workflow TTL stays. */
  void clear();

  /** Removes every key and the workflow's metadata (TTL). */
  void end();

  /**
   * Sets the workflow's deadline to now + {@code ttl}, starting the workflow if it has no data.
   *
   * @param ttl the time to live from now
   */
  void expireAfter(Duration ttl);

  /** Removes the workflow's deadline. */
  void persist();

  /**
   * Milliseconds left before the workflow expires, or empty if it has no deadline or no data.
   *
   * @return the milliseconds left, or empty
   */
  OptionalLong ttlMillis();

  /**
   * {@return the list value {@code key} of this workflow (a namespace apart from the keys); {@code
   * key} is already checked} Cheap: it allocates nothing shared. Backends without lists keep this
   * default, which refuses.
   *
   * @param key the list's key (already checked)
   * @throws io.depot.stm.StmException if the backend has no list values
   */
  default BackendList list(String key) {
    throw new io.depot.stm.StmException("this backend has no list values: " + getClass().getName());
  }

  /** {@return the names of the lists that have elements (weakly consistent)} */
  default List<String> lists() {
    return List.of();
  }
}
