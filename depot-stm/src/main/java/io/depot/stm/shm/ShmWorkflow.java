package io.depot.stm.shm;

import io.depot.DType;
import io.depot.Depot;
import io.depot.InvalidArgumentException;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.PutMode;
import io.depot.WriteClaim;
import io.depot.stm.StmException;
import io.depot.stm.ValueTooLargeException;
import io.depot.stm.ValueType;
import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.KeyTtl;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One workflow in a Depot store: its metadata object (epoch, deadline) and one object per key.
 *
 * <pre>
 * Concurrency:
 *  - The metadata object changes only by compareAndSet, so of racing starters, clearers and TTL setters exactly one
 *    wins each round and the others re-read. A parsed copy is cached with its version; every operation checks the
 *    version (one directory lookup, no pin) and re-reads only when it changed.
 *  - A key's object name embeds the epoch. A write that read epoch E and commits after E ended is invisible: it is
 *    ordered before the clear or end that ended E (it overlapped it), which keeps clear() atomic without locks.
 *  - Single-key writes: claim, fill, then commit (put) or commitIf(version) (compare-and-set). A tombstone (an empty
 *    object) or an expired key counts as absent; a conditional write "only if absent" then expects its version.
 *  - Removal by version (pop, update to null) commits a tombstone with compareAndSet, which is atomic; tombstones go
 *    when the key is written again, at clear/end, or at a sweep.
 * </pre>
 */
final class ShmWorkflow implements BackendWorkflow {
  private static final byte[] TOMBSTONE = new byte[0];

  /**
   * Values up to this size (with their header) are assembled on the heap, larger ones in a claim.
   */
  private static final long SMALL_VALUE_BYTES = 16 << 10;

  private final ShmBackend backend;
  private final Depot depot;
  private final String id;
  private final byte[] idBytes;
  private final boolean hashedWorkflow;
  private final String metaName;
  private final String keyRoot;
  private final String workflowPart;
  private final AtomicReference<Meta> cache = new AtomicReference<>();
  private static final int MAX_CACHED_LISTS = 1_024;
  private final ConcurrentHashMap<String, ShmList> lists = new ConcurrentHashMap<>();

  /** A parsed metadata object and the key prefix of its epoch. */
  private record Meta(
      long version, long epoch, long deadline, long created, String keyPrefix, int prefixBytes) {
    boolean expired(long now) {
      return deadline != 0 && now >= deadline;
    }
  }

  /** What is stored under a name right now. */
  private record Current(long version, boolean live, long deadline) {}

  private static final Current NOTHING = new Current(NO_VERSION, false, 0);

  ShmWorkflow(ShmBackend backend, String id) {
    this.backend = backend;
    this.depot = backend.depot;
    this.id = id;
    this.idBytes = id.getBytes(StandardCharsets.UTF_8);
    this.workflowPart = ObjectNames.workflowPart(id);
    this.hashedWorkflow = ObjectNames.isHashed(workflowPart);
    this.metaName = ObjectNames.metaName(workflowPart);
    this.keyRoot = ObjectNames.keyRoot(workflowPart);
  }

  // ------------------------------------------------------------------ metadata

  /** The metadata object as it is now, or null if there is none. */
  private @Nullable Meta meta() {
    for (; ; ) {
      long version = depot.version(metaName);
      if (version == NO_VERSION) {
        return null;
      }
      Meta cached = cache.get();
      if (cached != null && cached.version == version) {
        return cached;
      }
      Optional<ObjectHandle> h = depot.tryGet(metaName);
      if (h.isEmpty()) {
        continue; // removed meanwhile
      }
      try (ObjectHandle handle = h.get()) {
        MetaDescriptor.Fields f = MetaDescriptor.read(handle.segment(), metaName);
        if (!f.id().equals(id)) {
          throw new StmException(
              "two workflow ids share one hashed object name (a SHA-256 collision): workflowId="
                  + Keys.abbreviate(id)
                  + " stored="
                  + Keys.abbreviate(f.id())
                  + " name="
                  + metaName);
        }
        String prefix = ObjectNames.keyPrefix(workflowPart, f.epoch());
        Meta m =
            new Meta(
                handle.version(),
                f.epoch(),
                f.deadline(),
                f.created(),
                prefix,
                ObjectNames.utf8Length(prefix));
        cache.set(m);
        return m;
      }
    }
  }

  private @Nullable Meta liveMeta(long now) {
    Meta m = meta();
    return m == null || m.expired(now) ? null : m;
  }

