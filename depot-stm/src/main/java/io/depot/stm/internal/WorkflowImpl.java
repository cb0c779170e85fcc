package io.depot.stm.internal;

import io.depot.Codec;
import io.depot.IdleStrategy;
import io.depot.InvalidArgumentException;
import io.depot.stm.StmList;
import io.depot.stm.StmValue;
import io.depot.stm.Versioned;
import io.depot.stm.Workflow;
import io.depot.stm.WorkflowClosedException;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.KeyTtl;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A workflow scope: checks, encoding, decoding, and the retry loops of update and pop, over a
 * {@link BackendWorkflow}.
 *
 * <pre>
 * Concurrency: no state of its own but the closed flag; atomicity comes from the backend's versioned writes.
 * update/pop/Map.put are read, compute, then write-if-version-unchanged, retried with back-off on conflict, so
 * of two racing updates one retries on the other's result and none is lost.
 * </pre>
 */
final class WorkflowImpl implements Workflow {
  private final StmImpl stm;
  private final String id;
  private final BackendWorkflow backend;
  private final long maxValueBytes;
  private volatile boolean closed;

  WorkflowImpl(StmImpl stm, String id, BackendWorkflow backend) {
    this.stm = stm;
    this.id = id;
    this.backend = backend;
    this.maxValueBytes = stm.options().maxValueBytes();
  }

  void checkOpen() {
    stm.checkOpen();
    if (closed) {
      throw new WorkflowClosedException(
          "workflow scope is closed: workflowId=" + Keys.abbreviate(id));
    }
  }

  private void checkKey(String key) {
    Keys.check(key, "key");
    checkOpen();
  }

  private static IdleStrategy backoff() {
    // Conflicts mean another writer just committed: retry at once, then yield, then park up to 2
    // ms.
    return IdleStrategy.backoff(0, 4, 1_000, 2_000_000);
  }

  @Override
  public String id() {
    return id;
  }

  // ------------------------------------------------------------------ reading

  private <T> T readWith(String key, Function<StoredValue, T> decoder) {
    checkKey(key);
    try (StoredValue v = backend.read(key)) {
      return v == null ? null : decoder.apply(v);
    }
  }

  @Override
  public Object get(String key) {
    return readWith(key, v -> Values.decode(v, key));
  }

  @Override
  public <T> T get(String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return readWith(key, v -> Values.decode(v, type, key));
  }

  @Override
  public <T> T get(String key, Codec<T> codec) {
    Objects.requireNonNull(codec, "codec");
    return readWith(key, v -> Values.decode(v, codec, key));
  }

  @Override
  public <T> T getOrDefault(String key, Class<T> type, T defaultValue) {
    T v = get(key, type);
    return v == null ? defaultValue : v;
  }

  @Override
  public <T> Versioned<T> getVersioned(String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    checkKey(key);
    try (StoredValue v = backend.read(key)) {
      return v == null
          ? new Versioned<>(null, NO_VERSION)
          : new Versioned<>(Values.decode(v, type, key), v.version());
    }
  }

  @Override
  public long version(String key) {
    checkKey(key);
    return backend.version(key);
  }

  @Override
  public Optional<StmValue> read(String key) {
    checkKey(key);
    StoredValue v = backend.read(key);
    return v == null ? Optional.empty() : Optional.of(new StmValueImpl(key, v));
  }

  @Override
  public boolean contains(String key) {
    checkKey(key);
    return backend.contains(key);
  }

  @Override
  public Set<String> keys() {
    checkOpen();
    return Collections.unmodifiableSet(new LinkedHashSet<>(backend.keys()));
  }

  @Override
  public List<Object> values() {
    return List.copyOf(entries().values());
  }

