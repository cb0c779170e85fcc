package io.depot;

/**
 * What a producer does when it finds its queue full: the queue's policy, fixed when the queue is
 * created ({@link Depot#createQueue(String, int, Overflow, Track...)}) and reported by {@link
 * DepotQueue#overflow()}.
 *
 * <p>The {@code try} forms ({@link DepotQueue#tryPush}, {@link DepotQueue#tryCreateEntry}) never
 * wait under any policy: they report a full queue by their result ({@link DepotQueue#FULL}, an
 * empty {@code Optional}).
 */
public enum Overflow {
  /**
   * The default: {@link DepotQueue#push(java.time.Duration, java.lang.foreign.MemorySegment...)}
   * and {@link DepotQueue#createEntry} wait up to their timeout for room, then throw {@link
   * DepotTimeoutException}.
   */
  BLOCK,
  /**
   * Fail at once: {@code push(timeout, ...)} returns {@link DepotQueue#FULL} without waiting, and
   * {@code createEntry(timeout)} throws {@link QueueFullException}. For producers that must never
   * stall (shed load instead).
   */
  FAIL,
  /**
   * Overwrite the oldest entry not yet popped: a push to a full queue drops that entry (consumers
   * never see it; the sequence numbers they pop skip it; {@link DepotQueue#dropped()} counts it)
   * and takes its place. A "latest values" stream of observations, read by {@link
   * DepotQueue#subscribe() cursors} or {@link DepotQueue#readLatest()}. An entry that cannot be
   * dropped — popped and not yet released, or held by a reader in place — is waited for as under
   * {@link #BLOCK} (the {@code try} forms report the queue full).
   */
  OVERWRITE_OLDEST
}
