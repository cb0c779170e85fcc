package io.depot.internal;

import static io.depot.internal.QueueDescriptor.*;

import io.depot.DType;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.EntryNotFoundException;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
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
import java.util.function.LongPredicate;

/**
 * A queue object, open in this process (it holds a pin on the queue's descriptor until closed).
 *
 * <pre>
 * Concurrency (see {@link QueueDescriptor} for the slot states):
 *  - claim:    read tail (acquire); CAS slot EMPTY(lap) -> CLAIMED(lap, token); CAS tail pos -> pos + 1 (anyone
 *              who sees a claimed slot at the tail helps move the tail on). The slot CAS is the claim: it records
 *              the producer, so a claim whose producer died is recognisable.
 *  - entry:    a descriptor flagged ENTRY (not in the directory), WRITE and owned by the producer; its version is
 *              release-stored in the slot before the claim is handed out.
 *  - commit:   the entry's ctl CAS WRITE -> COMMITTED, then the slot CAS CLAIMED -> COMMITTED (release: the entry's
 *              bytes and version are visible to whoever acquires the slot).
 *  - pop:      if the redelivery count is non-zero, first look for a REDELIVER slot behind the head and CAS it
 *              to POPPED(lap, token). Else read head (acquire); CAS slot COMMITTED(lap) -> POPPED(lap, token); CAS
 *              head on; pin the entry (journal). The slot stays POPPED while the consumer holds the entry: the
 *              producers' position p + capacity waits for it.
 *  - release:  (closing a popped entry) retire the entry (ZOMBIE: our pin keeps it); CAS POPPED(lap, token) ->
 *              EMPTY(lap + 1); unpin (the last unpin frees it). An entry is consumed when released: a consumer
 *              that dies holding it (slot POPPED by a dead token, entry still committed) has it delivered again:
 *              REDELIVER(lap), the count incremented, consumers woken. Delivery is at least once.
 *  - delete:   CAS COMMITTED -> REMOVING; retire; release-store SKIP(lap): consumers pass it. A force pop does
 *              the same at the head, then EMPTY(lap + 1).
 *  - waiting:  consumers wait on the notEmpty event count, producers on notFull (see Waiter: an adaptive spin,
 *              then FUTEX_WAIT; a signaller writes nothing unless someone sleeps). A commit wakes one consumer, a
 *              release one producer; a woken waiter that succeeds wakes the next while entries (room) remain; a
 *              skipped or recovered position wakes them all.
 *  - failure:  a waiter that has waited a while, or a tryPop that finds a CLAIMED position ahead of committed
 *              ones, checks the token of the slot blocking it (at most every 20 ms per queue handle); a dead
 *              producer's claim is skipped (its entry aborted or freed), a dead consumer's removal is undone if
 *              the entry was not yet retired, else completed; its popped entries are redelivered.
 *  - handles:  a DepotQueue handle pins the queue object; operations and popped entries hold references on the
 *              handle, so the pin (and the queue's memory) outlives both, whatever the order of the closes.
 * </pre>
 */
final class ShmQueue implements DepotQueue {
  private static final long LIVENESS_CHECK_NANOS = Waiter.LIVENESS_CHECK_NANOS;
  private static final long REMOVING_LIMIT_NANOS = 5_000_000_000L;
  private static final byte[] NO_NAME = new byte[0];
  private static final long[] NO_SHAPE = new long[0];

  private final ShmDepot depot;
  private final Store store;
  private final Mem mem;
  private final String name;
  private final ObjectHandleImpl pin;
  private final long version;
  private final long q;
  private final int capacity;
  private final List<Track> tracks;
  private final long[] trackOffset;
  private final long[] trackSize;
  private final Map<String, Integer> trackIndex = new HashMap<>();
  private final long entryLength;
  private final long head;
  private final long tail;
  private final long notEmpty;
  private final long notFull;
  private final long redeliveries;
  private final long slots;
  private final long lengthsLength;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** The handle itself (1 until close), plus operations in flight and popped entries not yet released. */
  private final AtomicInteger refs = new AtomicInteger(1);
  /** When a non-blocking operation next checks whether the process blocking it is alive. */
  private volatile long nextBlockedCheck;
  /** The adaptive spins of this handle's consumers (pop) and producers (push, createEntry). */
  private final Waiter.Spin consumerSpin;
  private final Waiter.Spin producerSpin;