  /**
   * The live metadata, starting a new epoch (with the default TTL) if there is none or it expired.
   */
  private Meta liveOrStart() {
    for (; ; ) {
      long now = ShmBackend.now();
      Meta m = meta();
      if (m != null && !m.expired(now)) {
        return m;
      }
      long deadline = backend.defaultTtlMillis > 0 ? now + backend.defaultTtlMillis : 0;
      if (startEpoch(m, deadline, now)) {
        backend.maybeSweep();
      }
    }
  }

  /**
   * Replaces {@code old} (null: none) by a new epoch; reclaims the old epoch's keys if it existed.
   */
  private boolean startEpoch(@Nullable Meta old, long deadline, long now) {
    long epoch;
    do {
      epoch = ThreadLocalRandom.current().nextLong();
    } while (epoch == 0 || (old != null && epoch == old.epoch));
    boolean ok =
        depot.compareAndSet(
            metaName,
            old == null ? NO_VERSION : old.version,
            MetaDescriptor.encode(epoch, deadline, now, idBytes));
    if (ok && old != null) {
      sweepDeadEpochs();
    }
    return ok;
  }

  /**
   * Removes the keys of every epoch but the live one (all of them if the workflow ended or
   * expired).
   */
  private int sweepDeadEpochs() {
    List<ObjectInfo> infos = depot.list(keyRoot);
    Meta m = liveMeta(ShmBackend.now()); // read after the listing: an epoch dead now stays dead
    String live = m == null ? null : m.keyPrefix;
    int removed = 0;
    for (ObjectInfo info : infos) {
      if ((live == null || !info.name().startsWith(live)) && depot.remove(info.name())) {
        removed++;
      }
    }
    return removed;
  }

  // ------------------------------------------------------------------ names

  private String keyPart(Meta m, String key) {
    return ObjectNames.keyPart(key, m.prefixBytes);
  }

  private boolean storesNames(String keyPart) {
    return hashedWorkflow || ObjectNames.isHashed(keyPart);
  }

  // ------------------------------------------------------------------ reading

  @Override
  public @Nullable StoredValue read(String key) {
    long now = ShmBackend.now();
    Meta m = liveMeta(now);
    if (m == null) {
      return null;
    }
    String part = keyPart(m, key);
    String name = m.keyPrefix + part;
    Optional<ObjectHandle> oh = depot.tryGet(name);
    if (oh.isEmpty()) {
      return null;
    }
    ObjectHandle h = oh.get();
    boolean keep = false;
    try {
      MemorySegment seg = h.segment();
      if (seg.byteSize() == 0) {
        return null; // tombstone
      }
      EnvelopeDescriptor.Envelope e = EnvelopeDescriptor.read(seg, name);
      if (e.expired(now)) {
        return null;
      }
      if (storesNames(part)) {
        checkNames(seg, e, key, name);
      }
      keep = true;
      return new ShmValue(h, e, seg.asSlice(e.payloadOffset()));
    } finally {
      if (!keep) {
        h.close();
      }
    }
  }

  private void checkNames(
      MemorySegment seg, EnvelopeDescriptor.Envelope e, String key, String name) {
    if (!e.hasNames()
        || !EnvelopeDescriptor.namesEqual(seg, e, idBytes, key.getBytes(StandardCharsets.UTF_8))) {
      throw new StmException(
          "two keys share one hashed object name (a SHA-256 collision): workflowId="
              + Keys.abbreviate(id)
              + " key="
              + Keys.abbreviate(key)
              + " name="
              + name);
    }
  }

  /**
   * The state of the object {@code name}: its version, and whether it is a live (not tombstone, not
   * expired) value.
   */
  private Current current(String name, long now) {
    Optional<ObjectHandle> oh = depot.tryGet(name);
    if (oh.isEmpty()) {
      return NOTHING;
    }
    try (ObjectHandle h = oh.get()) {
      if (h.size() == 0) {
        return new Current(h.version(), false, 0);
      }
      long deadline = EnvelopeDescriptor.deadline(h.segment());
      boolean live = deadline == 0 || now < deadline;
      return new Current(h.version(), live, live ? deadline : 0);
    }
  }

  @Override
  public long version(String key) {
    try (StoredValue v = read(key)) {
      return v == null ? NO_VERSION : v.version();
    }
  }

  @Override
  public boolean contains(String key) {
    try (StoredValue v = read(key)) {
      return v != null;
    }
  }

  @Override
  public List<String> keys() {
    List<String> out = new ArrayList<>();
    forEachLive((key, value) -> out.add(key));
    return out;
  }

  @Override
  public void forEach(BiConsumer<String, StoredValue> action) {
    forEachLive(action);
  }

