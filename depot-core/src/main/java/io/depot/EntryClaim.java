package io.depot;

import java.lang.foreign.MemorySegment;

/**
 * A queue entry in the WRITE stage: its position in the queue is reserved and its tracks allocated;
 * the writer fills the tracks in place and {@link #commit() commits}. Consumers see entries in the
 * order their positions were claimed, so a claim holds back the entries behind it until it is
 * committed or aborted: keep claims short. Closing an uncommitted claim aborts it (its position is
 * skipped). If the writer's process dies, the claim is skipped.
 *
 * <p>Like {@code malloc}, the tracks' memory is not cleared: it holds whatever an earlier entry
 * left there, unless the store was opened with {@link DepotOptions.Builder#zeroClaims(boolean)
 * zeroClaims}. A byte track is read back at its full size unless {@link #setLength} says how many
 * bytes were written ({@link DepotQueue#push} does).
 */
public interface EntryClaim extends AutoCloseable {
  /**
   * {@return the entry's sequence number (on Redis -1 until {@link #commit()}: a claim there holds
   * no position)}
   */
  long sequence();

  /**
   * Track {@code index}'s writable bytes.
   *
   * @param index the track's index
   * @return the writable bytes
   * @throws HandleClosedException after commit or abort
   */
  MemorySegment track(int index);

  /**
   * Track {@code name}'s writable bytes.
   *
   * @param name the track's name
   * @return the writable bytes
   */
  MemorySegment track(String name);

  /**
   * Records that the first {@code length} bytes of byte track {@code index} hold the value: readers
   * see a segment of that length. Without it a byte track is read at its full size.
   *
   * @param index the track's index
   * @param length the value's length in bytes
   * @throws InvalidArgumentException if {@code length} is negative or larger than the track
   * @throws TypeMismatchException if the track holds an array (always its full size)
   * @throws HandleClosedException after commit or abort
   */
  void setLength(int index, long length);

  /**
   * {@link #setLength(int, long)} for track {@code name}.
   *
   * @param name the track's name
   * @param length the value's length in bytes
   */
  void setLength(String name, long length);

  /**
   * Array track {@code index} as a writable typed view.
   *
   * @param index the track's index
   * @return the writable array
   */
  MutableNDArray array(int index);

  /**
   * Array track {@code name} as a writable typed view.
   *
   * @param name the track's name
   * @return the writable array
   */
  MutableNDArray array(String name);

  /**
   * Array track {@code index} as a writable typed view of shape {@code shape}, which this entry
   * records: readers see an array of that shape. For a {@link Track#arrayUpTo variable-shape} track
   * any shape of at most its maximum element count; for a fixed array track, its own shape only.
   * Without this call a variable-shape track holds a 1-D array of its maximum element count.
   *
   * @param index the track's index
   * @param shape the entry's shape for the track
   * @return the writable array
   * @throws InvalidArgumentException naming the shape if it has more elements than the track's
   *     maximum, a negative extent or more than {@value NDArray#MAX_DIMS} dimensions
   * @throws TypeMismatchException if the track holds raw bytes, or is a fixed array of another
   *     shape
   */
  MutableNDArray array(int index, long... shape);

  /**
   * {@link #array(int, long...)} for track {@code name}.
   *
   * @param name the track's name
   * @param shape the entry's shape for the track
   * @return the writable array
   */
  MutableNDArray array(String name, long... shape);

  /**
   * Publishes the entry to every process.
   *
   * @throws HandleClosedException if already committed or aborted
   */
  void commit();

  /**
   * Gives the position and the memory back; consumers skip the position. Idempotent, a no-op after
   * commit.
   */
  void abort();

  /** Aborts unless committed. */
  @Override
  void close();
}