  private ShmQueue(ShmDepot depot, Store store, String name, ObjectHandleImpl pin, long q) {
    this.depot = depot;
    this.store = store;
    this.mem = store.mem;
    this.name = name;
    this.pin = pin;
    this.version = pin.version();
    this.q = q;
    this.capacity = mem.getInt(q + CAPACITY_OFFSET);
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    this.entryLength = mem.getLong(q + ENTRY_LENGTH_OFFSET);
    this.tracks = new ArrayList<>(trackCount);
    this.trackOffset = new long[trackCount];
    this.trackSize = new long[trackCount];
    for (int i = 0; i < trackCount; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      String tn = new String(mem.slice(t + TRACK_NAME_OFFSET, mem.getByte(t + TRACK_NAME_LENGTH_OFFSET))
          .toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
      trackOffset[i] = mem.getLong(t + TRACK_DATA_OFFSET_OFFSET);
      trackSize[i] = mem.getLong(t + TRACK_SIZE_OFFSET);
      if (mem.getByte(t + TRACK_IS_ARRAY_OFFSET) != 0) {
        long[] shape = new long[mem.getByte(t + TRACK_NDIM_OFFSET)];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = mem.getLong(t + TRACK_SHAPE_OFFSET + 8L * d);
        }
        tracks.add(Track.array(tn, DType.ofCode(mem.getByte(t + TRACK_DTYPE_OFFSET)), shape));
      } else {
        tracks.add(Track.bytes(tn, trackSize[i]));
      }
      trackIndex.put(tn, i);
    }
    this.head = q + headOffset(trackCount);
    this.tail = q + tailOffset(trackCount);
    this.notEmpty = q + notEmptyOffset(trackCount);
    this.notFull = q + notFullOffset(trackCount);
    this.redeliveries = q + redeliveriesOffset(trackCount);
    this.slots = q + slotsOffset(trackCount);
    this.lengthsLength = lengthsLength(trackCount);
    this.consumerSpin = new Waiter.Spin(store.options.queueSpinNanos());
    this.producerSpin = new Waiter.Spin(store.options.queueSpinNanos());
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
      offsets[i] = at;
      at = StoreLayout.align(at + tracks[i].size(), 64);
    }
    offsets[tracks.length] = at;
    return offsets;
  }

  /** Writes a new queue's header, track table and empty ring into {@code q} (a claim's value). */
  static void format(Mem mem, long q, int capacity, Track[] tracks, long[] offsets) {
    long length = QueueDescriptor.length(tracks.length, capacity);
    mem.segment().asSlice(q, length).fill((byte) 0);
    mem.putInt(q + CAPACITY_OFFSET, capacity);
    mem.putInt(q + TRACK_COUNT_OFFSET, tracks.length);
    mem.putLong(q + ENTRY_LENGTH_OFFSET, offsets[tracks.length]);
    for (int i = 0; i < tracks.length; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      byte[] n = tracks[i].name().getBytes(StandardCharsets.UTF_8);
      mem.putByte(t + TRACK_NAME_LENGTH_OFFSET, n.length);
      MemorySegment.copy(n, 0, mem.segment(), ValueLayout.JAVA_BYTE, t + TRACK_NAME_OFFSET, n.length);
      mem.putByte(t + TRACK_IS_ARRAY_OFFSET, tracks[i].isArray() ? 1 : 0);
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
    int capacity = mem.getInt(q + CAPACITY_OFFSET);
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    if (mem.getLongAcquire(q + MAGIC_OFFSET) != MAGIC
        || capacity < 1
        || capacity > io.depot.Depot.MAX_QUEUE_CAPACITY
        || trackCount < 1
        || trackCount > Track.MAX_TRACKS
        || QueueDescriptor.length(trackCount, capacity) > pin.size()) {
      throw new io.depot.CorruptStoreException("queue object has no valid queue header (capacity=" + capacity
          + " tracks=" + trackCount + " size=" + pin.size() + "): name=" + pin.name());
    }
    long entryLength = mem.getLong(q + ENTRY_LENGTH_OFFSET);
    if (entryLength < lengthsLength(trackCount)) {
      throw new io.depot.CorruptStoreException("queue entry length=" + entryLength + " cannot hold its " + trackCount
          + " track lengths: name=" + pin.name());
    }
    for (int i = 0; i < trackCount; i++) {
      long t = q + TRACKS_OFFSET + (long) TRACK_LENGTH * i;
      long off = mem.getLong(t + TRACK_DATA_OFFSET_OFFSET);
      long size = mem.getLong(t + TRACK_SIZE_OFFSET);
      int nameLength = mem.getByte(t + TRACK_NAME_LENGTH_OFFSET);
      if (off < lengthsLength(trackCount) || size < 0 || off > entryLength - size || nameLength < 1 || nameLength > Track.MAX_NAME_BYTES
          || mem.getByte(t + TRACK_NDIM_OFFSET) > io.depot.NDArray.MAX_DIMS) {
        throw new io.depot.CorruptStoreException("queue track " + i + " is damaged (offset=" + off + " size=" + size
            + " entry length=" + entryLength + "): name=" + pin.name());
      }
    }
    return new ShmQueue(depot, store, pin.name(), pin, q);
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

  /** Takes a reference on this handle for an operation or a popped entry; fails once the handle is closed. */
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
    return slots + (position % capacity) * SLOT_LENGTH;
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
        // The previous round's position is still in the queue (or popped and not released): full. If a dead
        // consumer holds it, resolve it; if it waits to be delivered again, remind the consumers (each at most every
        // 20 ms per handle) and look again.
        if (pos >= capacity && blockedCheckDue()) {
          if (recoverPosition(pos - capacity)) {
            continue;
          }
          if (state(c) == REDELIVER) {
            remindRedelivery();
          }
        }
        return -1;
      } else {
        mem.compareAndSetLong(tail, pos, pos + 1); // this position was claimed and consumed already
      }
    }
  }

  /** Claims a position and allocates its entry; null if full. */
  private EntryClaimImpl tryClaim() {
    long pos = claimPosition();
    if (pos < 0) {
      return null;
    }
    long s = slot(pos);
    int lap = lapOf(pos, capacity);
    int index;
    try {
      index = store.claim(NO_NAME, 0, name + "#" + pos, io.depot.ValueKind.BYTES.code(), 0, NO_SHAPE, null,
          entryLength, false, ObjectDescriptor.FLAG_ENTRY);
    } catch (RuntimeException e) { // store or directory full: give the position up
      mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, SKIP, 0));
      notifyAllNotEmpty();
      throw e;
    }
    long d = store.layout.descriptor(index);
    mem.putLong(d + ObjectDescriptor.AUX_OFFSET, version);
    mem.putLong(d + ObjectDescriptor.COMMIT_SEQ_OFFSET, pos);
    long data = store.dataAddress(index);
    if (store.options.zeroClaims()) {
      mem.segment().asSlice(data + lengthsLength, entryLength - lengthsLength).fill((byte) 0);
    }
    for (int i = 0; i < trackSize.length; i++) {
      mem.putLong(data + 8L * i, trackSize[i]); // a track not given a length holds its whole size
    }
    int gen = ObjectDescriptor.generation(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
    mem.putLongRelease(s + SLOT_ENTRY_OFFSET, ObjectDescriptor.ownerTag(index, gen));
    store.outstanding.increment();
    return new EntryClaimImpl(this, pos, index, data);
  }

  void commitClaim(EntryClaimImpl claim) {
    store.enter();
    try {
      store.commit(claim.index);
      long s = slot(claim.sequence);
      int lap = lapOf(claim.sequence, capacity);
      long claimed = QueueDescriptor.ctl(lap, CLAIMED, store.token);
      store.outstanding.decrement();
      if (!mem.compareAndSetLong(s + SLOT_CTL_OFFSET, claimed, QueueDescriptor.ctl(lap, COMMITTED, store.token))) {
        // Only possible if another process took this client for dead and skipped the claim.
        store.retireAndFree(claim.index, false);
        throw new io.depot.DepotException("entry position was skipped before commit (this process was taken for "
            + "dead): sequence=" + claim.sequence + " queue=" + name);
      }
      notifyNotEmpty();
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  void abortClaim(EntryClaimImpl claim) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      return; // given back by the store's close
    }
    try {
      store.abort(claim.index);
      store.outstanding.decrement();
      long s = slot(claim.sequence);
      int lap = lapOf(claim.sequence, capacity);
      mem.compareAndSetLong(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, CLAIMED, store.token),
          QueueDescriptor.ctl(lap, SKIP, 0));
      notifyAllNotEmpty(); // consumers blocked at this position can pass it now
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
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
        notifyNotFull(); // likewise for producers, while room remains
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
    Optional<EntryClaim> c = tryCreateEntry();
    if (c.isEmpty()) {
      return FULL;
    }
    return fill(c.get(), values);
  }

  @Override
  public long tryPush(NDArray... values) {
    return tryPush(segments(values));
  }

  @Override
  public long push(Duration timeout, MemorySegment... values) {
    checkValues(values);
    return fill(createEntry(timeout), values);
  }

  @Override
  public long push(Duration timeout, NDArray... values) {
    return push(timeout, segments(values));
  }

  private MemorySegment[] segments(NDArray[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException("queue " + name + " has " + tracks.size() + " tracks, got values="
          + values.length);
    }
    MemorySegment[] s = new MemorySegment[values.length];
    for (int i = 0; i < values.length; i++) {
      Track t = tracks.get(i);
      if (!t.isArray() || t.dtype() != values[i].dtype() || !Arrays.equals(t.shape(), values[i].shape())) {
        throw new TypeMismatchException("value " + values[i] + " does not match track " + t + " of queue=" + name);
      }
      s[i] = values[i].segment();
    }
    return s;
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
      if (tracks.get(i).isArray() && size != trackSize[i]) {
        throw new InvalidArgumentException("value of size=" + size + " does not fill array track="
            + tracks.get(i).name() + " of size=" + trackSize[i] + " in queue=" + name);
      }
    }
  }

  private long fill(EntryClaim claim, MemorySegment[] values) {
    try (claim) {
      for (int i = 0; i < values.length; i++) {
        long size = values[i].byteSize();
        MemorySegment.copy(values[i], 0, claim.track(i), 0, size);
        if (!tracks.get(i).isArray()) {
          claim.setLength(i, size);
        }
      }
      claim.commit();
      return claim.sequence();
    }
  }

  // ------------------------------------------------------------------ consuming

  /** Pops the head: an entry handle, {@link #EMPTY_QUEUE} if empty, or null after a force pop that freed it. */
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
        return EMPTY_QUEUE; // the slot still holds the previous round's popped entry: nothing claimed at pos yet
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
        case POPPED, REDELIVER -> mem.compareAndSetLong(head, pos, pos + 1); // popped, the head is late: help
        case SKIP -> {
          if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0))) {
            mem.compareAndSetLong(head, pos, pos + 1);
            notifyNotFull();
          }
        }
        case COMMITTED -> {
          if (force) {
            if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
              long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
              store.retireAndFree(ObjectDescriptor.ownerIndex(v), true);
              mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0));
              mem.compareAndSetLong(head, pos, pos + 1);
              notifyNotFull();
              return null;
            }
          } else if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, POPPED, store.token))) {
            mem.compareAndSetLong(head, pos, pos + 1);
            EntryImpl e = takePopped(pos, s, lap);
            if (e != null) {
              return e;
            }
          }
        }
        case REMOVING -> {
          // Another consumer (or a deleter) is finishing this position: wait for it, since entries behind it may be
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
        EntryImpl e = takePopped(p, s, lap);
        if (e != null) {
          return e;
        }
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
   * Pins the entry of a slot this client just moved to POPPED and hands it out; if the entry cannot be pinned (only
   * a damaged slot does that), completes the position as consumed and returns null.
   */
  private EntryImpl takePopped(long pos, long s, int lap) {
    long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
    int index = ObjectDescriptor.ownerIndex(v);
    int gen = ObjectDescriptor.ownerGeneration(v);
    int entry = index >= 0 && index < store.layout.maxObjects ? store.pin(index, gen) : -1;
    if (entry < 0) {
      mem.compareAndSetLong(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, POPPED, store.token),
          QueueDescriptor.ctl(nextLap(lap), EMPTY, 0));
      notifyNotFull();
      return null;
    }
    refs.incrementAndGet(); // the handle stays pinned until this entry is released
    store.outstanding.increment();
    return new EntryImpl(this, pos, index, gen, entry, store.dataAddress(index), lap);
  }

  /**
   * Releases a popped entry (its handle is closing): the entry is consumed. Retires it (our pin keeps it alive),
   * frees its position for the producers, then unpins (the last unpin frees it).
   */
  void releasePopped(EntryImpl e) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException closed) {
      return; // the store's close delivered it again
    }
    try {
      store.retireAndFree(e.index(), false);
      long s = slot(e.sequence());
      int lap = e.lap();
      if (mem.compareAndSetLong(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, POPPED, store.token),
          QueueDescriptor.ctl(nextLap(lap), EMPTY, 0))) {
        notifyNotFull();
      }
      store.unpin(e.index(), e.generation(), e.journalEntry());
      store.outstanding.decrement();
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

  /** A handle on the committed entry at {@code sequence}, or null. */
  private EntryImpl readOnce(long sequence) {
    if (sequence < 0 || sequence >= mem.getLongAcquire(tail)) {
      return null;
    }
    long s = slot(sequence);
    long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
    if (QueueDescriptor.lap(c) != lapOf(sequence, capacity) || state(c) != COMMITTED) {
      return null;
    }
    long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
    int index = ObjectDescriptor.ownerIndex(v);
    int gen = ObjectDescriptor.ownerGeneration(v);
    if (index < 0 || index >= store.layout.maxObjects) {
      return null;
    }
    int entry = store.pin(index, gen);
    if (entry < 0) {
      return null;
    }
    // The pin succeeded on a committed entry; make sure it is the one at this position (not a later lap's).
    long d = store.layout.descriptor(index);
    if (mem.getLong(d + ObjectDescriptor.COMMIT_SEQ_OFFSET) != sequence) {
      store.unpin(index, gen, entry);
      return null;
    }
    return new EntryImpl(this, sequence, index, gen, entry, store.dataAddress(index), -1);
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
          long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
          store.retireAndFree(ObjectDescriptor.ownerIndex(v), force);
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
    Waiter.signal(mem, notEmpty, 1);
  }

  /** Wakes every sleeping consumer: a position they may all be blocked at was resolved. */
  private void notifyAllNotEmpty() {
    Waiter.signal(mem, notEmpty, Integer.MAX_VALUE);
  }

  /** Wakes one sleeping producer: one slot more is free. */
  private void notifyNotFull() {
    Waiter.signal(mem, notFull, 1);
  }

  /**
   * Resolves the position a waiter is blocked at if the process holding it died: a dead producer's claim is
   * skipped, a dead consumer's removal is undone or completed, its popped entry redelivered.
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
    if (owner == store.token || !store.recovery.recoverIfDead(owner)) {
      return false; // ours, or a live client's
    }
    return true; // the dead client's whole state, this position included, is recovered
  }

  /**
   * Resolves a slot whose ctl {@code c} is CLAIMED, POPPED or REMOVING by a dead client: takes it over with a CAS,
   * then delivers a popped entry again (REDELIVER), puts a committed entry back (a removal that died before
   * retiring it), or aborts or frees the dead producer's entry and marks the position SKIP (or, for a popped entry
   * already retired by its release, EMPTY for the next lap). The entry is only touched if its descriptor proves it
   * belongs to this queue and position (the slot's entry word may be stale if the producer died before writing
   * it).
   *
   * @return whether this call resolved the slot
   */
  static boolean resolveDeadSlot(Store store, long q, long version, long s, int lap, long position, long c) {
    Mem mem = store.mem;
    if (!mem.compareAndSetLong(s + SLOT_CTL_OFFSET, c, QueueDescriptor.ctl(lap, REMOVING, store.token))) {
      return false;
    }
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
    int index = ObjectDescriptor.ownerIndex(v);
    int gen = ObjectDescriptor.ownerGeneration(v);
    long deadOwner = QueueDescriptor.token(c);
    boolean ours = index >= 0 && index < store.layout.maxObjects;
    long d = ours ? store.layout.descriptor(index) : 0;
    long ec = ours ? mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET) : 0;
    ours = ours && ObjectDescriptor.generation(ec) == gen
        && (mem.getByte(d + ObjectDescriptor.FLAGS_OFFSET) & ObjectDescriptor.FLAG_ENTRY) != 0
        && mem.getLong(d + ObjectDescriptor.AUX_OFFSET) == version
        && mem.getLong(d + ObjectDescriptor.COMMIT_SEQ_OFFSET) == position;
    boolean committed = ours && ObjectDescriptor.state(ec) == ObjectDescriptor.COMMITTED;
    switch (state(c)) {
      case POPPED -> {
        if (committed) {
          mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, REDELIVER, 0));
          mem.getAndAddLong(q + redeliveriesOffset(trackCount), 1);
        } else {
          mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(nextLap(lap), EMPTY, 0));
          Waiter.signal(mem, q + notFullOffset(trackCount), 1);
        }
        // A consumer that died between its slot CAS and its head CAS left the head at its position: move it on.
        mem.compareAndSetLong(q + headOffset(trackCount), position, position + 1);
        Waiter.signal(mem, q + notEmptyOffset(trackCount), Integer.MAX_VALUE);
        return true;
      }
      case REMOVING -> {
        mem.putLongRelease(s + SLOT_CTL_OFFSET, committed ? QueueDescriptor.ctl(lap, COMMITTED, 0)
            : QueueDescriptor.ctl(lap, SKIP, 0));
      }
      default -> { // CLAIMED
        if (ours) {
          int es = ObjectDescriptor.state(ec);
          if (es == ObjectDescriptor.WRITE && ObjectDescriptor.count(ec) == deadOwner
              && mem.compareAndSetLong(d + ObjectDescriptor.CTL_OFFSET, ec,
                  ObjectDescriptor.with(ec, es, store.token))) {
            store.abort(index);
          } else if (es == ObjectDescriptor.COMMITTED) {
            store.retireAndFree(index, false); // committed, but the producer died before publishing the slot
          }
        }
        mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(lap, SKIP, 0));
      }
    }
    Waiter.signal(mem, q + notEmptyOffset(trackCount), Integer.MAX_VALUE);
    return true;
  }

  /**
   * Resolves every position of the queue at {@code q} held by a client whose token matches {@code dead} (client
   * recovery, or this client's own at close). Called with the queue's memory pinned.
   *
   * @return the number of positions resolved
   */
  static long recoverPositions(Store store, long q, long queueVersion, LongPredicate dead) {
    Mem mem = store.mem;
    if (mem.getLongAcquire(q + MAGIC_OFFSET) != MAGIC) {
      return 0;
    }
    int capacity = mem.getInt(q + CAPACITY_OFFSET);
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    if (capacity < 1 || trackCount < 1 || trackCount > Track.MAX_TRACKS) {
      return 0;
    }
    long slotsAt = q + slotsOffset(trackCount);
    long t = mem.getLongAcquire(q + tailOffset(trackCount));
    long n = 0;
    // Every position with state lies in [t - capacity, t]: popped ones not yet released down to t - capacity (the
    // producers wait for them), and a claim whose tail update is late at t itself.
    for (long p = Math.max(0, t - capacity); p <= t; p++) {
      long s = slotsAt + (p % capacity) * SLOT_LENGTH;
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int st = state(c);
      if ((st == CLAIMED || st == REMOVING || st == POPPED) && dead.test(QueueDescriptor.token(c))
          && QueueDescriptor.lap(c) == lapOf(p, capacity)
          && resolveDeadSlot(store, q, queueVersion, s, QueueDescriptor.lap(c), p, c)) {
        n++;
      }
    }
    return n;
  }

  /** When a queue object is freed (no process has it open): retire the entries still in it. */
  static void releaseEntries(Store store, long q) {
    Mem mem = store.mem;
    if (mem.getLongAcquire(q + MAGIC_OFFSET) != MAGIC) {
      return;
    }
    int capacity = mem.getInt(q + CAPACITY_OFFSET);
    int trackCount = mem.getInt(q + TRACK_COUNT_OFFSET);
    if (capacity < 1 || trackCount < 1 || trackCount > Track.MAX_TRACKS) {
      return;
    }
    long version = mem.getLong(q + QUEUE_VERSION_OFFSET);
    long slotsAt = q + slotsOffset(trackCount);
    for (int i = 0; i < capacity; i++) {
      long s = slotsAt + (long) i * SLOT_LENGTH;
      long c = mem.getLongAcquire(s + SLOT_CTL_OFFSET);
      int st = state(c);
      if (st != COMMITTED && st != REMOVING && st != POPPED && st != REDELIVER) {
        continue;
      }
      long v = mem.getLongAcquire(s + SLOT_ENTRY_OFFSET);
      int index = ObjectDescriptor.ownerIndex(v);
      if (index < 0 || index >= store.layout.maxObjects) {
        continue;
      }
      long d = store.layout.descriptor(index);
      long ec = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
      if (ObjectDescriptor.generation(ec) == ObjectDescriptor.ownerGeneration(v)
          && (mem.getByte(d + ObjectDescriptor.FLAGS_OFFSET) & ObjectDescriptor.FLAG_ENTRY) != 0
          && mem.getLong(d + ObjectDescriptor.AUX_OFFSET) == version
          && ObjectDescriptor.state(ec) == ObjectDescriptor.COMMITTED) {
        store.retireAndFree(index, false);
      }
      mem.putLongRelease(s + SLOT_CTL_OFFSET, QueueDescriptor.ctl(QueueDescriptor.lap(c), SKIP, 0));
    }
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
