package io.depot;

import java.time.Duration;
import java.util.Optional;

/**
 * A reader of a queue that does not consume: it sees the committed entries in sequence order from
 * where it started ({@link DepotQueue#subscribe()}), each through an {@link Entry} held in place
 * like one from {@link DepotQueue#read}, while consumers pop the same entries as usual. Any number
 * of cursors, in any processes, read one queue; a cursor lives in its process only (it holds
 * nothing in the store between calls).
 *
 * <p>A cursor does not hold entries back: producers never wait for it. An entry that is gone when
 * the cursor comes to it — popped (a consumer took it first), or dropped by an {@link
 * Overflow#OVERWRITE_OLDEST} queue, or its slot reused because the cursor fell more than a capacity
 * behind — is passed and counted by {@link #missed()}; deleted and aborted positions are passed
 * without counting. So a cursor sees every entry of a queue that nobody pops, as long as it keeps
 * within one capacity of the producers (the use it is made for: several observers of one stream of
 * an {@link Overflow#OVERWRITE_OLDEST} queue), and on a work queue every entry still waiting when
 * it gets there.
 *
 * <p>Thread-safe; {@link AutoCloseable}: closing it (or its queue handle) makes later calls throw
 * {@link HandleClosedException}; entries it returned stay valid until they are closed.
 */
public interface QueueCursor extends AutoCloseable {
  /** {@return the sequence number of the next entry this cursor will look at} */
  long position();

  /**
   * {@return how many entries this cursor passed because they were gone (popped, dropped or
   * overwritten) when it came}
   */
  long missed();

  /**
   * {@return the next committed entry, if one is there now}
   *
   * @throws ObjectNotFoundException if the queue was removed
   * @throws HandleClosedException if the cursor or its queue handle is closed
   */
  Optional<Entry> tryNext();

  /**
   * {@return the next committed entry, waiting up to {@code timeout} for it to be committed}
   *
   * @param timeout how long to wait at most
   * @throws DepotTimeoutException if none came
   * @throws DepotInterruptedException if the thread was interrupted while waiting
   * @throws ObjectNotFoundException if the queue was removed (also while waiting)
   */
  Entry next(Duration timeout);

  /** Stops this cursor. Idempotent. */
  @Override
  void close();
}
