package io.depot.stm.mem;

import io.depot.DType;
import io.depot.stm.InvalidUriException;
import io.depot.stm.StmOptions;
import io.depot.stm.ValueType;
import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.HeapCopy;
import io.depot.stm.spi.KeyTtl;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmUri;
import io.depot.stm.spi.StoredValue;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-process backend: workflows in a {@link ConcurrentHashMap}, each incarnation a map of
 * immutable entries.
 *
 * <pre>
 * Concurrency: every single-key change is one ConcurrentHashMap.compute on the key (atomic); clear and end swap or
 * drop the workflow's incarnation object in one compute on the workflow map, so a write racing with them lands in
 * the old incarnation and is never seen (it is ordered before the clear). Versions come from one counter per data
 * set and are never reused.
 * </pre>
 */
final class MemBackend implements StmBackend {
  private static final ConcurrentHashMap<String, Shared> NAMED = new ConcurrentHashMap<>();

  /** A data set and, for named ones, how many backends use it. */
  private static final class Shared {
    final ConcurrentHashMap<String, Incarnation> workflows = new ConcurrentHashMap<>();
    final AtomicLong versions = new AtomicLong();
    int users;
  }

  /** One life of a workflow, from its first write to its clear, end or expiry. */
  private static final class Incarnation {
    final ConcurrentHashMap<String, Entry> keys = new ConcurrentHashMap<>();
    final ConcurrentHashMap<String, MemList> lists = new ConcurrentHashMap<>();
    volatile long deadline;

    Incarnation(long deadline) {
      this.deadline = deadline;
    }

    boolean expired(long now) {
      long d = deadline;
      return d != 0 && now >= d;
    }
  }

  /** An immutable stored value. */
  private record Entry(
      ValueType type,
      String codecId,
      DType dtype,
      long[] shape,
      MemorySegment payload,
      long version,
      long deadline) {
    boolean expired(long now) {
      return deadline != 0 && now >= deadline;
    }
  }

  /**
   * A list's elements and own deadline: changed only inside a {@code compute} on its key, holding
   * its monitor.
   */
  private static final class MemList {
    final ArrayList<Entry> items = new ArrayList<>();
    long deadline;

    boolean expired(long now) {
      return deadline != 0 && now >= deadline;
    }
  }

  private final Shared data;
  private final String name;
  private final Duration defaultTtl;

  private MemBackend(Shared data, String name, StmOptions options) {
    this.data = data;
    this.name = name;
    this.defaultTtl = options.defaultTtl().orElse(null);
  }