  /**
   * Lists the live epoch's objects ({@link Depot#list(String)}: a scan of the directory) and visits
   * live values.
   */
  private void forEachLive(BiConsumer<String, StoredValue> action) {
    long now = ShmBackend.now();
    Meta m = liveMeta(now);
    if (m == null) {
      return;
    }
    for (ObjectInfo info : depot.list(m.keyPrefix)) {
      if (info.size() == 0) {
        continue; // tombstone
      }
      String name = info.name();
      if (name.indexOf('/', m.keyPrefix.length()) >= 0) {
        continue; // a list's header or element
      }
      Optional<ObjectHandle> oh = depot.tryGet(name);
      if (oh.isEmpty()) {
        continue;
      }
      try (ObjectHandle h = oh.get()) {
        MemorySegment seg = h.segment();
        if (seg.byteSize() == 0) {
          continue;
        }
        EnvelopeDescriptor.Envelope e = EnvelopeDescriptor.read(seg, name);
        if (e.expired(now)) {
          continue;
        }
        String part = name.substring(m.keyPrefix.length());
        String key = storesNames(part) ? EnvelopeDescriptor.key(seg, e) : Keys.unescape(part);
        ShmValue value = new ShmValue(h, e, seg.asSlice(e.payloadOffset()));
        action.accept(key, value);
      }
    }
  }

  // ------------------------------------------------------------------ writing

  @Override
  public boolean write(String key, EncodedValue value, KeyTtl ttl, long expectedVersion) {
    long now = ShmBackend.now();
    Meta m = liveOrStart();
    String part = keyPart(m, key);
    String name = m.keyPrefix + part;
    long deadline = ttl.expires() ? now + ttl.millis() : 0;
    long commitIf = expectedVersion;
    if (expectedVersion != ANY_VERSION || ttl.keep()) {
      Current cur = current(name, now);
      if (expectedVersion == NO_VERSION) {
        if (cur.live) {
          return false;
        }
        commitIf = cur.version; // replace a tombstone or an expired value, or create
      } else if (expectedVersion != ANY_VERSION && (!cur.live || cur.version != expectedVersion)) {
        return false;
      }
      if (ttl.keep() && cur.live) {
        deadline = cur.deadline;
      }
    }
    byte[] keyBytes = null;
    byte[] ids = null;
    if (storesNames(part)) {
      ids = idBytes;
      keyBytes = key.getBytes(StandardCharsets.UTF_8);
    }
    int header =
        EnvelopeDescriptor.headerLength(
            value, ids == null ? 0 : ids.length, keyBytes == null ? 0 : keyBytes.length);
    long size = header + value.size();
    if (size <= SMALL_VALUE_BYTES) {
      // Small values: assemble on the heap and let Depot claim, copy and commit in one call.
      byte[] bytes = new byte[(int) size];
      MemorySegment seg = MemorySegment.ofArray(bytes);
      EnvelopeDescriptor.write(seg, value, deadline, ids, keyBytes, header);
      MemorySegment.copy(value.payload(), 0, seg, header, value.size());
      if (commitIf == ANY_VERSION) {
        depot.replace(name, bytes);
        return true;
      }
      return depot.compareAndSet(name, commitIf, bytes);
    }
    WriteClaim claim;
    try {
      claim = depot.claim(name, size, PutMode.REPLACE);
    } catch (InvalidArgumentException e) {
      throw new ValueTooLargeException(
          "value of size="
              + value.size()
              + " bytes can never fit the store "
              + backend.address()
              + ": key="
              + Keys.abbreviate(key),
          e);
    }
    try (claim) {
      // Large values: written straight into the store's memory, no intermediate copy.
      MemorySegment seg = claim.segment();
      EnvelopeDescriptor.write(seg, value, deadline, ids, keyBytes, header);
      MemorySegment.copy(value.payload(), 0, seg, header, value.size());
      if (commitIf == ANY_VERSION) {
        claim.commit();
        return true;
      }
      return claim.commitIf(commitIf);
    }
  }

  // ------------------------------------------------------------------ lists

  @Override
  public BackendList list(String key) {
    // Handles are cached (bounded) so that their names and tail hints serve the next call on the
    // same list.
    ShmList list = lists.get(key);
    if (list == null) {
      if (lists.size() >= MAX_CACHED_LISTS) {
        lists.clear();
      }
      list = lists.computeIfAbsent(key, k -> new ShmList(this, depot, k));
    }
    return list;
  }

