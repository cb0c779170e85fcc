package io.depot.redis.store;

import io.depot.Codec;
import io.depot.CodecException;
import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotInterruptedException;
import io.depot.DepotQueue;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.ObjectNotFoundException;
import io.depot.ObjectStore;
import io.depot.Overflow;
import io.depot.PutMode;
import io.depot.StoreAccessException;
import io.depot.StoreClosedException;
import io.depot.StoreNotFoundException;
import io.depot.StoreStats;
import io.depot.Track;
import io.depot.TypeMismatchException;
import io.depot.ValueKind;
import io.depot.ValueTooLargeException;
import io.depot.WriteClaim;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The object store on Redis: every object a hash under its own hash tag (see {@link StoreKeys}),
 * every change one Lua script (see {@link Scripts}), queues on Redis Streams (see {@link
 * RedisQueue}).
 *
 * <pre>
 * Concurrency: the store is thread-safe. Redis runs each script atomically, so put, replace, compareAndSet and
 * remove(name, version) are atomic across every client of the store; reads are single commands (HMGET). A handle is
 * a copy taken by one HMGET, so it needs no pin on the server. Lettuce's connection is thread-safe and pipelines
 * the commands of several threads.
 * </pre>
 */
final class RedisObjectStore implements ObjectStore {
  static final int LAYOUT = 1;
  private static final byte[][] OBJECT_FIELDS = {
    b("k"), b("v"), b("n"), b("c"), b("d"), b("s"), b("r")
  };
  private static final byte[][] INFO_FIELDS = {b("k"), b("z"), b("c"), b("d"), b("s")};

  final RedisLink link;
  final StoreKeys keys;
  final RedisStoreOptions options;
  private final String uri;

  /** Heartbeats of popped entries, and nothing else: one daemon thread per store. */
  final ScheduledExecutorService timer;

  private volatile boolean closed;

  /** Where values over {@code largeValueBytes} go, or null. */
  private final @Nullable StorageProvider largeValues;

