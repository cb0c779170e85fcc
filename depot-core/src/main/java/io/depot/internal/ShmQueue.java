package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.DType;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.EntryNotFoundException;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
import io.depot.QueueCursor;
import io.depot.Track;
import io.depot.TypeMismatchException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A queue object, open in this process (it holds a pin on the queue's descriptor until closed). Its entries are
 * allocated with the queue, one per slot ({@link QueueRing}): producing and consuming touch only the slot words and
 * the entries, never the store's allocator or directory.
 *
 * <pre>
 * Concurrency (see {@link QueueDescriptor} for the slot states, {@link QueueRing} for pins and freeing):
 *  - claim:    read tail (acquire); CAS slot EMPTY(lap) -> CLAIMED(lap, token); CAS tail pos -> pos + 1 (anyone
 *              who sees a claimed slot at the tail helps move the tail on). The slot CAS is the claim: it records
 *              the producer, so a claim whose producer died is recognisable. The entry is the slot's own.
 *  - commit:   CAS CLAIMED -> COMMITTED (release: the entry's bytes are visible to whoever acquires the slot).
 *  - pop:      if the redelivery count is non-zero, first look for a REDELIVER slot behind the head and CAS it
 *              to POPPED(lap, token). Else read head (acquire); CAS slot COMMITTED(lap) -> POPPED(lap, token); CAS
 *              head on. The slot stays POPPED while the consumer holds the entry: the producers' position
 *              p + capacity waits for it.
 *  - release:  (closing a popped entry) CAS POPPED(lap, token) -> RELEASED(lap); free it unless readers pin it
 *              (the last one frees it). An entry is consumed when released: a consumer that dies holding it (slot
 *              POPPED by a dead token) has it delivered again: REDELIVER(lap), the count incremented, consumers
 *              woken. Delivery is at least once.
 *  - read:     pin the slot for the lap (QueueRing.pin), journaled, so the producers wait for the reader too.
 *  - delete:   CAS COMMITTED -> REMOVING; release-store SKIP(lap); a consumer passes it (SKIP -> RELEASED, freed
 *              once no reader pins it). A force pop or force delete also moves the pins on at once.
 *  - waiting:  consumers wait on the notEmpty event count, producers on notFull (see Waiter: an adaptive spin,
 *              then FUTEX_WAIT; a signaller writes nothing unless someone sleeps). A commit wakes one consumer, a
 *              freed slot one producer; a woken waiter that succeeds wakes the next while entries (room) remain; a
 *              skipped or recovered position wakes them all.
 *  - failure:  a waiter that has waited a while, or a tryPop that finds a CLAIMED position ahead of committed
 *              ones, checks the token of the slot blocking it (at most every 20 ms per queue handle) and recovers a
 *              dead holder: a producer's claim is skipped, a consumer's popped entry delivered again, a deleter's
 *              removal completed.
 *  - handles:  a DepotQueue handle pins the queue object; operations and entries hold references on the handle,
 *              so the pin (and the queue's memory) outlives both, whatever the order of the closes.
 * </pre>
 */
final class ShmQueue implements DepotQueue {
  private static final long LIVENESS_CHECK_NANOS = Waiter.LIVENESS_CHECK_NANOS;
  private static final long REMOVING_LIMIT_NANOS = 5_000_000_000L;

  private final ShmDepot depot;
  private final Store store;
  private final Mem mem;
  private final String name;
  private final ObjectHandleImpl pin;
  private final QueueRing ring;
  private final int capacity;
  private final List<Track> tracks;
  private final long[] trackOffset;
  private final long[] trackSize;
  /** Per track: whether each entry records its shape, and the largest 1-D shape (for variable ones). */
  private final boolean[] variable;
  private final long[][] maxShape;
  private final Map<String, Integer> trackIndex = new HashMap<>();
  private final long head;
  private final long tail;
  private final long notEmpty;
  private final long notFull;
  private final long redeliveries;
  private final long lengthsLength;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The handle itself (1 until close), plus operations in flight and entries not yet closed. */
  private final AtomicInteger refs = new AtomicInteger(1);
  /** When a non-blocking operation next checks whether the process blocking it is alive. */
  private volatile long nextBlockedCheck;
  /** The adaptive spins of this handle's consumers (pop) and producers (push, createEntry). */
  private final Waiter.Spin consumerSpin;
  private final Waiter.Spin producerSpin;
  /** The adaptive spin of this handle's cursors and readLatestAfter. */
  final Waiter.Spin cursorSpin;

  private ShmQueue(ShmDepot depot, Store store, String name, ObjectHandleImpl pin, QueueRing ring) {
    this.depot = depot;
    this.store = store;
    this.mem = store.mem;
    this.name = name;
    this.pin = pin;
    this.ring = ring;
    long q = ring.q;
    this.capacity = ring.capacity;
    int trackCount = ring.trackCount;
    this.tracks = new ArrayList<>(trackCount);
    this.trackOffset = new long[trackCount];
    this.trackSize = new long[trackCount];
    this.variable = new boolean[trackCount];
    this.maxShape = new long[trackCount][];
    for (int i = 0; i < trackCount; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      String tn = new String(mem.slice(t + TRACK_NAME_OFFSET, mem.getByte(t + TRACK_NAME_LENGTH_OFFSET))
          .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
      trackOffset[i] = mem.getLong(t + TRACK_DATA_OFFSET_OFFSET);
      trackSize[i] = mem.getLong(t + TRACK_SIZE_OFFSET);
      int kind = mem.getByte(t + TRACK_IS_ARRAY_OFFSET);
      if (kind != TRACK_BYTES) {
        long[] shape = new long[mem.getByte(t + TRACK_NDIM_OFFSET)];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = mem.getLong(t + TRACK_SHAPE_OFFSET + 8L * d);
        }
        DType dtype = DType.ofCode(mem.getByte(t + TRACK_DTYPE_OFFSET));
        tracks.add(kind == TRACK_VARIABLE_ARRAY ? Track.arrayUpTo(tn, dtype, shape[0]) : Track.array(tn, dtype, shape));
      } else {
        tracks.add(Track.bytes(tn, trackSize[i]));
      }
      trackIndex.put(tn, i);
      variable[i] = tracks.get(i).isVariableShape();
      maxShape[i] = variable[i] ? tracks.get(i).shape() : null;
    }
    this.head = ring.head;
    this.tail = ring.tail;
    this.notEmpty = ring.notEmpty;
    this.notFull = ring.notFull;
    this.redeliveries = ring.redeliveries;
    this.lengthsLength = lengthsLength(trackCount);
    this.consumerSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.producerSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.cursorSpin = new Waiter.Spin(store.options.queueSpinNanos());
  }

  // ------------------------------------------------------------------ creation

  /** Checks a queue definition; returns each track's offset in an entry's data, and the data length last. */
  static long[] layout(int capacity, Track[] tracks) {
    if (capacity < 1 || capacity > io.depot.Depot.MAX_QUEUE_CAPACITY) {
      throw new InvalidArgumentException(
          "queue capacity must be 1.." + io.depot.Depot.MAX_QUEUE_CAPACITY + ": capacity=" + capacity);
    }
    if (tracks.length == 0 || tracks.length > Track.MAX_TRACKS) {
      throw new InvalidArgumentException(
          "a queue needs 1.." + Track.MAX_TRACKS + " tracks: tracks=" + tracks.length);
    }
    long[] offsets = new long[tracks.length + 1];
    long at = lengthsLength(tracks.length);
    java.util.Set<String> names = new java.util.HashSet<>();
    for (int i = 0; i < tracks.length; i++) {
      if (!names.add(tracks[i].name())) {
        throw new InvalidArgumentException("two tracks named track=" + tracks[i].name());
      }
      if (tracks[i].isVariableShape()) {
        at += SHAPE_RECORD_LENGTH; // the entry's shape of this track, just before its data
      }
      offsets[i] = at;
      at = StoreLayout.align(at + tracks[i].size(), 64);
    }
    offsets[tracks.length] = at;
    return offsets;
  }

  /** The length of a queue's value with these tracks ({@link #layout} gives the stride, last). */
  static long valueLength(int capacity, Track[] tracks, long[] offsets) {
    try {
      return QueueDescriptor.length(tracks.length, capacity, offsets[tracks.length]);
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException("queue too large: capacity=" + capacity + " x entry of "
          + offsets[tracks.length] + " bytes");
    }
  }

  /**
   * Writes a new queue's header, track table and empty ring into {@code q} (a claim's value). The entries are left
   * as they are (like any claimed memory, unless the store zeroes claims).
   */
  static void format(Mem mem, long q, int capacity, io.depot.Overflow overflow, Track[] tracks, long[] offsets) {
    long entries = QueueDescriptor.entriesOffset(tracks.length, capacity);
    mem.segment().asSlice(q, entries).fill((byte) 0);
    mem.putInt(q + CAPACITY_OFFSET, capacity);
    mem.putByte(q + OVERFLOW_OFFSET, overflow.ordinal());
    mem.putInt(q + TRACK_COUNT_OFFSET, tracks.length);
    mem.putLong(q + ENTRY_LENGTH_OFFSET, offsets[tracks.length]);
    for (int i = 0; i < tracks.length; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      byte[] n = tracks[i].name().getBytes(StandardCharsets.UTF_8);
      mem.putByte(t + TRACK_NAME_LENGTH_OFFSET, n.length);
      MemorySegment.copy(n, 0, mem.segment(), ValueLayout.JAVA_BYTE, t + TRACK_NAME_OFFSET, n.length);
      mem.putByte(t + TRACK_IS_ARRAY_OFFSET, tracks[i].isVariableShape() ? TRACK_VARIABLE_ARRAY
          : tracks[i].isArray() ? TRACK_FIXED_ARRAY : TRACK_BYTES);
      mem.putByte(t + TRACK_DTYPE_OFFSET, tracks[i].isArray() ? tracks[i].dtype().code() : 0);
      long[] shape = tracks[i].shape();
      mem.putByte(t + TRACK_NDIM_OFFSET, shape.length);
      for (int d = 0; d < shape.length; d++) {
        mem.putLong(t + TRACK_SHAPE_OFFSET + 8L * d, shape[d]);
      }
      mem.putLong(t + TRACK_DATA_OFFSET_OFFSET, offsets[i]);
      mem.putLong(t + TRACK_SIZE_OFFSET, tracks[i].size());
    }
    mem.putLongRelease(q + MAGIC_OFFSET, MAGIC);
  }

  /** Opens the queue behind a pinned handle (which it takes over), after checking its header against its size. */
  static ShmQueue open(ShmDepot depot, Store store, ObjectHandleImpl pin) {
    long q = pin.dataAddress();
    Mem mem = store.mem;
    QueueRing ring = QueueRing.at(store, ObjectDescriptor.ownerIndex(pin.version()), q, pin.size());
    if (ring == null) {
      throw new io.depot.CorruptStoreException("queue object has no valid queue header (capacity="
          + mem.getInt(q + CAPACITY_OFFSET) + " tracks=" + mem.getInt(q + TRACK_COUNT_OFFSET) + " stride="
          + mem.getLong(q + ENTRY_LENGTH_OFFSET) + " size=" + pin.size() + "): name=" + pin.name());
    }
    for (int i = 0; i < ring.trackCount; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      long off = mem.getLong(t + TRACK_DATA_OFFSET_OFFSET);
      long size = mem.getLong(t + TRACK_SIZE_OFFSET);
      int nameLength = mem.getByte(t + TRACK_NAME_LENGTH_OFFSET);
      int kind = mem.getByte(t + TRACK_IS_ARRAY_OFFSET);
      long before = lengthsLength(ring.trackCount) + (kind == TRACK_VARIABLE_ARRAY ? SHAPE_RECORD_LENGTH : 0);
      if (off < before || size < 0 || off > ring.stride - size || nameLength < 1 || kind < 0 || kind > 2
          || nameLength > Track.MAX_NAME_BYTES || mem.getByte(t + TRACK_NDIM_OFFSET) > io.depot.NDArray.MAX_DIMS
          || (kind == TRACK_VARIABLE_ARRAY && mem.getByte(t + TRACK_NDIM_OFFSET) != 1)) {
        throw new io.depot.CorruptStoreException("queue track " + i + " is damaged (offset=" + off + " size=" + size
            + " entry stride=" + ring.stride + "): name=" + pin.name());
      }
    }
    store.queuesOpened = true; // its claims and popped entries are given back at close
    return new ShmQueue(depot, store, pin.name(), pin, ring);
  }

  // ------------------------------------------------------------------ accessors

  @Override
  public String name() {
    return name;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public List<Track> tracks() {
    return List.copyOf(tracks);
  }

  @Override
  public int trackIndex(String trackName) {
    Integer i = trackIndex.get(trackName);
    if (i == null) {
      throw new InvalidNameException("queue " + name + " has no track=" + trackName + " (tracks: " + tracks + ")");
    }
    return i;
  }

  int checkTrack(int i) {
    if (i < 0 || i >= tracks.size()) {
      throw new IndexOutOfBoundsException("track index=" + i + " of " + tracks.size() + " tracks: queue=" + name);
    }
    return i;
  }

  Track track(int i) {
    return tracks.get(i);
  }

  long trackOffset(int i) {
    return trackOffset[i];
  }

  long trackSize(int i) {
    return trackSize[i];
  }

  /** The bytes written in track {@code i} of the entry whose data is at {@code data}. */
  long trackLength(long data, int i) {
    long length = mem.getLong(data + 8L * i);
    if (length < 0 || length > trackSize[i]) {
      throw new io.depot.CorruptStoreException("queue entry track " + tracks.get(i).name() + " records length="
          + length + " for a track of size=" + trackSize[i] + ": queue=" + name);
    }
    return length;
  }

  /**
   * The shape the entry at {@code data} records for variable-shape track {@code i}, checked against the bytes it
   * records (a damaged record is reported, never read past).
   */
  long[] entryShape(long data, int i) {
    long record = data + trackOffset[i] - SHAPE_RECORD_LENGTH;
    long ndim = mem.getLong(record);
    long length = trackLength(data, i);
    if (ndim < 0 || ndim > io.depot.NDArray.MAX_DIMS) {
      throw new io.depot.CorruptStoreException("queue entry track " + tracks.get(i).name() + " records ndim=" + ndim
          + ": queue=" + name);
    }
    long[] shape = new long[(int) ndim];
    for (int d = 0; d < shape.length; d++) {
      shape[d] = mem.getLong(record + 8 + 8L * d);
    }
    long elements;
    try {
      elements = io.depot.NDArray.elementCount(shape);
    } catch (InvalidArgumentException e) {
      elements = -1;
    }
    if (elements < 0 || elements * tracks.get(i).dtype().itemSize() != length) {
      throw new io.depot.CorruptStoreException("queue entry track " + tracks.get(i).name() + " records shape="
          + Arrays.toString(shape) + " for length=" + length + ": queue=" + name);
    }
    return shape;
  }

  /**
   * Records shape {@code shape} (and the matching length) for array track {@code i} of the entry claimed at {@code
   * data}, after checking it against the track.
   */
  void setEntryShape(long data, int i, long[] shape) {
    Track t = tracks.get(checkTrack(i));
    if (!t.isArray()) {
      throw new TypeMismatchException("track " + t.name() + " holds raw bytes, not an array: queue=" + name);
    }
    long elements = io.depot.NDArray.elementCount(shape);
    if (!t.isVariableShape()) {
      if (!Arrays.equals(shape, t.shape())) {
        throw new TypeMismatchException("track " + t.name() + " holds arrays of shape=" + Arrays.toString(t.shape())
            + " only, not shape=" + Arrays.toString(shape) + ": queue=" + name);
      }
      return;
    }
    if (elements > t.maxElements()) {
      throw new InvalidArgumentException("shape=" + Arrays.toString(shape) + " has " + elements
          + " elements, more than maxElements=" + t.maxElements() + " of track=" + t.name() + " in queue=" + name);
    }
    writeShape(data, i, shape, elements * t.dtype().itemSize());
  }

  /** Writes the shape record and the length of variable-shape track {@code i} (both already checked). */
  private void writeShape(long data, int i, long[] shape, long length) {
    long record = data + trackOffset[i] - SHAPE_RECORD_LENGTH;
    mem.putLong(record, shape.length);
    for (int d = 0; d < shape.length; d++) {
      mem.putLong(record + 8 + 8L * d, shape[d]);
    }
    mem.putLong(data + 8L * i, length);
  }

  /** Records that {@code length} bytes were written in track {@code i} of the entry claimed at {@code data}. */
  void setTrackLength(long data, int i, long length) {
    Track t = tracks.get(checkTrack(i));
    if (t.isArray()) {
      throw new TypeMismatchException("track " + t.name() + " holds an array of fixed size=" + trackSize[i]
          + ": its length cannot be set: queue=" + name);
    }
    if (length < 0 || length > trackSize[i]) {
      throw new InvalidArgumentException("length=" + length + " out of 0.." + trackSize[i] + " for track="
          + t.name() + " of queue=" + name);
    }
    mem.putLong(data + 8L * i, length);
  }

  @Override
  public long headSequence() {
    return mem.getLongAcquire(head);
  }

  @Override
  public long tailSequence() {
    return mem.getLongAcquire(tail);
  }

  @Override
  public int size() {
    long t = mem.getLongAcquire(tail);
    long h = mem.getLongAcquire(head);
    return Math.clamp(t - h, 0, capacity);
  }

  /** Takes a reference on this handle for an operation or an entry; fails once the handle is closed. */
  private void acquire() {
    for (int r = refs.get(); ; r = refs.get()) {
      if (r == 0 || closed.get()) {
        throw new HandleClosedException("queue is closed: name=" + name);
      }
      if (refs.compareAndSet(r, r + 1)) {
        return;
      }
    }
  }

  /** Drops a reference; the last one (the handle closed, nothing in flight) unpins the queue. */
  void release() {
    if (refs.decrementAndGet() == 0) {
      pin.close();
    }
  }

  private long slot(long position) {
    return ring.slot(position);
  }

  /** Whether a non-blocking operation may check the liveness of whoever blocks it now (at most every 20 ms). */
  private boolean blockedCheckDue() {
    long now = System.nanoTime();
    if (now - nextBlockedCheck < 0) {
      return false;
    }
    nextBlockedCheck = now + LIVENESS_CHECK_NANOS;
    return true;
  }

  // ------------------------------------------------------------------ producing

  /** Iterations without any progress of the head or tail after which a slot state is taken as damage. */
  private static final int STUCK_LIMIT = 100_000;

  private io.depot.CorruptStoreException stuck(String where, long pos, long c) {
    return new io.depot.CorruptStoreException("queue slot of position=" + pos + " is inconsistent at the " + where
        + " (lap " + QueueDescriptor.lap(c) + ", expected " + lapOf(pos, capacity) + ", state "
        + QueueDescriptor.stateName(state(c)) + "): queue=" + name + " in " + store.path);
  }

  /** Claims the next position: returns it, or -1 if the queue is full. */
  private long claimPosition() {
    long last = -1;
    int stuck = 0;
    for (; ; ) {
      long pos = mem.getLongAcquire(tail);
      if (pos == last) {
        if (++stuck > STUCK_LIMIT) {
          throw stuck("tail", pos, mem.getLongAcquire(slot(pos) + SLOT_CTL_OFFSET));
        }
      } else {
        last = pos;
        stuck = 0;
      }
      int lap = lapOf(pos, capacity);
      long s = slot(pos);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int sl = QueueDescriptor.lap(c);
      if (sl == lap) {
        if (state(c) == EMPTY && mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, CLAIMED,
            store.token))) {
          mem.compareAndSetLong(tail, pos, pos + 1);
          return pos;
        }
        if (state(c) != EMPTY) {
          mem.compareAndSetLong(tail, pos, pos + 1); // claimed by someone whose tail update is late: help
        }
      } else if (sl == previousLap(lap)) {
        if (mem.getLongAcquire(tail) != pos) {
          continue;
        }
        if (state(c) == COMMITTED && ring.overflow == io.depot.Overflow.OVERWRITE_OLDEST) {
          dropOldest(s, sl, c, pos - capacity);
          continue; // the slot is free now, or RELEASED until its readers let go (then: full)
        }
        // The previous round's position is still in the queue (or popped and not released, or read): full. If a
        // dead consumer holds it, recover it; if it waits to be delivered again, remind the consumers (each at
        // most every 20 ms per handle) and look again.
        if (pos >= capacity && blockedCheckDue()) {
          if (recoverPosition(pos - capacity)) {
            continue;
          }
          if (state(c) == REDELIVER) {
            remindRedelivery();
          } else if (state(c) == RELEASED && store.recovery.recoverOnContention() > 0) {
            continue; // consumed, but readers pin it: one of them may be dead (the sweep releases its pins)
          }
        }
        return -1;
      } else {
        mem.compareAndSetLong(tail, pos, pos + 1); // this position was claimed and consumed already
      }
    }
  }

  /**
   * Drops the committed entry of {@code position} (slot {@code s}, ctl {@code c}, lap {@code lap}) unread, for an
   * overwriting producer: COMMITTED -> SKIP (a consumer popping it at the same moment wins or loses that CAS), then
   * freed like any passed position, the head helped past it.
   */
  private void dropOldest(long s, int lap, long c, long position) {
    long skip = QueueDescriptor.ctl(lap, SKIP, 0);
    if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, skip)) {
      mem.getAndAddLong(ring.dropped, 1);
      ring.free(s, lap, skip);
      mem.compareAndSetLong(head, position, position + 1);
    }
  }

  /** Claims a position (its entry is the slot's own); null if full. */
  private EntryClaimImpl tryClaim() {
    long pos = claimPosition();
    if (pos < 0) {
      return null;
    }
    long data = ring.entry(pos);
    if (store.options.zeroClaims()) {
      mem.segment().asSlice(data + lengthsLength, ring.stride - lengthsLength).fill((byte) 0);
    }
    for (int i = 0; i < trackSize.length; i++) {
      mem.putLong(data + 8L * i, trackSize[i]); // a track not given a length holds its whole size
      if (variable[i]) {
        writeShape(data, i, maxShape[i], trackSize[i]); // and a variable-shape track its largest 1-D shape
      }
    }
    refs.incrementAndGet(); // the handle stays pinned until the claim is committed or aborted
    return new EntryClaimImpl(this, pos, data);
  }

  void commitClaim(EntryClaimImpl claim) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      release();
      throw e; // the store's close skipped the position
    }
    try {
      long s = slot(claim.sequence);
      int lap = lapOf(claim.sequence, capacity);
      if (!mem.compareAndSetLong(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, CLAIMED, store.token),
          QueueDescriptor.ctl(lap, COMMITTED, 0))) {
        // Only possible if another process took this client for dead and skipped the claim.
        throw new io.depot.DepotException("entry position was skipped before commit (this process was taken for "
            + "dead): sequence=" + claim.sequence + " queue=" + name);
      }
      notifyNotEmpty();
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  void abortClaim(EntryClaimImpl claim) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      release();
      return; // given back by the store's close
    }
    try {
      long s = slot(claim.sequence);
      int lap = lapOf(claim.sequence, capacity);
      mem.compareAndSetLong(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, CLAIMED, store.token),
          QueueDescriptor.ctl(lap, SKIP, 0));
      notifyAllNotEmpty(); // consumers blocked at this position can pass it now
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  @Override
  public Optional<EntryClaim> tryCreateEntry() {
    acquire();
    try {
      return Optional.ofNullable(claimNow());
    } finally {
      release();
    }
  }

  @Override
  public EntryClaim createEntry(Duration timeout) {
    acquire();
    try {
      EntryClaimImpl c = claimNow();
      if (c != null) {
        return c;
      }
      if (ring.overflow == io.depot.Overflow.FAIL) {
        throw new io.depot.QueueFullException("queue is full (capacity=" + capacity + ", overflow=FAIL): name="
            + name);
      }
      return Waiter.await(mem, notFull, timeout.toNanos(), producerSpin, this::claimNow,
          () -> checkBlocked(mem.getLongAcquire(tail) - capacity),
          "no room in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  /** One claim attempt inside the store's gate: the claim, or null if the queue is full. */
  private EntryClaimImpl claimNow() {
    store.enter();
    try {
      EntryClaimImpl c = tryClaim();
      if (c != null && mem.getIntVolatile(notFull + 4) != 0
          && mem.getLongAcquire(tail) - mem.getLongAcquire(head) < capacity) {
        notifyNotFull(); // a woken producer passes the wake-up on while room remains
      }
      return c;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  @Override
  public long tryPush(MemorySegment... values) {
    checkValues(values);
    acquire();
    try {
      return pushNow(values, null);
    } finally {
      release();
    }
  }

  /**
   * One push attempt inside the store's gate, without a claim handle: claims a position, copies the values into
   * its entry, records the tracks' lengths (and the shapes of variable-shape tracks: from {@code shapes}, or 1-D)
   * and commits.
   *
   * @return the sequence number, or {@link #FULL}
   */
  private long pushNow(MemorySegment[] values, long[][] shapes) {
    store.enter();
    try {
      long pos = claimPosition();
      if (pos < 0) {
        return FULL;
      }
      long s = slot(pos);
      int lap = lapOf(pos, capacity);
      long claimed = QueueDescriptor.ctl(lap, CLAIMED, store.token);
      try {
        long data = ring.entry(pos);
        for (int i = 0; i < values.length; i++) {
          long size = values[i].byteSize();
          MemorySegment.copy(values[i], 0, mem.segment(), data + trackOffset[i], size);
          if (variable[i]) {
            writeShape(data, i, shapes != null ? shapes[i] : new long[] {size / tracks.get(i).dtype().itemSize()},
                size);
          } else {
            mem.putLong(data + 8L * i, size);
          }
        }
      } catch (RuntimeException e) {
        // a value that cannot be read (closed, another thread's confined segment): give the position up
        mem.compareAndSetLong(s + SLOT_CTL_OFFSET, claimed, QueueDescriptor.ctl(lap, SKIP, 0));
        notifyAllNotEmpty();
        throw e;
      }
      if (!mem.compareAndSetLong(s + SLOT_CTL_OFFSET, claimed, QueueDescriptor.ctl(lap, COMMITTED, 0))) {
        throw new io.depot.DepotException("entry position was skipped before commit (this process was taken for "
            + "dead): sequence=" + pos + " queue=" + name);
      }
      notifyNotEmpty();
      if (mem.getIntVolatile(notFull + 4) != 0 && mem.getLongAcquire(tail) - mem.getLongAcquire(head) < capacity) {
        notifyNotFull(); // a woken producer passes the wake-up on while room remains
      }
      return pos;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  @Override
  public long tryPush(NDArray... values) {
    MemorySegment[] segments = segments(values);
    checkValues(segments);
    acquire();
    try {
      return pushNow(segments, shapes(values));
    } finally {
      release();
    }
  }

  @Override
  public long push(Duration timeout, MemorySegment... values) {
    checkValues(values);
    return pushWaiting(timeout, values, null);
  }

  private long pushWaiting(Duration timeout, MemorySegment[] values, long[][] shapes) {
    acquire();
    try {
      long pos = pushNow(values, shapes);
      if (pos != FULL || ring.overflow == io.depot.Overflow.FAIL) {
        return pos;
      }
      return Waiter.await(mem, notFull, timeout.toNanos(), producerSpin, () -> {
        long p = pushNow(values, shapes);
        return p == FULL ? null : p;
      }, () -> checkBlocked(mem.getLongAcquire(tail) - capacity),
          "no room in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  @Override
  public long push(Duration timeout, NDArray... values) {
    MemorySegment[] segments = segments(values);
    checkValues(segments);
    return pushWaiting(timeout, segments, shapes(values));
  }

  /** The arrays' segments, after checking each against its track (dtype; shape, or element count). */
  private MemorySegment[] segments(NDArray[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException("queue " + name + " has " + tracks.size() + " tracks, got values="
          + values.length);
    }
    MemorySegment[] s = new MemorySegment[values.length];
    for (int i = 0; i < values.length; i++) {
      Track t = tracks.get(i);
      if (!t.isArray() || t.dtype() != values[i].dtype()
          || (!t.isVariableShape() && !Arrays.equals(t.shape(), values[i].shape()))) {
        throw new TypeMismatchException("value " + values[i] + " does not match track " + t + " of queue=" + name);
      }
      if (t.isVariableShape() && values[i].size() > t.maxElements()) {
        throw new InvalidArgumentException("value of shape=" + Arrays.toString(values[i].shape()) + " has "
            + values[i].size() + " elements, more than maxElements=" + t.maxElements() + " of track=" + t.name()
            + " in queue=" + name);
      }
      s[i] = values[i].segment();
    }
    return s;
  }

  /** The arrays' shapes, for the variable-shape tracks (null if there are none). */
  private long[][] shapes(NDArray[] values) {
    long[][] shapes = null;
    for (int i = 0; i < values.length; i++) {
      if (variable[i]) {
        if (shapes == null) {
          shapes = new long[values.length][];
        }
        shapes[i] = values[i].shape();
      }
    }
    return shapes;
  }

  private void checkValues(MemorySegment[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException("queue " + name + " has " + tracks.size() + " tracks, got values="
          + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      long size = values[i].byteSize();
      if (size > trackSize[i]) {
        throw new InvalidArgumentException("value of size=" + size + " is larger than track="
            + tracks.get(i).name() + " of size=" + trackSize[i] + " in queue=" + name);
      }
      if (variable[i] && size % tracks.get(i).dtype().itemSize() != 0) {
        throw new InvalidArgumentException("value of size=" + size + " is not a whole number of "
            + tracks.get(i).dtype().numpyName() + " elements for track=" + tracks.get(i).name() + " in queue="
            + name);
      }
      if (tracks.get(i).isArray() && !variable[i] && size != trackSize[i]) {
        throw new InvalidArgumentException("value of size=" + size + " does not fill array track="
            + tracks.get(i).name() + " of size=" + trackSize[i] + " in queue=" + name);
      }
    }
  }

  // ------------------------------------------------------------------ consuming

  /** Pops the head: an entry handle, {@link #EMPTY_QUEUE} if empty, or null after a force pop. */
  private Object popOnce(boolean force) {
    if (!force && mem.getLongAcquire(redeliveries) != 0) {
      EntryImpl e = redeliver();
      if (e != null) {
        return e;
      }
    }
    long last = -1;
    int stuck = 0;
    long removingSince = 0;
    long lastCheck = 0;
    for (; ; ) {
      long pos = mem.getLongAcquire(head);
      if (pos == last) {
        stuck++;
      } else {
        last = pos;
        stuck = 0;
      }
      int lap = lapOf(pos, capacity);
      long s = slot(pos);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int sl = QueueDescriptor.lap(c);
      if (sl == nextLap(lap)) {
        mem.compareAndSetLong(head, pos, pos + 1); // consumed already: the head is late, help it on
        continue;
      }
      if (sl == previousLap(lap)) {
        return EMPTY_QUEUE; // the slot still holds the previous round's entry: nothing claimed at pos yet
      }
      if (sl != lap) {
        if (stuck > STUCK_LIMIT) {
          throw stuck("head", pos, c);
        }
        continue; // a stale head read
      }
      switch (state(c)) {
        case EMPTY -> {
          return EMPTY_QUEUE;
        }
        case CLAIMED -> {
          // Committed entries behind a claim whose producer may have died: check it (at most every 20 ms).
          if (mem.getLongAcquire(tail) > pos + 1 && blockedCheckDue() && recoverPosition(pos)) {
            continue;
          }
          return EMPTY_QUEUE;
        }
        case POPPED, REDELIVER, RELEASED -> mem.compareAndSetLong(head, pos, pos + 1); // popped: the head is late
        case SKIP -> {
          if (ring.free(s, lap, c)) {
            mem.compareAndSetLong(head, pos, pos + 1);
          }
        }
        case COMMITTED -> {
          if (force) {
            if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
              ring.invalidatePins(s, lap);
              mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0));
              mem.compareAndSetLong(head, pos, pos + 1);
              notifyNotFull();
              return null;
            }
          } else if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, POPPED, store.token))) {
            mem.compareAndSetLong(head, pos, pos + 1);
            return popped(pos, lap);
          }
        }
        case REMOVING -> {
          // A deleter (or a force pop) is finishing this position: wait for it, since entries behind it may be
          // poppable (reporting "empty" now would be wrong). If it stays, check whether its process died (then
          // resolve the position); a position REMOVING for seconds under a live token is damage.
          if (stuck > 1_000) {
            long now = System.nanoTime();
            if (removingSince == 0) {
              removingSince = now;
              lastCheck = now;
            } else if (now - lastCheck > LIVENESS_CHECK_NANOS) {
              lastCheck = now;
              if (recoverPosition(pos)) {
                continue;
              }
            }
            if (now - removingSince > REMOVING_LIMIT_NANOS) {
              throw stuck("head", pos, c);
            }
            Thread.yield();
          } else {
            Thread.onSpinWait();
          }
        }
        default -> {
          if (stuck > STUCK_LIMIT) {
            throw stuck("head", pos, c);
          }
        }
      }
    }
  }

  private static final Object EMPTY_QUEUE = new Object();

  /** The handle on the entry of a position this client just moved to POPPED. */
  private EntryImpl popped(long pos, int lap) {
    refs.incrementAndGet(); // the handle stays pinned until this entry is released
    return new EntryImpl(this, pos, ring.entry(pos), lap, -1);
  }

  /**
   * Takes a dead consumer's popped entry that is waiting to be delivered again (REDELIVER), oldest first; null if
   * there is none. The redelivery count is a hint: a scan that finds nothing resets it.
   */
  private EntryImpl redeliver() {
    long hint = mem.getLongAcquire(redeliveries);
    long t = mem.getLongAcquire(tail);
    long h = mem.getLongAcquire(head);
    for (long p = Math.max(0, t - capacity); p < h; p++) {
      long s = slot(p);
      int lap = lapOf(p, capacity);
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      if (QueueDescriptor.lap(c) == lap && state(c) == REDELIVER
          && mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, POPPED, store.token))) {
        for (long r = mem.getLongAcquire(redeliveries); r > 0; r = mem.getLongAcquire(redeliveries)) {
          if (mem.compareAndSetLong(redeliveries, r, r - 1)) {
            break; // never below 0: a scan that found nothing may have reset it meanwhile
          }
        }
        return popped(p, lap);
      }
    }
    mem.compareAndSetLong(redeliveries, hint, 0);
    return null;
  }

  /**
   * A producer found the queue full because of a REDELIVER slot: the redelivery count may have been reset by a scan
   * that raced the recovery that set it (it is a hint). Raise it and wake the consumers, so that one delivers the
   * entry again.
   */
  private void remindRedelivery() {
    mem.getAndAddLong(redeliveries, 1);
    notifyNotEmpty();
  }

  /**
   * Releases a popped entry (its handle is closing): the entry is consumed. Its slot goes to RELEASED, and is freed
   * for the producers unless readers pin it (the last one frees it then).
   */
  void releasePopped(EntryImpl e) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException closed) {
      release();
      return; // the store's close delivered it again
    }
    try {
      ring.free(slot(e.sequence()), e.lap(), QueueDescriptor.ctl(e.lap(), POPPED, store.token));
    } catch (RuntimeException ex) {
      throw store.translate(ex);
    } finally {
      store.exit();
      release();
    }
  }

  /** Releases a reader's pin on an entry read in place (its handle is closing). */
  void releaseRead(EntryImpl e) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException closed) {
      release();
      return; // released by the store's close
    }
    try {
      ring.unpin(e.sequence(), e.lap(), e.journalEntry(), true);
      store.journal.release(e.journalEntry());
    } catch (RuntimeException ex) {
      throw store.translate(ex);
    } finally {
      store.exit();
      release();
    }
  }

  @Override
  public Optional<Entry> tryPop() {
    acquire();
    try {
      return Optional.ofNullable(popNow());
    } finally {
      release();
    }
  }

  @Override
  public Entry pop(Duration timeout) {
    acquire();
    try {
      EntryImpl e = popNow();
      if (e != null) {
        return e;
      }
      return Waiter.await(mem, notEmpty, timeout.toNanos(), consumerSpin, this::popNow,
          () -> checkBlocked(mem.getLongAcquire(head)), "no entry in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  /** One pop attempt inside the store's gate: the entry, or null if the queue is empty. */
  private EntryImpl popNow() {
    store.enter();
    try {
      Object e = popOnce(false);
      if (e == EMPTY_QUEUE) {
        return null;
      }
      // A sleeping consumer woken for one entry passes the wake-up on while entries remain (it may have been woken
      // for an entry someone else took, or behind a claim that held several back).
      if (mem.getIntVolatile(notEmpty + 4) != 0 && mem.getLongAcquire(tail) > mem.getLongAcquire(head)) {
        notifyNotEmpty();
      }
      return (EntryImpl) e;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  @Override
  public boolean forcePop() {
    acquire();
    store.enter();
    try {
      return popOnce(true) != EMPTY_QUEUE;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  // ------------------------------------------------------------------ reading in place

  @Override
  public Entry read(long sequence) {
    acquire();
    store.enter();
    try {
      EntryImpl e = readOnce(sequence);
      if (e == null) {
        throw new EntryNotFoundException(describeMissing(sequence));
      }
      return e;
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  private String describeMissing(long sequence) {
    long h = mem.getLongAcquire(head);
    long t = mem.getLongAcquire(tail);
    String why = sequence < 0 ? "negative" : sequence >= t ? "not claimed yet" : sequence < h
        ? "already popped" : "not committed, or deleted";
    return "no committed entry sequence=" + sequence + " (" + why + "; queue holds " + h + ".." + (t - 1)
        + "): queue=" + name;
  }

  /** {@link #readOnce} inside the store's gate. */
  EntryImpl readPinned(long sequence) {
    store.enter();
    try {
      return readOnce(sequence);
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  /** Runs {@code op} holding a reference on this handle (it fails once the handle is closed). */
  <T> T withRef(java.util.function.Supplier<T> op) {
    acquire();
    try {
      return op.get();
    } finally {
      release();
    }
  }

  /** Whether the queue object was removed (its descriptor is no longer the committed object this handle pins). */
  boolean removed() {
    long c = mem.getLongAcquire(store.layout.descriptor(ObjectDescriptor.ownerIndex(pin.version()))
        + ObjectDescriptor.CTL_OFFSET);
    return ObjectDescriptor.state(c) != ObjectDescriptor.COMMITTED
        || ObjectDescriptor.generation(c) != ObjectDescriptor.ownerGeneration(pin.version());
  }

  QueueRing ring() {
    return ring;
  }

  /** Recovers the holder of {@code position} if it died (a cursor waiting there). */
  void checkBlockedAt(long position) {
    checkBlocked(position);
  }

  /** A handle on the committed entry at {@code sequence} (pinned in place), or null. */
  private EntryImpl readOnce(long sequence) {
    if (sequence < 0 || sequence >= mem.getLongAcquire(tail)) {
      return null;
    }
    long s = slot(sequence);
    long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
    int lap = lapOf(sequence, capacity);
    if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
      return null;
    }
    int entry = store.journal.acquire();
    if (!ring.pin(sequence, entry)) {
      store.journal.release(entry);
      return null;
    }
    refs.incrementAndGet(); // the handle stays pinned until this entry is closed
    return new EntryImpl(this, sequence, ring.entry(sequence), lap, entry);
  }

  @Override
  public Optional<Entry> readLatest() {
    acquire();
    store.enter();
    try {
      for (; ; ) {
        long t = mem.getLongAcquire(tail);
        long h = mem.getLongAcquire(head);
        // at most capacity positions are in the queue: a damaged head or tail must not make this loop unbounded
        long lowest = Math.max(0, Math.max(h, t - capacity));
        for (long p = t - 1; p >= lowest; p--) {
          EntryImpl e = readOnce(p);
          if (e != null) {
            return Optional.of(e);
          }
        }
        if (mem.getLongAcquire(head) == h) {
          return Optional.empty();
        }
      }
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  @Override
  public Entry readLatestAfter(long sequence, Duration timeout) {
    acquire();
    try {
      EntryImpl e = latestAfter(sequence);
      if (e != null) {
        return e;
      }
      return Waiter.await(mem, ring.published, timeout.toNanos(), cursorSpin, () -> latestAfter(sequence), null,
          "no entry after sequence=" + sequence + " in queue=" + name + " within timeout=" + timeout);
    } finally {
      release();
    }
  }

  /** The latest committed entry if its sequence is above {@code sequence}, else null. */
  private EntryImpl latestAfter(long sequence) {
    if (mem.getLongAcquire(tail) - 1 <= sequence) {
      return null; // nothing claimed after it: no need to look
    }
    Optional<Entry> latest = readLatest();
    if (latest.isEmpty()) {
      return null;
    }
    if (latest.get().sequence() <= sequence) {
      latest.get().close();
      return null;
    }
    return (EntryImpl) latest.get();
  }

  @Override
  public QueueCursor subscribe() {
    return subscribe(mem.getLongAcquire(tail));
  }

  @Override
  public QueueCursor subscribe(long from) {
    if (from < 0) {
      throw new InvalidArgumentException("cursor start must be a sequence number >= 0: from=" + from
          + " queue=" + name);
    }
    acquire(); // the cursor holds a reference on this handle until it is closed
    return new QueueCursorImpl(this, from);
  }

  @Override
  public io.depot.Overflow overflow() {
    return ring.overflow;
  }

  @Override
  public long dropped() {
    return mem.getLongAcquire(ring.dropped);
  }

  @Override
  public List<Entry> batchRead(long... sequences) {
    List<Entry> out = new ArrayList<>(sequences.length);
    try {
      for (long seq : sequences) {
        out.add(read(seq));
      }
      return out;
    } catch (RuntimeException e) {
      DepotQueue.release(out);
      throw e;
    }
  }

  @Override
  public boolean deleteEntry(long sequence) {
    return delete(sequence, false);
  }

  @Override
  public boolean forceDeleteEntry(long sequence) {
    return delete(sequence, true);
  }

  private boolean delete(long sequence, boolean force) {
    acquire();
    store.enter();
    try {
      if (sequence < 0 || sequence >= mem.getLongAcquire(tail)) {
        return false;
      }
      long s = slot(sequence);
      int lap = lapOf(sequence, capacity);
      for (; ; ) {
        long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
        if (QueueDescriptor.lap(c) != lap || state(c) != COMMITTED) {
          return false;
        }
        if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
          if (force) {
            ring.invalidatePins(s, lap); // the readers' views may show the next entry from now on
          }
          mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, SKIP, 0));
          notifyAllNotEmpty(); // consumers blocked at this position can pass it now
          return true;
        }
      }
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
      release();
    }
  }

  // ------------------------------------------------------------------ waiting and failure

  /** Wakes one sleeping consumer: one entry more can be popped. */
  private void notifyNotEmpty() {
    ring.signalNotEmpty(1);
  }

  /** Wakes every sleeping consumer: a position they may all be blocked at was resolved. */
  private void notifyAllNotEmpty() {
    ring.signalNotEmpty(Integer.MAX_VALUE);
  }

  /** Wakes one sleeping producer: one slot more is free. */
  private void notifyNotFull() {
    ring.signalNotFull(1);
  }

  /**
   * Resolves the position a waiter is blocked at if the process holding it died: a dead producer's claim is
   * skipped, a dead consumer's popped entry redelivered, a dead deleter's removal completed.
   */
  private void checkBlocked(long position) {
    if (position < 0) {
      return;
    }
    store.enter();
    try {
      recoverPosition(position);
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  /**
   * If position {@code position} is CLAIMED, POPPED or REMOVING by a dead client, recovers that client (the position
   * among what it left) there and then. Returns whether it changed anything.
   */
  boolean recoverPosition(long position) {
    long s = slot(position);
    int lap = lapOf(position, capacity);
    long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
    int st = state(c);
    if (QueueDescriptor.lap(c) != lap || (st != CLAIMED && st != REMOVING && st != POPPED)) {
      return false;
    }
    long owner = QueueDescriptor.token(c);
    return owner != store.token && store.recovery.recoverIfDead(owner);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      release();
    }
  }

  @Override
  public String toString() {
    return "DepotQueue[" + name + ", capacity=" + capacity + ", tracks=" + tracks + ", head=" + headSequence()
        + ", tail=" + tailSequence() + "]";
  }

  ShmDepot depot() {
    return depot;
  }

  Store store() {
    return store;
  }
}