  static MemBackend open(StmUri uri, StmOptions options) {
    String name = uri.body();
    if (name.startsWith("//")) {
      throw new InvalidUriException("mem URIs are mem: or mem:<name>: uri=" + uri.redacted());
    }
    if (name.isEmpty()) {
      return new MemBackend(new Shared(), "", options);
    }
    Shared shared =
        NAMED.compute(
            name,
            (k, s) -> {
              Shared out = s == null ? new Shared() : s;
              out.users++;
              return out;
            });
    return new MemBackend(shared, name, options);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  @Override
  public String address() {
    return "mem:" + name;
  }

  @Override
  public BackendWorkflow workflow(String id) {
    return new MemWorkflow(id);
  }

  @Override
  public List<String> workflows() {
    long now = now();
    List<String> out = new ArrayList<>();
    data.workflows.forEach(
        (id, inc) -> {
          if (!inc.expired(now)) {
            out.add(id);
          }
        });
    return out;
  }

  @Override
  public int sweepExpired() {
    long now = now();
    int[] count = {0};
    for (Map.Entry<String, Incarnation> e : data.workflows.entrySet()) {
      Incarnation inc = e.getValue();
      if (inc.expired(now)) {
        if (data.workflows.remove(e.getKey(), inc)) {
          count[0]++;
        }
        continue;
      }
      inc.keys.forEach(
          (k, entry) -> {
            if (entry.expired(now) && inc.keys.remove(k, entry)) {
              count[0]++;
            }
          });
    }
    return count[0];
  }

  @Override
  public void close() {
    if (!name.isEmpty()) {
      NAMED.computeIfPresent(name, (k, s) -> --s.users == 0 ? null : s);
    }
  }

  /** One workflow of this data set. */
  private final class MemWorkflow implements BackendWorkflow {
    private final String id;

    MemWorkflow(String id) {
      this.id = id;
    }

    /** The live incarnation, dropping an expired one; or null. */
    private Incarnation live() {
      Incarnation inc = data.workflows.get(id);
      if (inc != null && inc.expired(now())) {
        data.workflows.remove(id, inc);
        return null;
      }
      return inc;
    }

    /** The live incarnation, starting one if there is none. */
    private Incarnation liveOrNew() {
      long now = now();
      return data.workflows.compute(
          id,
          (k, inc) ->
              inc == null || inc.expired(now)
                  ? new Incarnation(defaultTtl == null ? 0 : now + defaultTtl.toMillis())
                  : inc);
    }

    private Entry entry(String key) {
      Incarnation inc = live();
      if (inc == null) {
        return null;
      }
      Entry e = inc.keys.get(key);
      return e == null || e.expired(now()) ? null : e;
    }

    @Override
    public StoredValue read(String key) {
      Entry e = entry(key);
      return e == null ? null : new MemValue(e);
    }

    @Override
    public long version(String key) {
      Entry e = entry(key);
      return e == null ? NO_VERSION : e.version;
    }

    @Override
    public boolean contains(String key) {
      return entry(key) != null;
    }

    @Override
    public List<String> keys() {
      Incarnation inc = live();
      List<String> out = new ArrayList<>();
      if (inc != null) {
        long now = now();
        inc.keys.forEach(
            (k, e) -> {
              if (!e.expired(now)) {
                out.add(k);
              }
            });
      }
      return out;
    }

    @Override
    public boolean write(String key, EncodedValue value, KeyTtl ttl, long expectedVersion) {
      MemorySegment copy = HeapCopy.of(value.payload());
      long[] shape = value.shape().clone();
      Incarnation inc = liveOrNew();
      boolean[] written = {false};
      inc.keys.compute(
          key,
          (k, old) -> {
            long now = now();
            Entry current = old == null || old.expired(now) ? null : old;
            long currentVersion = current == null ? NO_VERSION : current.version;
            if (expectedVersion != ANY_VERSION && expectedVersion != currentVersion) {
              return old;
            }
            long deadline =
                ttl.expires()
                    ? now + ttl.millis()
                    : ttl.keep() && current != null ? current.deadline : 0;
            written[0] = true;
            return new Entry(
                value.type(),
                value.codecId(),
                value.dtype(),
                shape,
                copy.asReadOnly(),
                data.versions.incrementAndGet(),
                deadline);
          });
      return written[0];
    }

    @Override
    public BackendList list(String key) {
      return new MemListView(this, key);
    }

    @Override
    public List<String> lists() {
      Incarnation inc = live();
      List<String> out = new ArrayList<>();
      if (inc != null) {
        long now = now();
        inc.lists.forEach(
            (k, l) -> {
              synchronized (l) {
                if (!l.expired(now) && !l.items.isEmpty()) {
                  out.add(k);
                }
              }
            });
      }
      return out;
    }

    @Override
    public boolean remove(String key) {
      Incarnation inc = live();
      if (inc == null) {
        return false;
      }
      Entry old = inc.keys.remove(key);
      return old != null && !old.expired(now());
    }

    @Override
    public boolean removeIf(String key, long expectedVersion) {
      Incarnation inc = live();
      if (inc == null) {
        return false;
      }
      boolean[] removed = {false};
      inc.keys.computeIfPresent(
          key,
          (k, old) -> {
            if (old.version == expectedVersion && !old.expired(now())) {
              removed[0] = true;
              return null;
            }
            return old;
          });
      return removed[0];
    }

    @Override
    public void clear() {
      data.workflows.computeIfPresent(
          id, (k, inc) -> inc.expired(now()) ? null : new Incarnation(inc.deadline));
    }

    @Override
    public void end() {
      data.workflows.remove(id);
    }

    @Override
    public void expireAfter(Duration ttl) {
      long deadline = now() + ttl.toMillis();
      data.workflows.compute(
          id,
          (k, inc) -> {
            if (inc == null || inc.expired(now())) {
              return new Incarnation(deadline);
            }
            inc.deadline = deadline;
            return inc;
          });
    }

    @Override
    public void persist() {
      data.workflows.computeIfPresent(
          id,
          (k, inc) -> {
            if (inc.expired(now())) {
              return null;
            }
            inc.deadline = 0;
            return inc;
          });
    }

    @Override
    public OptionalLong ttlMillis() {
      Incarnation inc = live();
      if (inc == null || inc.deadline == 0) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Math.max(1, inc.deadline - now()));
    }
  }