  @Override
  public Map<String, Object> entries() {
    checkOpen();
    Map<String, Object> out = new LinkedHashMap<>();
    backend.forEach((k, v) -> out.put(k, Values.decode(v, k)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public <T> Map<String, T> entries(Class<T> type) {
    Objects.requireNonNull(type, "type");
    checkOpen();
    Map<String, T> out = new LinkedHashMap<>();
    backend.forEach((k, v) -> out.put(k, Values.decode(v, type, k)));
    return Collections.unmodifiableMap(out);
  }

  @Override
  public int size() {
    checkOpen();
    return backend.size();
  }

  // ------------------------------------------------------------------ writing

  @Override
  public void put(String key, Object value) {
    checkKey(key);
    backend.write(
        key, Values.encode(value, key, maxValueBytes), KeyTtl.NONE, BackendWorkflow.ANY_VERSION);
  }

  @Override
  public void put(String key, Object value, Duration ttl) {
    checkKey(key);
    Keys.positive(ttl, "ttl");
    backend.write(
        key,
        Values.encode(value, key, maxValueBytes),
        KeyTtl.after(ttl),
        BackendWorkflow.ANY_VERSION);
  }

  @Override
  public <T> void put(String key, T value, Codec<T> codec) {
    Objects.requireNonNull(codec, "codec");
    checkKey(key);
    backend.write(
        key,
        Values.encode(value, codec, key, maxValueBytes),
        KeyTtl.NONE,
        BackendWorkflow.ANY_VERSION);
  }

  @Override
  public boolean putIfAbsent(String key, Object value) {
    checkKey(key);
    return backend.write(key, Values.encode(value, key, maxValueBytes), KeyTtl.NONE, NO_VERSION);
  }

  @Override
  public void putAll(Map<String, ?> values) {
    Objects.requireNonNull(values, "values");
    checkOpen();
    // Encode everything first, so a bad entry fails the call before anything is written.
    Map<String, EncodedValue> encoded = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : values.entrySet()) {
      Keys.check(e.getKey(), "key");
      encoded.put(e.getKey(), Values.encode(e.getValue(), e.getKey(), maxValueBytes));
    }
    for (Map.Entry<String, EncodedValue> e : encoded.entrySet()) {
      backend.write(e.getKey(), e.getValue(), KeyTtl.NONE, BackendWorkflow.ANY_VERSION);
    }
  }

  @Override
  public boolean compareAndSet(String key, long expectedVersion, Object newValue) {
    checkKey(key);
    if (expectedVersion < 0) {
      throw new InvalidArgumentException("not a version: expectedVersion=" + expectedVersion);
    }
    return backend.write(
        key, Values.encode(newValue, key, maxValueBytes), KeyTtl.KEEP, expectedVersion);
  }

  @Override
  public <T> T update(String key, Class<T> type, UnaryOperator<T> fn) {
    Objects.requireNonNull(type, "type");
    return update(
        key,
        v -> Values.decode(v, type, key),
        fn,
        value -> Values.encode(value, key, maxValueBytes));
  }

  @Override
  public <T> T update(String key, Codec<T> codec, UnaryOperator<T> fn) {
    Objects.requireNonNull(codec, "codec");
    return update(
        key,
        v -> Values.decode(v, codec, key),
        fn,
        value -> Values.encode(value, codec, key, maxValueBytes));
  }

  private <T> T update(
      String key,
      Function<StoredValue, T> decoder,
      UnaryOperator<T> fn,
      Function<T, EncodedValue> encoder) {
    Objects.requireNonNull(fn, "fn");
    checkKey(key);
    IdleStrategy idle = null;
    for (; ; ) {
      T current;
      long version;
      try (StoredValue v = backend.read(key)) {
        current = v == null ? null : decoder.apply(v);
        version = v == null ? NO_VERSION : v.version();
      }
      T next = fn.apply(current);
      boolean done;
      if (next == null) {
        done = version == NO_VERSION || backend.removeIf(key, version);
      } else {
        done = backend.write(key, encoder.apply(next), KeyTtl.KEEP, version);
      }
      if (done) {
        return next;
      }
      checkOpen();
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  /** Map.put: stores {@code value} and returns the value it replaced, atomically. */
  Object swap(String key, Object value) {
    checkKey(key);
    EncodedValue encoded = Values.encode(value, key, maxValueBytes);
    IdleStrategy idle = null;
    for (; ; ) {
      Object previous;
      long version;
      try (StoredValue v = backend.read(key)) {
        previous = v == null ? null : Values.decode(v, key);
        version = v == null ? NO_VERSION : v.version();
      }
      if (backend.write(key, encoded, KeyTtl.NONE, version)) {
        return previous;
      }
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  /** Map.putIfAbsent: stores {@code value} if absent, else returns the present value. */
  Object putIfAbsentOrGet(String key, Object value) {
    checkKey(key);
    EncodedValue encoded = Values.encode(value, key, maxValueBytes);
    for (; ; ) {
      if (backend.write(key, encoded, KeyTtl.NONE, NO_VERSION)) {
        return null;
      }
      Object present = get(key);
      if (present != null) {
        return present;
      }
    }
  }

  @Override
  public boolean remove(String key) {
    checkKey(key);
    return backend.remove(key);
  }

  @Override
  public Object pop(String key) {
    return pop(key, v -> Values.decode(v, key));
  }

  @Override
  public <T> T pop(String key, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return pop(key, v -> Values.decode(v, type, key));
  }

  private <T> T pop(String key, Function<StoredValue, T> decoder) {
    checkKey(key);
    IdleStrategy idle = null;
    for (; ; ) {
      T value;
      long version;
      try (StoredValue v = backend.read(key)) {
        if (v == null) {
          return null;
        }
        value = decoder.apply(v); // decode first: a value that cannot be decoded is not removed
        version = v.version();
      }
      if (backend.removeIf(key, version)) {
        return value;
      }
      if (idle == null) {
        idle = backoff();
      }
      idle.idle();
    }
  }

  @Override
  public void clear() {
    checkOpen();
    backend.clear();
  }

  // ------------------------------------------------------------------ lists

  @Override
  public StmList list(String key) {
    checkKey(key);
    return new StmListImpl(this, key, backend.list(key), maxValueBytes);
  }

  @Override
  public Set<String> lists() {
    checkOpen();
    return Collections.unmodifiableSet(new LinkedHashSet<>(backend.lists()));
  }

  // ------------------------------------------------------------------ lifetime

  @Override
  public void expireAfter(Duration ttl) {
    Keys.positive(ttl, "ttl");
    checkOpen();
    backend.expireAfter(ttl);
  }

  @Override
  public void persist() {
    checkOpen();
    backend.persist();
  }

  @Override
  public Optional<Duration> ttl() {
    checkOpen();
    OptionalLong ms = backend.ttlMillis();
    return ms.isPresent() ? Optional.of(Duration.ofMillis(ms.getAsLong())) : Optional.empty();
  }

  @Override
  public void end() {
    checkOpen();
    backend.end();
    closed = true;
  }

  @Override
  public Map<String, Object> asMap() {
    checkOpen();
    return new WorkflowMap(this);
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "Workflow["
        + Keys.abbreviate(id)
        + " in "
        + stm.uri()
        + (closed ? ", closed" : "")
        + "]";
  }

  List<String> keyList() {
    return new ArrayList<>(keys());
  }
}
