package io.depot.redis.store;

import io.depot.DType;
import io.depot.DepotException;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.EntryNotFoundException;
import io.depot.HandleClosedException;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
import io.depot.ObjectNotFoundException;
import io.depot.Overflow;
import io.depot.QueueCursor;
import io.depot.QueueFullException;
import io.depot.Track;
import io.depot.TypeMismatchException;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.models.stream.ClaimedMessages;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A queue on a Redis Stream: entry {@code s} is stream id {@code 0-(s+1)}; pop reads through the
 * consumer group {@code g} as a consumer of this handle's own; release acknowledges and deletes.
 *
 * <pre>
 * Concurrency: push is one script (capacity, sequence and XADD atomic). Pop is XAUTOCLAIM (entries whose consumer
 * stopped heart-beating for claimIdle: a dead consumer's) then XREADGROUP; each entry goes to one consumer at a
 * time. While this handle holds a popped entry, a heartbeat (XCLAIM to itself, JUSTID, every claimIdle / 3) keeps
 * its idle time low, so a live consumer keeps its entries and a SIGKILLed one loses them after claimIdle. Blocking
 * pops wait in XREADGROUP BLOCK on a connection of this handle's own, so they never hold up the shared connection.
 * </pre>
 */
final class RedisQueue implements DepotQueue {
  private static final byte[] GROUP = RedisObjectStore.b("g");

  private final RedisObjectStore store;
  private final String name;
  private final int capacity;
  private final Overflow overflow;
  private final List<Track> tracks;
  final byte[] hash;
  final byte[] stream;
  private final String consumer = UUID.randomUUID().toString();
  private final Consumer<byte[]> me;

  /** Stream ids of the popped entries this handle holds, not yet released. */
  private final Set<String> held = ConcurrentHashMap.newKeySet();

  private final ScheduledFuture<?> heartbeat;
  private final ReentrantLock blockingLock = new ReentrantLock();
  private RedisLink.@Nullable Blocking blocking;
  private volatile boolean closed;

  RedisQueue(
      RedisObjectStore store, String name, int capacity, Overflow overflow, List<Track> tracks) {
    this.store = store;
    this.name = name;
    this.capacity = capacity;
    this.overflow = overflow;
    this.tracks = List.copyOf(tracks);
    this.hash = store.keys.object(name);
    this.stream = store.keys.stream(name);
    this.me = Consumer.from(GROUP, RedisObjectStore.b(consumer));
    long period = Math.max(10, store.options.claimIdle().toMillis() / 3);
    this.heartbeat =
        store.timer.scheduleAtFixedRate(this::beat, period, period, TimeUnit.MILLISECONDS);
    store.opened(this);
    try {
      // Consumers of handles whose process died without closing them: forgotten once they hold
      // nothing.
      store.link.script(
          "openQueue",
          Scripts.FORGET_IDLE_CONSUMERS,
          ScriptOutputType.INTEGER,
          new byte[][] {stream},
          RedisObjectStore.ascii(10 * store.options.claimIdle().toMillis()));
    } catch (RuntimeException e) {
      // housekeeping only
    }
  }

  private void beat() {
    if (held.isEmpty()) {
      return;
    }
    try {
      store.link.commands.xclaim(
          stream, me, XClaimArgs.Builder.minIdleTime(0).justid(), held.toArray(String[]::new));
    } catch (RuntimeException e) {
      // missed beat: the next one comes within claimIdle / 3
    }
  }

  private void ensureOpen() {
    store.ensureOpen();
    if (closed) {
      throw new HandleClosedException("queue handle is closed: name=" + name);
    }
  }

  private <T> T call(String op, java.util.function.Supplier<T> c) {
    try {
      return store.link.call(op, c);
    } catch (DepotException e) {
      if (e.getMessage() != null && e.getMessage().contains("NOGROUP")) {
        throw new ObjectNotFoundException("queue was removed: name=" + name, e);
      }
      throw e;
    }
  }

  static String id(long sequence) {
    return "0-" + (sequence + 1);
  }

  static long sequenceOf(String id) {
    return Long.parseLong(id.substring(id.indexOf('-') + 1)) - 1;
  }

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
    return tracks;
  }

  @Override
  public int trackIndex(String trackName) {
    for (int i = 0; i < tracks.size(); i++) {
      if (tracks.get(i).name().equals(trackName)) {
        return i;
      }
    }
    throw new InvalidNameException("no track=" + trackName + " in queue=" + name);
  }

  // ---------------------------------------------------------------- producing

  private byte[][] fields(MemorySegment[] values, long @Nullable [][] shapes) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException(
          "values=" + values.length + " for tracks=" + tracks.size() + ": queue=" + name);
    }
    List<byte[]> out = new ArrayList<>(values.length * 2);
    for (int i = 0; i < values.length; i++) {
      Track t = tracks.get(i);
      long size = values[i].byteSize();
      if (size > t.size()) {
        throw new InvalidArgumentException(
            "value of size="
                + size
                + " is larger than track="
                + t.name()
                + " of "
                + t.size()
                + " B: queue="
                + name);
      }
      if (t.isArray() && !t.isVariableShape() && size != t.size()) {
        throw new InvalidArgumentException(
            "value of size="
                + size
                + " does not fill array track="
                + t.name()
                + " of "
                + t.size()
                + " B: queue="
                + name);
      }
      out.add(RedisObjectStore.b("b" + i));
      out.add(values[i].toArray(ValueLayout.JAVA_BYTE));
      long[] shape = shapes == null ? null : shapes[i];
      if (shape == null && t.isVariableShape()) {
        DType d = Objects.requireNonNull(t.dtype()); // a variable-shape array track
        if (size % d.itemSize() != 0) {
          throw new InvalidArgumentException(
              "value of size="
                  + size
                  + " is not whole elements of dtype="
                  + d.numpyName()
                  + ": track="
                  + t.name());
        }
        shape = new long[] {size / t.dtype().itemSize()};
      }
      if (shape != null) {
        out.add(RedisObjectStore.b("h" + i));
        out.add(RedisObjectStore.b(RedisObjectStore.shapeText(shape)));
      }
    }
    return out.toArray(byte[][]::new);
  }

  private long tryAppend(byte[][] fields) {
    ensureOpen();
    Long r =
        store.link.script(
            "push", Scripts.PUSH, ScriptOutputType.INTEGER, new byte[][] {hash, stream}, fields);
    if (r == -2) {
      throw new ObjectNotFoundException("queue was removed: name=" + name);
    }
    return r;
  }

  private long appendWaiting(byte[][] fields, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 1;
    while (true) {
      long r = tryAppend(fields);
      if (r != FULL || overflow == Overflow.FAIL) {
        return r;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DepotTimeoutException(
            "queue stayed full for timeout=" + timeout + ": queue=" + name);
      }
      RedisObjectStore.sleep(Math.min(sleep, Math.max(1, left / 1_000_000)));
      sleep = Math.min(50, sleep * 2);
    }
  }

  /** A claim's commit: appends, waiting up to {@code timeout} for room. */
  long append(MemorySegment[] values, long[][] shapes, Duration timeout) {
    long r = appendWaiting(fields(values, shapes), timeout);
    if (r == FULL) {
      throw new QueueFullException("queue is full: capacity=" + capacity + " queue=" + name);
    }
    return r;
  }

  private record Arrays2(MemorySegment[] values, long[][] shapes) {}

  private Arrays2 arrays(NDArray[] values) {
    if (values.length != tracks.size()) {
      throw new InvalidArgumentException(
          "values=" + values.length + " for tracks=" + tracks.size() + ": queue=" + name);
    }
    MemorySegment[] segs = new MemorySegment[values.length];
    long[][] shapes = new long[values.length][];
    for (int i = 0; i < values.length; i++) {
      Track t = tracks.get(i);
      NDArray a = values[i];
      if (!t.isArray() || t.dtype() != a.dtype()) {
        throw new TypeMismatchException(
            "array of dtype=" + a.dtype().numpyName() + " for track=" + t + ": queue=" + name);
      }
      if (t.isVariableShape()) {
        if (a.size() > t.maxElements()) {
          throw new InvalidArgumentException(
              "array of shape="
                  + Arrays.toString(a.shape())
                  + " has more than maxElements="
                  + t.maxElements()
                  + ": track="
                  + t.name());
        }
        shapes[i] = a.shape();
      } else if (!Arrays.equals(a.shape(), t.shape())) {
        throw new TypeMismatchException(
            "array of shape=" + Arrays.toString(a.shape()) + " for track=" + t + ": queue=" + name);
      }
      segs[i] = a.segment();
    }
    return new Arrays2(segs, shapes);
  }

  @Override
  public long tryPush(MemorySegment... values) {
    return tryAppend(fields(values, null));
  }

  @Override
  public long tryPush(NDArray... values) {
    Arrays2 a = arrays(values);
    return tryAppend(fields(a.values, a.shapes));
  }

  @Override
  public long push(Duration timeout, MemorySegment... values) {
    return appendWaiting(fields(values, null), timeout);
  }

  @Override
  public long push(Duration timeout, NDArray... values) {
    Arrays2 a = arrays(values);
    return appendWaiting(fields(a.values, a.shapes), timeout);
  }

  private boolean full() {
    return call("size", () -> store.link.commands.xlen(stream)) >= capacity;
  }

  @Override
  public Optional<EntryClaim> tryCreateEntry() {
    ensureOpen();
    if (overflow != Overflow.OVERWRITE_OLDEST && full()) {
      return Optional.empty();
    }
    return Optional.of(new RedisEntryClaim(this, Duration.ZERO));
  }

  @Override
  public EntryClaim createEntry(Duration timeout) {
    ensureOpen();
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 1;
    while (overflow != Overflow.OVERWRITE_OLDEST && full()) {
      if (overflow == Overflow.FAIL) {
        throw new QueueFullException("queue is full: capacity=" + capacity + " queue=" + name);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DepotTimeoutException(
            "queue stayed full for timeout=" + timeout + ": queue=" + name);
      }
      RedisObjectStore.sleep(Math.min(sleep, Math.max(1, left / 1_000_000)));
      sleep = Math.min(50, sleep * 2);
    }
    return new RedisEntryClaim(this, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  // ---------------------------------------------------------------- consuming

  private RedisEntry entry(StreamMessage<byte[], byte[]> m, boolean popped) {
    MemorySegment[] segs = new MemorySegment[tracks.size()];
    long[][] shapes = new long[tracks.size()][];
    for (Map.Entry<byte[], byte[]> f : m.getBody().entrySet()) {
      String k = new String(f.getKey(), StandardCharsets.UTF_8);
      int i = Integer.parseInt(k.substring(1));
      if (k.charAt(0) == 'b') {
        segs[i] = RedisObjectStore.aligned(f.getValue()).asReadOnly();
      } else if (k.charAt(0) == 'h') {
        shapes[i] = RedisObjectStore.parseShape(new String(f.getValue(), StandardCharsets.UTF_8));
      }
    }
    for (int i = 0; i < segs.length; i++) {
      if (segs[i] == null) {
        segs[i] = MemorySegment.ofArray(new byte[0]).asReadOnly();
      }
    }
    if (popped) {
      held.add(m.getId());
    }
    return new RedisEntry(this, sequenceOf(m.getId()), segs, shapes, popped);
  }

  /**
   * An entry idle for claimIdle in another consumer's hands (its consumer died or stalled), taken
   * over.
   */
  private Optional<Entry> claimAbandoned() {
    String start = "0-0";
    for (int round = 0; round < 8; round++) {
      String from = start;
      ClaimedMessages<byte[], byte[]> c =
          call(
              "pop",
              () ->
                  store.link.commands.xautoclaim(
                      stream,
                      XAutoClaimArgs.Builder.xautoclaim(me, store.options.claimIdle(), from)
                          .count(1)));
      for (StreamMessage<byte[], byte[]> m : c.getMessages()) {
        if (m == null || m.getBody() == null || m.getBody().isEmpty()) {
          if (m != null && m.getId() != null) {
            call(
                "pop",
                () -> store.link.commands.xack(stream, GROUP, m.getId())); // deleted meanwhile
          }
          continue;
        }
        return Optional.of(entry(m, true));
      }
      start = c.getId();
      if (start == null || start.equals("0-0")) {
        break;
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Entry> tryPop() {
    ensureOpen();
    Optional<Entry> abandoned = claimAbandoned();
    if (abandoned.isPresent()) {
      return abandoned;
    }
    List<StreamMessage<byte[], byte[]>> ms =
        call(
            "pop", () -> store.link.commands.xreadgroup(me, XReadArgs.Builder.count(1), offsets()));
    return ms.isEmpty() ? Optional.empty() : Optional.of(entry(ms.getFirst(), true));
  }

  @Override
  public Entry pop(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Optional<Entry> e = tryPop();
      if (e.isPresent()) {
        return e.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DepotTimeoutException(
            "queue stayed empty for timeout=" + timeout + ": queue=" + name);
      }
      // Wake on a new entry, or in time for an abandoned one to be claimable.
      long blockMillis =
          Math.max(
              1,
              Math.min(
                  left / 1_000_000,
                  Math.min(
                      1000,
                      Math.min(
                          store.options.claimIdle().toMillis(),
                          store.options.timeout().toMillis() / 2))));
      Optional<Entry> got = blockingRead(blockMillis);
      if (got.isPresent()) {
        return got.get();
      }
    }
  }

  private Optional<Entry> blockingRead(long millis) {
    try {
      if (!blockingLock.tryLock(millis, TimeUnit.MILLISECONDS)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new io.depot.DepotInterruptedException("interrupted while waiting: queue=" + name);
    }
    try {
      ensureOpen();
      if (blocking == null) {
        blocking = store.link.newBlockingConnection();
      }
      RedisClusterCommands<byte[], byte[]> c = blocking.commands();
      List<StreamMessage<byte[], byte[]>> ms =
          call("pop", () -> c.xreadgroup(me, XReadArgs.Builder.count(1).block(millis), offsets()));
      return ms == null || ms.isEmpty()
          ? Optional.empty()
          : Optional.of(entry(ms.getFirst(), true));
    } finally {
      blockingLock.unlock();
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private XReadArgs.StreamOffset<byte[]>[] offsets() {
    return new XReadArgs.StreamOffset[] {XReadArgs.StreamOffset.lastConsumed(stream)};
  }

  /** Consumes a popped entry (its close). */
  void release(RedisEntry e) {
    String id = id(e.sequence());
    held.remove(id);
    if (closed || store.isClosed()) {
      return; // delivered again, as the class comment of Entry says
    }
    store.link.script(
        "release",
        Scripts.RELEASE,
        ScriptOutputType.INTEGER,
        new byte[][] {stream},
        RedisObjectStore.b(id),
        RedisObjectStore.b(consumer));
  }

  @Override
  public boolean forcePop() {
    Optional<Entry> e = tryPop();
    e.ifPresent(Entry::close);
    return e.isPresent();
  }

  // ---------------------------------------------------------------- reading in place

  private Optional<Entry> range(String from, String to, boolean reverse) {
    ensureOpen();
    Range<String> r = Range.create(from, to);
    List<StreamMessage<byte[], byte[]>> ms =
        call(
            "read",
            () ->
                reverse
                    ? store.link.commands.xrevrange(stream, r, Limit.create(0, 1))
                    : store.link.commands.xrange(stream, r, Limit.create(0, 1)));
    return ms.isEmpty() ? Optional.empty() : Optional.of(entry(ms.getFirst(), false));
  }

  @Override
  public Entry read(long sequence) {
    if (sequence < 0) {
      throw new EntryNotFoundException("no entry sequence=" + sequence + ": queue=" + name);
    }
    return range(id(sequence), id(sequence), false)
        .orElseThrow(
            () ->
                new EntryNotFoundException(
                    "no committed entry sequence="
                        + sequence
                        + " (never pushed, popped or deleted): queue="
                        + name));
  }

  @Override
  public Optional<Entry> readLatest() {
    return range("-", "+", true);
  }

  @Override
  public Entry readLatestAfter(long sequence, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleep = 1;
    while (true) {
      Optional<Entry> e = readLatest();
      if (e.isPresent() && e.get().sequence() > sequence) {
        return e.get();
      }
      e.ifPresent(Entry::close);
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new DepotTimeoutException(
            "no entry after sequence="
                + sequence
                + " within timeout="
                + timeout
                + ": queue="
                + name);
      }
      RedisObjectStore.sleep(Math.min(sleep, Math.max(1, left / 1_000_000)));
      sleep = Math.min(50, sleep * 2);
    }
  }

  @Override
  public QueueCursor subscribe() {
    return subscribe(tailSequence());
  }

  @Override
  public QueueCursor subscribe(long from) {
    if (from < 0) {
      throw new InvalidArgumentException("negative from=" + from + ": queue=" + name);
    }
    ensureOpen();
    return new RedisCursor(this, Math.max(from, headSequence()));
  }

  /** The first entry at or after {@code sequence}, for a cursor. */
  Optional<Entry> firstFrom(long sequence) {
    return range(id(sequence), "+", false);
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public Overflow overflow() {
    return overflow;
  }

  @Override
  public long dropped() {
    ensureOpen();
    byte[] v = call("dropped", () -> store.link.commands.hget(hash, RedisObjectStore.b("dropped")));
    return v == null ? 0 : Long.parseLong(RedisObjectStore.str(v));
  }

  @Override
  public List<Entry> batchRead(long... sequences) {
    List<Entry> out = new ArrayList<>(sequences.length);
    try {
      for (long s : sequences) {
        out.add(read(s));
      }
      return out;
    } catch (RuntimeException e) {
      DepotQueue.release(out);
      throw e;
    }
  }

  @Override
  public boolean deleteEntry(long sequence) {
    ensureOpen();
    return call("delete", () -> store.link.commands.xdel(stream, id(sequence))) > 0;
  }

  @Override
  public boolean forceDeleteEntry(long sequence) {
    return deleteEntry(sequence);
  }

  @Override
  public long headSequence() {
    ensureOpen();
    List<StreamMessage<byte[], byte[]>> ms =
        call(
            "head",
            () -> store.link.commands.xrange(stream, Range.create("-", "+"), Limit.create(0, 1)));
    return ms.isEmpty() ? tailSequence() : sequenceOf(ms.getFirst().getId());
  }

  @Override
  public long tailSequence() {
    ensureOpen();
    byte[] v = call("tail", () -> store.link.commands.hget(hash, RedisObjectStore.b("seq")));
    if (v == null) {
      throw new ObjectNotFoundException("queue was removed: name=" + name);
    }
    return Long.parseLong(RedisObjectStore.str(v));
  }

  @Override
  public int size() {
    ensureOpen();
    long len = call("size", () -> store.link.commands.xlen(stream));
    long pending = call("size", () -> store.link.commands.xpending(stream, GROUP)).getCount();
    return (int) Math.max(0, len - pending);
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    heartbeat.cancel(false);
    try {
      if (!store.isClosed()) {
        if (!held.isEmpty()) {
          // Popped and not released: make them claimable by the next pop at once (as if idle for
          // claimIdle).
          store.link.commands.xclaim(
              stream,
              me,
              XClaimArgs.Builder.minIdleTime(0)
                  .justid()
                  .idle(store.options.claimIdle().toMillis() + 1),
              held.toArray(String[]::new));
          held.clear();
        } else {
          store.link.commands.xgroupDelconsumer(stream, me);
        }
      }
    } catch (RuntimeException e) {
      // the queue was removed, or the server is gone: nothing left to give back
    } finally {
      blockingLock.lock();
      try {
        if (blocking != null) {
          blocking.connection().close();
        }
      } finally {
        blockingLock.unlock();
      }
      store.closed(this);
    }
  }
}