  /** The operation on one list, run atomically on its current (live, possibly empty) state. */
  @FunctionalInterface
  private interface ListOp<R> {
    R apply(MemList list, long now);
  }

  /** One list of a workflow: every operation is one {@code compute} on the list's key. */
  private final class MemListView implements BackendList {
    private final MemWorkflow workflow;
    private final String key;

    MemListView(MemWorkflow workflow, String key) {
      this.workflow = workflow;
      this.key = key;
    }

    /**
     * Runs {@code op} on the list in {@code inc} (an expired list is emptied first), dropping it if
     * left empty.
     */
    private <R> R on(Incarnation inc, ListOp<R> op) {
      if (inc == null) {
        return op.apply(new MemList(), now());
      }
      Object[] result = {null};
      inc.lists.compute(
          key,
          (k, l) -> {
            long now = now();
            MemList list = l == null ? new MemList() : l;
            if (list.expired(now)) {
              list.items.clear();
              list.deadline = 0;
            }
            synchronized (list) { // lists() reads without the bin lock
              result[0] = op.apply(list, now);
              return list.items.isEmpty() ? null : list;
            }
          });
      @SuppressWarnings("unchecked")
      R r = (R) result[0];
      return r;
    }

    private Entry entry(EncodedValue v) {
      return new Entry(
          v.type(),
          v.codecId(),
          v.dtype(),
          v.shape().clone(),
          HeapCopy.of(v.payload()).asReadOnly(),
          data.versions.incrementAndGet(),
          0);
    }

    @Override
    public long append(List<EncodedValue> values) {
      List<Entry> entries = new ArrayList<>(values.size());
      for (EncodedValue v : values) {
        entries.add(entry(v));
      }
      return on(
          workflow.liveOrNew(),
          (list, now) -> {
            list.items.addAll(entries);
            return (long) list.items.size();
          });
    }

    @Override
    public long size() {
      return on(workflow.live(), (list, now) -> (long) list.items.size());
    }

    @Override
    public List<StoredValue> last(long n) {
      return on(
          workflow.live(),
          (list, now) -> {
            int size = list.items.size();
            int from = (int) Math.max(0, size - Math.min(n, size));
            List<StoredValue> out = new ArrayList<>(size - from);
            for (Entry e : list.items.subList(from, size)) {
              out.add(new MemValue(e));
            }
            return out;
          });
    }

    @Override
    public long trimToLast(long n) {
      return on(
          workflow.live(),
          (list, now) -> {
            long removed = Math.max(0, list.items.size() - n);
            list.items.subList(0, (int) removed).clear();
            return removed;
          });
    }

    @Override
    public void replaceAll(List<EncodedValue> values) {
      List<Entry> entries = new ArrayList<>(values.size());
      for (EncodedValue v : values) {
        entries.add(entry(v));
      }
      on(
          values.isEmpty() ? workflow.live() : workflow.liveOrNew(),
          (list, now) -> {
            list.items.clear();
            list.items.addAll(entries);
            return null;
          });
    }

    @Override
    public boolean delete() {
      return on(
          workflow.live(),
          (list, now) -> {
            boolean had = !list.items.isEmpty();
            list.items.clear();
            return had;
          });
    }

    @Override
    public boolean expireAfter(Duration ttl) {
      return on(
          workflow.live(),
          (list, now) -> {
            if (list.items.isEmpty()) {
              return false;
            }
            list.deadline = now + ttl.toMillis();
            return true;
          });
    }

    @Override
    public boolean persist() {
      return on(
          workflow.live(),
          (list, now) -> {
            boolean had = list.deadline != 0;
            list.deadline = 0;
            return had;
          });
    }

    @Override
    public OptionalLong ttlMillis() {
      return on(
          workflow.live(),
          (list, now) ->
              list.deadline == 0
                  ? OptionalLong.empty()
                  : OptionalLong.of(Math.max(1, list.deadline - now)));
    }
  }

  /** A heap value: nothing to release. */
  private record MemValue(Entry e) implements StoredValue {
    @Override
    public ValueType type() {
      return e.type;
    }

    @Override
    public String codecId() {
      return e.codecId;
    }

    @Override
    public DType dtype() {
      return e.dtype;
    }

    @Override
    public long[] shape() {
      return e.shape.clone();
    }

    @Override
    public MemorySegment payload() {
      return e.payload;
    }

    @Override
    public long version() {
      return e.version;
    }

    @Override
    public void close() {}
  }
}
