package io.depot;

import java.lang.foreign.MemorySegment;

/**
 * A reader's hold on one committed queue entry: read-only, zero-copy views of its tracks, valid and
 * unchanged until {@link #close()}, even after the entry is popped or deleted. Closing twice is
 * harmless; each open entry takes one slot of the process's handle journal.
 */
public interface Entry extends AutoCloseable {
  /**
   * {@return the entry's sequence number in its queue (0 for the first entry ever committed,
   * increasing)}
   */
  long sequence();

  /** {@return the number of tracks} */
  int trackCount();

  /**
   * Track {@code index}'s bytes.
   *
   * @param index the track's index
   * @return the bytes, read-only, valid until the entry is released
   * @throws HandleClosedException if closed
   * @throws IndexOutOfBoundsException naming the index if there is no such track
   */
  MemorySegment track(int index);

  /**
   * Track {@code name}'s bytes.
   *
   * @param name the track's name
   * @return the bytes, read-only, valid until the entry is released
   * @throws InvalidNameException naming the track if the queue has none of that name
   */
  MemorySegment track(String name);

  /**
   * Array track {@code index} as a typed view.
   *
   * @param index the track's index
   * @return the array, valid until the entry is released
   * @throws TypeMismatchException if the track holds raw bytes
   */
  NDArray array(int index);

  /**
   * Array track {@code name} as a typed view.
   *
   * @param name the track's name
   * @return the array, valid until the entry is released
   */
  NDArray array(String name);

  /** {@return whether the handle is still open} */
  boolean isOpen();

  /**
   * Releases the hold. For a popped entry this consumes it: its slot goes back to the producers,
   * and it will not be delivered again. The last release of a popped or deleted entry frees its
   * memory. Idempotent; a no-op once the {@code Depot} is closed (a popped entry not released by
   * then is delivered again).
   */
  @Override
  void close();
}
