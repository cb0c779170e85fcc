package io.depot;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * An object that is a bounded queue of entries, each entry holding one block per {@link Track},
 * shared by every process attached to the store. Created by {@link Depot#createQueue}, opened by
 * {@link Depot#openQueue}, removed by {@link Depot#remove} (it disappears for new openers at once;
 * processes that have it open keep using it until they close it, then its remaining entries are
 * freed).
 *
 * <h2>Two ways to use it</h2>
 *
 * <ul>
 *   <li>Coarse-grained, copying in and viewing out: {@link #tryPush}/{@link #push} copy one value
 *       per track; {@link #tryPop}/{@link #pop} take the oldest entry out and return a handle on
 *       it; {@link #read}, {@link #readLatest} and {@link #batchRead} return handles while the
 *       entries stay.
 *   <li>Fine-grained, zero copy: {@link #tryCreateEntry}/{@link #createEntry} → fill the tracks in
 *       place → {@link EntryClaim#commit()}; {@link #read} → read → {@link Entry#close()}; {@link
 *       #deleteEntry}.
 * </ul>
 *
 * <h2>Ordering</h2>
 *
 * Every entry gets a sequence number when its position is claimed ({@code push}, {@code
 * createEntry}); positions are claimed in one total order across all producers and processes.
 * Consumers pop entries in exactly that order, and each producer's entries come out in the order it
 * claimed them (per-producer FIFO, and more: a global FIFO by claim). A claim not yet committed
 * holds back the entries behind it.
 *
 * <h2>Delivery: at least once</h2>
 *
 * A popped entry is <em>consumed</em> when its handle is closed ({@link Entry#close()}): until then
 * it keeps its position's slot (so popped entries that are still open count against the capacity,
 * and a producer waits for them), and if the consumer's process dies first — or its {@code Depot}
 * is closed first — the entry is delivered again, to the next pop, before any newer entry, with the
 * same sequence number (as a Redis consumer group redelivers pending messages). So every committed
 * entry is delivered at least once, and exactly once to consumers that release what they pop; an
 * entry is never delivered again after its release returned. A consumer that must not act twice on
 * an entry can remember the sequence numbers it has done. A dead consumer's entries come back
 * within the recovery interval ({@link DepotOptions.Builder#recoveryInterval}, 1 s by default), or
 * at once to a producer blocked behind them. {@link #readLatest()} returns the committed entry with
 * the highest sequence number at the time of the call; when producers race, an entry claimed later
 * but committed earlier may be the latest.
 *
 * <h2>Waiting</h2>
 *
 * The {@code try} forms never wait and report "empty" or "full" by their result, never by an
 * exception. The forms with a timeout wait — an adaptive spin ({@link
 * DepotOptions.Builder#queueSpinNanos}), then a sleep on a futex in the queue's shared memory that
 * the other process wakes (on a virtual thread, a park that does not pin its carrier) — and throw
 * {@link DepotTimeoutException} when it expires, or {@link DepotInterruptedException} when the
 * thread is interrupted.
 *
 * <h2>Readers in place</h2>
 *
 * An entry opened by {@link #read}, {@link #readLatest} or {@link #batchRead} is held in its slot
 * until the handle is closed: if it is popped or deleted meanwhile, the slot is not reused
 * (producers wait for it) until the last such reader lets go, so its bytes never change under a
 * reader. {@link #forcePop} and {@link #forceDeleteEntry} are the exceptions: they give the slot
 * back at once.
 *
 * <p>A {@code DepotQueue} is thread-safe and {@link AutoCloseable}; it pins the queue object while
 * open.
 *
 * <h2>On Redis</h2>
 *
 * The same operations on a Redis Stream with a consumer group ({@code docs/redis.md}): entries are
 * copies; an {@link EntryClaim} holds no position until its commit (its sequence number is given
 * then, and it holds back no entry behind it); a dead consumer's popped entries come back after the
 * URI's {@code claimIdle} (5 s by default) rather than the recovery interval; waiting for room, for
 * a cursor's next entry and in {@link #readLatestAfter} polls with a back-off; and a removed queue
 * fails on open handles too ({@link ObjectNotFoundException}).
 */
public interface DepotQueue extends AutoCloseable {
  /** Returned by {@link #tryPush} when the queue is full. */
  long FULL = -1;

  /** {@return the queue's object name} */
  String name();

  /** {@return the most entries the queue holds at once} */
  int capacity();

  /** {@return the tracks of every entry, in order} */
  List<Track> tracks();

  /**
   * {@return the index of track {@code name}}
   *
   * @param name the track's name
   * @throws InvalidNameException naming it if there is none
   */
  int trackIndex(String name);

  /**
   * Copies one value per track (in track order) into a new entry and commits it, unless the queue
   * is full.
   *
   * @param values one value per track, in track order
   * @return the entry's sequence number, or {@link #FULL}
   * @throws InvalidArgumentException if the value count differs from the track count, or a value is
   *     larger than its track
   */
  long tryPush(MemorySegment... values);

  /**
   * {@link #tryPush(MemorySegment...)} for arrays; each must match its track's dtype and shape.
   *
   * @param values one array per track, in track order
   * @return the entry's sequence number, or {@link #FULL}
   */
  long tryPush(NDArray... values);

  /**
   * Like {@link #tryPush(MemorySegment...)}, waiting up to {@code timeout} for room — under the
   * queue's {@link #overflow()} policy: {@link Overflow#BLOCK} waits; {@link Overflow#FAIL} returns
   * {@link #FULL} at once; {@link Overflow#OVERWRITE_OLDEST} drops the oldest entry not yet popped
   * (and waits only for one that is popped or held in place). {@code tryPush} overwrites too, on
   * such a queue.
   *
   * @param timeout how long to wait at most
   * @param values one value per track, in track order
   * @return the entry's sequence number, or {@link #FULL} (only under {@link Overflow#FAIL})
   * @throws DepotTimeoutException if the queue stayed full
   */
  long push(Duration timeout, MemorySegment... values);

  /**
   * Like {@link #tryPush(NDArray...)}, waiting up to {@code timeout} for room.
   *
   * @param timeout how long to wait at most
   * @param values one array per track, in track order
   * @return the entry's sequence number, or {@link #FULL} (only under {@link Overflow#FAIL})
   */
  long push(Duration timeout, NDArray... values);

  /**
   * Claims the next position and allocates its tracks for in-place writing, unless the queue is
   * full.
   *
   * @return the claim (commit or abort it), or empty if the queue is full
   */
  Optional<EntryClaim> tryCreateEntry();

  /**
   * Like {@link #tryCreateEntry()}, waiting up to {@code timeout} for room (under the queue's
   * {@link #overflow()} policy, as {@link #push(Duration, MemorySegment...)}).
   *
   * @param timeout how long to wait at most
   * @return the claim; commit or abort it
   * @throws DepotTimeoutException if the queue stayed full
   * @throws QueueFullException at once if it is full and its policy is {@link Overflow#FAIL}
   */
  EntryClaim createEntry(Duration timeout);

  /**
   * Takes the oldest entry out of the queue (an entry a dead consumer held first) and returns a
   * handle on it, unless the queue is empty. The entry is consumed when the handle is closed; see
   * the class comment.
   *
   * @return the oldest committed entry (release it), or empty if there is none
   */
  Optional<Entry> tryPop();

  /**
   * Like {@link #tryPop()}, waiting up to {@code timeout} for an entry.
   *
   * @param timeout how long to wait at most
   * @return the oldest committed entry; release it
   * @throws DepotTimeoutException if the queue stayed empty
   */
  Entry pop(Duration timeout);

  /**
   * Removes the oldest entry and gives its slot back to the producers at once, even if readers hold
   * it. <b>Unsafe for current readers</b> of that entry: their views may show the next entry
   * written into the slot.
   *
   * @return whether an entry was removed
   */
  boolean forcePop();

  /**
   * {@return a handle on the committed entry with sequence number {@code sequence}; the entry stays
   * in the queue}
   *
   * @param sequence the entry's sequence number
   * @throws EntryNotFoundException naming the sequence if it was never claimed, is not committed
   *     yet, or was popped or deleted
   */
  Entry read(long sequence);

  /**
   * {@return a handle on the most recently claimed committed entry, or empty if the queue has none}
   */
  Optional<Entry> readLatest();

  /**
   * Waits up to {@code timeout} until the queue holds a committed entry with a sequence number
   * above {@code sequence}, and returns a handle on the latest one (as {@link #readLatest()}). With
   * {@code sequence = -1}, any entry will do. For readers of the latest value that must not see the
   * same one twice: pass the sequence of the entry seen last.
   *
   * @param sequence the sequence number of the entry seen last, or -1
   * @param timeout how long to wait at most
   * @return a handle on the latest entry; release it
   * @throws DepotTimeoutException if none came
   * @throws DepotInterruptedException if the thread was interrupted while waiting
   */
  Entry readLatestAfter(long sequence, Duration timeout);

  /**
   * {@return a cursor that sees every entry committed from now on (from {@link #tailSequence()}),
   * without consuming; see {@link QueueCursor}}
   */
  QueueCursor subscribe();

  /**
   * {@return a cursor that starts at sequence {@code from} (entries before {@code headSequence()}
   * are gone: it starts at the oldest still in the queue)}
   *
   * @param from the first sequence number to read
   * @throws InvalidArgumentException if {@code from} is negative
   */
  QueueCursor subscribe(long from);

  /** {@return the queue's policy for a full queue, fixed at its creation} */
  Overflow overflow();

  /**
   * {@return how many entries were dropped unread by {@link Overflow#OVERWRITE_OLDEST} since the
   * queue was created}
   */
  long dropped();

  /**
   * Handles on several entries at once; on failure, those already opened are released.
   *
   * @param sequences the entries' sequence numbers
   * @return handles on the entries, in the order of {@code sequences}; release them
   * @throws EntryNotFoundException naming the first sequence that cannot be read
   */
  List<Entry> batchRead(long... sequences);

  /**
   * Releases every entry of a batch (or any collection of entries).
   *
   * @param entries the entries to release
   */
  static void release(Collection<? extends Entry> entries) {
    for (Entry e : entries) {
      e.close();
    }
  }

  /**
   * Removes entry {@code sequence} from the queue; its slot is reused once consumers have passed it
   * and its last reader has closed.
   *
   * @param sequence the entry's sequence number
   * @return whether a committed entry was removed
   */
  boolean deleteEntry(long sequence);

  /**
   * Removes entry {@code sequence}; its slot is reused once consumers have passed it, whether
   * readers hold it or not. <b>Unsafe for current readers</b> of it: their views may show the next
   * entry written into the slot.
   *
   * @param sequence the entry's sequence number
   * @return whether a committed entry was removed
   */
  boolean forceDeleteEntry(long sequence);

  /** {@return the sequence number of the oldest position still in the queue} */
  long headSequence();

  /** {@return the sequence number the next claim will get} */
  long tailSequence();

  /**
   * Positions in the queue ({@code tailSequence() - headSequence()}), committed or not; popped
   * entries not yet released are not counted, though they hold their slots.
   *
   * @return the number of positions in use
   */
  int size();

  /**
   * Unpins the queue. Idempotent. Entries and claims obtained from it stay valid until closed (the
   * queue's memory stays until the last of them is closed).
   */
  @Override
  void close();
}