  private final java.util.Set<RedisQueue> queues =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  RedisObjectStore(RedisLink link, RedisStoreOptions options, String uri) {
    this.link = link;
    this.keys = new StoreKeys(options.prefix());
    this.options = options;
    this.uri = uri;
    this.largeValues =
        options.largeValues() == null ? null : StorageProviders.provider(options.largeValues());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "depot-redis-heartbeat");
              t.setDaemon(true);
              return t;
            });
  }

  /** Connects; with {@code create}, marks the store as existing, else requires it to exist. */
  static RedisObjectStore open(RedisStoreOptions options, boolean create) {
    RedisLink link = RedisLink.connect(options.redisUri(), options.cluster(), options.timeout());
    RedisObjectStore store;
    try {
      store = new RedisObjectStore(link, options, options.redacted());
    } catch (RuntimeException e) {
      link.close();
      throw e;
    }
    try {
      byte[] meta = store.keys.meta;
      if (create) {
        link.call("create", () -> link.commands.hsetnx(meta, b("layout"), ascii(LAYOUT)));
        link.call(
            "create",
            () -> link.commands.hsetnx(meta, b("created"), ascii(System.currentTimeMillis())));
      }
      byte[] layout = link.call("open", () -> link.commands.hget(meta, b("layout")));
      if (layout == null) {
        throw new StoreNotFoundException(
            "no depot store at uri="
                + options.redacted()
                + " (prefix="
                + options.prefix()
                + "; openOrCreate makes one)");
      }
      if (!Arrays.equals(layout, ascii(LAYOUT))) {
        throw new TypeMismatchException(
            "store of layout="
                + new String(layout, StandardCharsets.UTF_8)
                + ", expected "
                + LAYOUT
                + ": uri="
                + options.redacted());
      }
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] ascii(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  void opened(RedisQueue q) {
    queues.add(q);
  }

  void closed(RedisQueue q) {
    queues.remove(q);
  }

  boolean isClosed() {
    return closed;
  }

  void ensureOpen() {
    if (closed) {
      throw new StoreClosedException("store is closed: uri=" + uri);
    }
  }

  static void checkName(String name) {
    if (name == null) {
      throw new InvalidNameException("object name is null");
    }
    if (name.isEmpty()) {
      throw new InvalidNameException("object name is empty");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if ((Character.isHighSurrogate(c)
              && (i + 1 == name.length() || !Character.isLowSurrogate(name.charAt(i + 1))))
          || (Character.isLowSurrogate(c)
              && (i == 0 || !Character.isHighSurrogate(name.charAt(i - 1))))) {
        throw new InvalidNameException(
            "object name is not valid UTF-8 (unpaired surrogate at index " + i + "): name=" + name);
      }
    }
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > Depot.MAX_NAME_BYTES) {
      throw new InvalidNameException(
          "object name longer than "
              + Depot.MAX_NAME_BYTES
              + " bytes in UTF-8: bytes="
              + bytes
              + " name="
              + name);
    }
  }

  private void checkSize(String name, long size) {
    if (size > options.maxValueBytes()) {
      throw new ValueTooLargeException(
          "value of size="
              + size
              + " bytes is over maxValueBytes="
              + options.maxValueBytes()
              + ": name="
              + name);
    }
  }

  /** Bytes held in a heap segment aligned for every dtype (8 bytes). */
  static MemorySegment aligned(byte[] bytes) {
    MemorySegment s =
        MemorySegment.ofArray(new long[(bytes.length + 7) / 8]).asSlice(0, bytes.length);
    MemorySegment.copy(MemorySegment.ofArray(bytes), 0, s, 0, bytes.length);
    return s;
  }

  static String shapeText(long[] shape) {
    StringBuilder sb = new StringBuilder();
    for (long e : shape) {
      if (!sb.isEmpty()) {
        sb.append(',');
      }
      sb.append(e);
    }
    return sb.toString();
  }

  static long[] parseShape(String text) {
    if (text == null || text.isEmpty()) {
      return new long[0];
    }
    return Arrays.stream(text.split(",")).mapToLong(Long::parseLong).toArray();
  }

  @SuppressWarnings(
      "NullAway") // null only for a null reply, which no caller passes (they check, or Lettuce
  // throws)
  static String str(byte @Nullable [] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- writing

  /**
   * One script run: the new version, -1 if the name is taken (create), 0 if the version differed
   * (cas).
   */
  long write(
      String name,
      String mode,
      long expected,
      ValueKind kind,
      byte[] value,
      @Nullable String codecId,
      @Nullable DType dtype,
      long @Nullable [] shape) {
    ensureOpen();
    checkName(name);
    checkSize(name, value.length);
    byte[][] k = {keys.object(name), keys.stream(name)};
    byte[] inline = value;
    String ref = "";
    if (largeValues != null && value.length > options.largeValueBytes()) {
      // Content addressed: the same bytes are stored once, however many objects refer to them.
      ref = largeValues.store(value).toString();
      inline = new byte[0];
    }
    Long v =
        link.script(
            "put",
            Scripts.PUT,
            ScriptOutputType.INTEGER,
            k,
            b(mode),
            ascii(expected),
            ascii(kind.code()),
            inline,
            b(codecId == null ? "" : codecId),
            b(dtype == null ? "" : dtype.name()),
            b(shape == null ? "" : shapeText(shape)),
            b(ref),
            ascii(value.length));
    if (v > 0) {
      count("puts");
    }
    return v;
  }

  private void count(String counter) {
    // Counters are statistics: not worth a round trip of their own on the caller's thread.
    // Sent without waiting for the reply; on the same connection as the later reads, so seen by
    // them in order.
    try {
      var unused = link.async.hincrby(keys.stats, b(counter), 1);
    } catch (RuntimeException e) {
      // a lost count: the figures are advisory (StoreStats)
    }
  }

  private void create(
      String name,
      ValueKind kind,
      byte[] value,
      @Nullable String codecId,
      @Nullable DType dtype,
      long @Nullable [] shape) {
    if (write(name, "create", 0, kind, value, codecId, dtype, shape) < 0) {
      throw new ObjectExistsException("object exists: name=" + name);
    }
  }

  static <T> byte[] encode(String name, T value, Codec<T> codec) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      codec.encode(value, out);
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "codec=" + codec.id() + " failed to encode name=" + name + ": " + e, e);
    }
    return out.toByteArray();
  }

  static byte[] arrayBytes(NDArray a) {
    return a.segment().toArray(ValueLayout.JAVA_BYTE);
  }

  @Override
  public void put(String name, byte[] value) {
    create(name, ValueKind.BYTES, value.clone(), null, null, null);
  }

  @Override
  public void put(String name, ByteBuffer value) {
    byte[] b = new byte[value.remaining()];
    value.duplicate().get(b);
    create(name, ValueKind.BYTES, b, null, null, null);
  }

  @Override
  public void put(String name, MemorySegment value) {
    create(name, ValueKind.BYTES, value.toArray(ValueLayout.JAVA_BYTE), null, null, null);
  }

  @Override
  public void put(String name, String value) {
    create(name, ValueKind.STRING, value.getBytes(StandardCharsets.UTF_8), null, null, null);
  }

  @Override
  public void put(String name, NDArray value) {
    create(name, ValueKind.ARRAY, arrayBytes(value), null, value.dtype(), value.shape());
  }

  @Override
  public <T> void put(String name, T value, Codec<T> codec) {
    create(name, ValueKind.ENCODED, encode(name, value, codec), codec.id(), null, null);
  }

  @Override
  public void replace(String name, byte[] value) {
    write(name, "replace", 0, ValueKind.BYTES, value.clone(), null, null, null);
  }

  @Override
  public void replace(String name, String value) {
    write(
        name,
        "replace",
        0,
        ValueKind.STRING,
        value.getBytes(StandardCharsets.UTF_8),
        null,
        null,
        null);
  }

  @Override
  public void replace(String name, NDArray value) {
    write(
        name, "replace", 0, ValueKind.ARRAY, arrayBytes(value), null, value.dtype(), value.shape());
  }

  @Override
  public <T> void replace(String name, T value, Codec<T> codec) {
    write(
        name, "replace", 0, ValueKind.ENCODED, encode(name, value, codec), codec.id(), null, null);
  }

  @Override
  public WriteClaim claim(String name, long size, PutMode mode) {
    ensureOpen();
    checkName(name);
    if (size < 0 || size > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException(
          "claim size=" + size + " is negative or over 2 GiB: name=" + name);
    }
    checkSize(name, size);
    if (mode == PutMode.CREATE && contains(name)) {
      throw new ObjectExistsException("object exists: name=" + name);
    }
    return new RedisWriteClaim(this, name, size, mode, null, null);
  }

  @Override
  public WriteClaim claimArray(String name, DType dtype, long[] shape, PutMode mode) {
    Objects.requireNonNull(dtype, "dtype");
    long n = NDArray.elementCount(shape);
    long size;
    try {
      size = Math.multiplyExact(n, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "array too large: shape=" + Arrays.toString(shape) + " name=" + name);
    }
    ensureOpen();
    checkName(name);
    checkSize(name, size);
    if (size > Integer.MAX_VALUE - 8) {
      throw new InvalidArgumentException("claim size=" + size + " is over 2 GiB: name=" + name);
    }
    if (mode == PutMode.CREATE && contains(name)) {
      throw new ObjectExistsException("object exists: name=" + name);
    }
    return new RedisWriteClaim(this, name, size, mode, dtype, shape.clone());
  }

  @Override
  public boolean compareAndSet(String name, long expectedVersion, byte[] value) {
    return write(
            name,
            expectedVersion == Depot.NO_VERSION ? "create" : "cas",
            expectedVersion,
            ValueKind.BYTES,
            value.clone(),
            null,
            null,
            null)
        > 0;
  }

  @Override
  public boolean compareAndSet(String name, long expectedVersion, String value) {
    return write(
            name,
            expectedVersion == Depot.NO_VERSION ? "create" : "cas",
            expectedVersion,
            ValueKind.STRING,
            value.getBytes(StandardCharsets.UTF_8),
            null,
            null,
            null)
        > 0;
  }

  @Override
  public <T> boolean compareAndSet(String name, long expectedVersion, T value, Codec<T> codec) {
    return write(
            name,
            expectedVersion == Depot.NO_VERSION ? "create" : "cas",
            expectedVersion,
            ValueKind.ENCODED,
            encode(name, value, codec),
            codec.id(),
            null,
            null)
        > 0;
  }

  // ---------------------------------------------------------------- queues

  @Override
  public DepotQueue createQueue(String name, int capacity, Track... tracks) {
    return createQueue(name, capacity, Overflow.BLOCK, tracks);
  }

  @Override
  public DepotQueue createQueue(String name, int capacity, Overflow overflow, Track... tracks) {
    ensureOpen();
    checkName(name);
    Objects.requireNonNull(overflow, "overflow");
    if (capacity < 1 || capacity > Depot.MAX_QUEUE_CAPACITY) {
      throw new InvalidArgumentException(
          "queue capacity="
              + capacity
              + " is not 1.."
              + Depot.MAX_QUEUE_CAPACITY
              + ": name="
              + name);
    }
    String spec = TrackSpec.encode(name, tracks);
    for (Track t : tracks) {
      checkSize(name + "/" + t.name(), t.size());
    }
    byte[][] k = {keys.object(name), keys.stream(name)};
    Long v =
        link.script(
            "createQueue",
            Scripts.CREATE_QUEUE,
            ScriptOutputType.INTEGER,
            k,
            ascii(capacity),
            b(overflow.name()),
            b(spec));
    if (v < 0) {
      throw new ObjectExistsException("object exists: name=" + name);
    }
    return new RedisQueue(this, name, capacity, overflow, List.of(tracks));
  }

  @Override
  public DepotQueue openQueue(String name) {
    ensureOpen();
    checkName(name);
    List<KeyValue<byte[], byte[]>> f =
        link.call(
            "openQueue",
            () -> link.commands.hmget(keys.object(name), b("k"), b("q"), b("f"), b("t")));
    if (!f.get(0).hasValue()) {
      throw new ObjectNotFoundException("no queue: name=" + name);
    }
    ValueKind kind = ValueKind.ofCode(Integer.parseInt(str(f.get(0).getValue())));
    if (kind != ValueKind.QUEUE) {
      throw new TypeMismatchException("object is " + kind + ", not a QUEUE: name=" + name);
    }
    return new RedisQueue(
        this,
        name,
        Integer.parseInt(str(f.get(1).getValue())),
        Overflow.valueOf(str(f.get(2).getValue())),
        TrackSpec.decode(str(f.get(3).getValue())));
  }

  @Override
  public DepotQueue openQueue(String name, Overflow overflow) {
    DepotQueue q = openQueue(name);
    if (q.overflow() != overflow) {
      q.close();
      throw new TypeMismatchException(
          "queue has overflow=" + q.overflow() + ", not " + overflow + ": name=" + name);
    }
    return q;
  }

  // ---------------------------------------------------------------- reading

  @Override
  public long version(String name) {
    ensureOpen();
    checkName(name);
    byte[] v = link.call("version", () -> link.commands.hget(keys.object(name), b("n")));
    return v == null ? Depot.NO_VERSION : Long.parseLong(str(v));
  }

  @Override
  public ObjectHandle get(String name) {
    return tryGet(name).orElseThrow(() -> new ObjectNotFoundException("no object: name=" + name));
  }

  @Override
  public Optional<ObjectHandle> tryGet(String name) {
    ensureOpen();
    checkName(name);
    List<KeyValue<byte[], byte[]>> f =
        link.call("get", () -> link.commands.hmget(keys.object(name), OBJECT_FIELDS));
    if (!f.get(0).hasValue() || !f.get(2).hasValue()) {
      return Optional.empty();
    }
    count("gets");
    ValueKind kind = ValueKind.ofCode(Integer.parseInt(str(f.get(0).getValue())));
    byte[] value = f.get(1).getValueOrElse(new byte[0]);
    String ref = str(f.get(6).getValueOrElse(new byte[0]));
    if (!ref.isEmpty()) {
      if (largeValues == null) {
        throw new StoreAccessException(
            "object is stored by reference="
                + ref
                + " but this store has no largeValues"
                + " provider: name="
                + name
                + " uri="
                + uri);
      }
      value = largeValues.load(URI.create(ref));
    }
    String codec = str(f.get(3).getValueOrElse(new byte[0]));
    String dtype = str(f.get(4).getValueOrElse(new byte[0]));
    return Optional.of(
        new RedisHandle(
            name,
            kind,
            aligned(value),
            Long.parseLong(str(f.get(2).getValue())),
            codec.isEmpty() ? null : codec,
            dtype.isEmpty() ? null : DType.valueOf(dtype),
            parseShape(str(f.get(5).getValueOrElse(new byte[0])))));
  }

  @Override
  public ObjectHandle get(String name, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    long sleepMillis = 1;
    while (true) {
      Optional<ObjectHandle> h = tryGet(name);
      if (h.isPresent()) {
        return h.get();
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new ObjectNotFoundException(
            "no object committed within timeout=" + timeout + ": name=" + name);
      }
      sleep(Math.min(sleepMillis, Math.max(1, left / 1_000_000)));
      sleepMillis = Math.min(50, sleepMillis * 2);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DepotInterruptedException("interrupted while waiting");
    }
  }

  @Override
  public boolean contains(String name) {
    return version(name) != Depot.NO_VERSION;
  }

  @Override
  public boolean remove(String name) {
    return removeIf(name, 0);
  }

  @Override
  public boolean remove(String name, long expectedVersion) {
    if (expectedVersion <= 0) {
      throw new InvalidArgumentException(
          "expectedVersion=" + expectedVersion + " is not positive: name=" + name);
    }
    return removeIf(name, expectedVersion);
  }

  private boolean removeIf(String name, long expected) {
    ensureOpen();
    checkName(name);
    byte[][] k = {keys.object(name), keys.stream(name)};
    Long r = link.script("remove", Scripts.REMOVE, ScriptOutputType.INTEGER, k, ascii(expected));
    if (r == 1) {
      count("removes");
    }
    return r == 1;
  }

  @Override
  public List<ObjectInfo> list() {
    return list("");
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    ensureOpen();
    List<String> names = new ArrayList<>();
    ScanArgs args = ScanArgs.Builder.limit(1000).match(keys.objectPattern());
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      ScanCursor from = cursor;
      KeyScanCursor<byte[]> page = link.call("list", () -> link.commands.scan(from, args));
      for (byte[] key : page.getKeys()) {
        String n = keys.nameOf(key);
        if (n != null && n.startsWith(prefix)) {
          names.add(n);
        }
      }
      cursor = page;
    } while (!cursor.isFinished());
    List<ObjectInfo> out = new ArrayList<>(names.size());
    for (String n : names) {
      List<KeyValue<byte[], byte[]>> f =
          link.call("list", () -> link.commands.hmget(keys.object(n), INFO_FIELDS));
      if (!f.get(0).hasValue()) {
        continue; // removed meanwhile
      }
      String codec = str(f.get(2).getValueOrElse(new byte[0]));
      String dtype = str(f.get(3).getValueOrElse(new byte[0]));
      out.add(
          new ObjectInfo(
              n,
              ValueKind.ofCode(Integer.parseInt(str(f.get(0).getValue()))),
              Long.parseLong(str(f.get(1).getValueOrElse(b("0")))),
              dtype.isEmpty() ? null : DType.valueOf(dtype),
              parseShape(str(f.get(4).getValueOrElse(new byte[0]))),
              codec.isEmpty() ? null : codec));
    }
    return out;
  }

  @Override
  public StoreStats stats() {
    List<ObjectInfo> all = list();
    long entries = 0;
    for (ObjectInfo o : all) {
      if (o.kind() == ValueKind.QUEUE) {
        byte[] s = keys.stream(o.name());
        entries += link.call("stats", () -> link.commands.xlen(s));
      }
    }
    Map<byte[], byte[]> c = link.call("stats", () -> link.commands.hgetall(keys.stats));
    long puts = 0;
    long gets = 0;
    long removes = 0;
    for (Map.Entry<byte[], byte[]> e : c.entrySet()) {
      long n = Long.parseLong(str(e.getValue()));
      switch (str(e.getKey())) {
        case "puts" -> puts = n;
        case "gets" -> gets = n;
        case "removes" -> removes = n;
        default -> {}
      }
    }
    return new StoreStats(
        0, 0, 0, 0, 0, all.size(), entries, 0, 0, 0, 0, 0, 0, puts, gets, removes);
  }

  @Override
  public String name() {
    return keys.prefix;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    for (RedisQueue q : List.copyOf(queues)) {
      q.close(); // gives back its popped entries: delivered again
    }
    closed = true;
    timer.shutdown();
    if (largeValues != null) {
      largeValues.close();
    }
    try {
      timer.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    link.close();
  }

  @Override
  public String toString() {
    return "RedisObjectStore[" + uri + "]";
  }
}
