package io.depot.stm.spi;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/**
 * A backend's view of one list value of a workflow (see {@link io.depot.stm.StmList} for the
 * contract). Elements are already encoded; every method is atomic and linearizable across
 * processes, except {@link #append} of several elements, which appends each atomically and in
 * order. Concurrent appends never lose an element. An empty list is absent (no TTL). Thread-safe
 * and cheap: it holds no resource.
 */
public interface BackendList {
  /**
   * Appends {@code values} in order, starting the workflow (with its default TTL) and the list if
   * needed.
   *
   * @param values the values to append, in order
   * @return the list's length right after the last of them was appended
   * @throws io.depot.stm.ValueTooLargeException if the backend can never hold one of them
   */
  long append(List<EncodedValue> values);

  /** {@return the number of elements} */
  long size();

  /**
   * {@return the newest {@code n} elements, oldest first, each to be closed by the caller (on
   * shared memory they are the store's memory, pinned)} All of them belong to one state of the
   * list.
   *
   * @param n how many elements at most
   */
  List<StoredValue> last(long n);

  /**
   * Removes all but the newest {@code n}; returns how many it removed.
   *
   * @param n how many elements to keep
   * @return how many it removed
   */
  long trimToLast(long n);

  /**
   * Replaces every element by {@code values} at once (removes the list if empty), keeping its TTL
   * if not empty.
   *
   * @param values the new elements, in order
   */
  void replaceAll(List<EncodedValue> values);

  /**
   * Removes the list; returns whether it had elements.
   *
   * @return whether it had elements
   */
  boolean delete();

  /**
   * Sets the list's own deadline to now + {@code ttl}; returns false if the list is absent.
   *
   * @param ttl the time to live from now
   * @return false if the list is absent
   */
  boolean expireAfter(Duration ttl);

  /**
   * Removes the list's own deadline; returns whether it had one.
   *
   * @return whether it had one
   */
  boolean persist();

  /**
   * Milliseconds left before the list's own deadline, or empty if it has none or is absent.
   *
   * @return the milliseconds left, or empty
   */
  OptionalLong ttlMillis();
}