  @Override
  public List<String> lists() {
    Meta m = liveMeta(ShmBackend.now());
    List<String> out = new ArrayList<>();
    if (m == null) {
      return out;
    }
    for (ObjectInfo info : depot.list(m.keyPrefix)) {
      String name = info.name();
      int slash = name.indexOf('/', m.keyPrefix.length());
      if (slash < 0 || slash != name.length() - 2 || name.charAt(slash + 1) != 'h') {
        continue; // a key, or a list element
      }
      Optional<ObjectHandle> oh = depot.tryGet(name);
      if (oh.isEmpty()) {
        continue;
      }
      String key;
      try (ObjectHandle h = oh.get()) {
        key = ListDescriptor.read(h.segment(), name).key();
      }
      if (new ShmList(this, depot, key).size() > 0) {
        out.add(key);
      }
    }
    return out;
  }

  /**
   * The names of a list in the live epoch (starting the workflow if {@code start}), or null if
   * there is none.
   */
  <N> @Nullable N listNames(ShmList.NameFactory<N> factory, boolean start) {
    Meta m = start ? liveOrStart() : liveMeta(ShmBackend.now());
    return m == null ? null : factory.names(m.keyPrefix, m.prefixBytes);
  }

  String address() {
    return backend.address();
  }

  /**
   * The element {@code name} held by {@code handle} as a value (the handle is closed with it, or
   * now on error).
   */
  static StoredValue value(ObjectHandle handle, String name) {
    try {
      MemorySegment seg = handle.segment();
      EnvelopeDescriptor.Envelope e = EnvelopeDescriptor.read(seg, name);
      return new ShmValue(handle, e, seg.asSlice(e.payloadOffset()));
    } catch (RuntimeException ex) {
      handle.close();
      throw ex;
    }
  }

  @Override
  public boolean remove(String key) {
    long now = ShmBackend.now();
    Meta m = liveMeta(now);
    if (m == null) {
      return false;
    }
    String name = m.keyPrefix + keyPart(m, key);
    Current cur = current(name, now);
    if (cur.version == NO_VERSION) {
      return false;
    }
    depot.remove(name);
    return cur.live;
  }

  @Override
  public boolean removeIf(String key, long expectedVersion) {
    Meta m = liveMeta(ShmBackend.now());
    if (m == null || expectedVersion <= NO_VERSION) {
      return false;
    }
    return depot.compareAndSet(m.keyPrefix + keyPart(m, key), expectedVersion, TOMBSTONE);
  }

  @Override
  public void clear() {
    for (; ; ) {
      long now = ShmBackend.now();
      Meta m = meta();
      if (m == null) {
        return;
      }
      if (m.expired(now)) {
        sweepDeadEpochs();
        return;
      }
      long epoch;
      do {
        epoch = ThreadLocalRandom.current().nextLong();
      } while (epoch == 0 || epoch == m.epoch);
      if (depot.compareAndSet(
          metaName, m.version, MetaDescriptor.encode(epoch, m.deadline, m.created, idBytes))) {
        sweepDeadEpochs();
        return;
      }
    }
  }

  @Override
  public void end() {
    depot.remove(metaName);
    cache.set(null);
    sweepDeadEpochs();
  }

  @Override
  public void expireAfter(Duration ttl) {
    for (; ; ) {
      long now = ShmBackend.now();
      long deadline = now + ttl.toMillis();
      Meta m = meta();
      if (m == null || m.expired(now)) {
        if (startEpoch(m, deadline, now)) {
          return;
        }
      } else if (depot.compareAndSet(
          metaName, m.version, MetaDescriptor.encode(m.epoch, deadline, m.created, idBytes))) {
        return;
      }
    }
  }

  @Override
  public void persist() {
    for (; ; ) {
      Meta m = liveMeta(ShmBackend.now());
      if (m == null || m.deadline == 0) {
        return;
      }
      if (depot.compareAndSet(
          metaName, m.version, MetaDescriptor.encode(m.epoch, 0, m.created, idBytes))) {
        return;
      }
    }
  }

  @Override
  public OptionalLong ttlMillis() {
    long now = ShmBackend.now();
    Meta m = liveMeta(now);
    if (m == null || m.deadline == 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(1, m.deadline - now));
  }

  @Override
  public String toString() {
    return "ShmWorkflow[" + Keys.abbreviate(id) + " at " + metaName + "]";
  }

  /** A value pinned by its handle: the payload is the store's memory until close. */
  private record ShmValue(
      ObjectHandle handle, EnvelopeDescriptor.Envelope envelope, MemorySegment payload)
      implements StoredValue {
    @Override
    public ValueType type() {
      return envelope.type();
    }

    @Override
    public @Nullable String codecId() {
      return envelope.codecId();
    }

    @Override
    public @Nullable DType dtype() {
      return envelope.dtype();
    }

    @Override
    public long[] shape() {
      return envelope.shape().clone();
    }

    @Override
    public long version() {
      return handle.version();
    }

    @Override
    public void close() {
      handle.close();
    }
  }
}
