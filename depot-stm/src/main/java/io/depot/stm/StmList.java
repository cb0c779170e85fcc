package io.depot.stm;

import io.depot.Codec;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A list value of one workflow, made for logs that grow at the end (chat histories, event logs,
 * scratchpads): appending one element costs the same whatever the length, reading the last {@code
 * n} reads only those, and several processes may append at once without losing an element.
 *
 * <pre>{@code
 * StmList history = stm.workflow("chat-42").list("messages");
 * history.append("hello");                      // atomic, O(1), from any process
 * List<String> recent = history.last(10, String.class);
 * history.trimToLast(100);                      // drop all but the newest 100
 * }</pre>
 *
 * <h2>Values</h2>
 *
 * Elements are encoded as {@link Workflow#put} encodes values: {@code byte[]} raw, {@code String}
 * as UTF-8, records, POJOs and maps as JSON, or by a {@link Codec}. Null elements are refused
 * ({@link InvalidValueException}).
 *
 * <h2>Namespace, lifetime</h2>
 *
 * Lists live beside the workflow's keys but apart from them: a list and a key may have the same
 * name, and {@link Workflow#keys()} does not show lists ({@link Workflow#lists()} does). {@link
 * Workflow#clear()} and {@link Workflow#end()} remove the lists with the keys, and a workflow TTL
 * bounds every list; a list may also have its own TTL ({@link #expireAfter}), which appends and
 * trims keep. An empty list is an absent one: it has no TTL, and an expired list reads as empty;
 * appending to either starts it afresh.
 *
 * <h2>Guarantees</h2>
 *
 * Every method is atomic and linearizable across threads and processes, except {@link #appendAll},
 * which appends each element atomically and in order but may interleave with other appends.
 * Concurrent appends never lose an element. A handle is cheap and thread-safe; it holds no
 * resource.
 */
public interface StmList {
  /** {@return the list's name within its workflow} */
  String key();

  /** {@return the workflow this list belongs to} */
  String workflowId();

  /**
   * Appends {@code value} at the end, starting the workflow (with its default TTL) and the list if
   * needed.
   *
   * @param value the value (JSON-encoded unless bytes, a string or an array)
   * @return the length of the list right after this append
   * @throws InvalidValueException if {@code value} is null
   * @throws ValueTooLargeException if its encoding exceeds {@link StmOptions#maxValueBytes()}
   */
  long append(Object value);

  /**
   * Appends {@code value} encoded by {@code codec}; returns the length right after this append.
   *
   * @param <T> the value's type
   * @param value the value
   * @param codec the codec that encodes and decodes the value
   * @return the length right after this append
   */
  <T> long append(T value, Codec<T> codec);

  /**
   * Appends every element, each atomically and in order (appends of other writers may come between
   * two of them). Nothing is appended if one of them cannot be encoded.
   *
   * @param values the values to append, in order
   * @return the length of the list right after the last element was appended (the current length if
   *     none)
   */
  long appendAll(List<?> values);

  /** {@return the number of elements (0 if absent)} */
  long size();

  /** {@return whether the list has no element} */
  default boolean isEmpty() {
    return size() == 0;
  }

  /** {@return every element, oldest first, decoded as by {@link Workflow#get(String)}} */
  List<Object> all();

  /**
   * {@return every element, oldest first, decoded into {@code type}}
   *
   * @param <T> the elements' type
   * @param type the class to decode into
   */
  <T> List<T> all(Class<T> type);

  /**
   * {@return the newest {@code n} elements (fewer if the list is shorter), oldest first, decoded
   * into {@code type}} Reads only those elements.
   *
   * @param <T> the elements' type
   * @param n how many elements at most
   * @param type the class to decode into
   * @throws io.depot.InvalidArgumentException if {@code n} is negative
   */
  <T> List<T> last(int n, Class<T> type);

  /**
   * {@return the newest {@code n} elements, oldest first, decoded by {@code codec}}
   *
   * @param <T> the elements' type
   * @param n how many elements at most
   * @param codec the codec that decodes the elements
   */
  <T> List<T> last(int n, Codec<T> codec);

  /**
   * Removes all but the newest {@code n} elements ({@code 0}: every element). Elements appended
   * while it runs are kept (they count as appended after it).
   *
   * @param n how many elements to keep
   * @return the number of elements removed
   * @throws io.depot.InvalidArgumentException if {@code n} is negative
   */
  long trimToLast(long n);

  /**
   * Replaces the whole list by {@code values} atomically: every reader sees the old list or the new
   * one. An empty {@code values} removes the list. The list's TTL is kept if the new list has
   * elements. An append racing with it lands in the old list (and is replaced) or in the new one.
   *
   * @param values the new elements, in order
   */
  void replaceAll(List<?> values);

  /**
   * Removes the list and its TTL; returns whether it had elements.
   *
   * @return whether it had elements
   */
  boolean delete();

  /**
   * Makes the list expire {@code ttl} from now (or with its workflow, if sooner); appends, trims
   * and replacements keep the deadline.
   *
   * @param ttl the time to live from now
   * @return whether it took effect: false if the list is absent (an empty list has no TTL)
   * @throws io.depot.InvalidArgumentException if {@code ttl} is not positive
   */
  boolean expireAfter(Duration ttl);

  /**
   * Removes the list's own TTL (the workflow's still bounds it); returns whether the list had one.
   *
   * @return whether the list had one
   */
  boolean persist();

  /**
   * {@return the time left before the list expires on its own TTL, or empty if it has none (or is
   * absent)}
   */
  Optional<Duration> ttl();
}
