package io.depot.stm.shm;

import io.depot.Depot;
import io.depot.DepotException;
import io.depot.DepotOptions;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.stm.InvalidUriException;
import io.depot.stm.StmOptions;
import io.depot.stm.spi.BackendWorkflow;
import io.depot.stm.spi.StmBackend;
import io.depot.stm.spi.StmUri;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The shared-memory backend: one Depot store holds every workflow, one object per key (see {@link
 * ObjectNames} for the names, {@link EnvelopeDescriptor} for the values, {@link MetaDescriptor} for
 * each workflow's metadata).
 *
 * <pre>
 * Concurrency: all state is in the store; this object holds only the Depot, settings, and the time of the last
 * lazy sweep. Single-key writes are Depot claims committed unconditionally (put) or with commitIf on the version
 * read (compare-and-set, update, putIfAbsent); removal by version replaces the value by a tombstone with
 * compareAndSet. Epoch changes (clear, a fresh start after expiry) are compareAndSet on the metadata object.
 *
 * Reclaiming (sweep): keys of a dead epoch (the metadata names another epoch, is expired, or is gone) are removed
 * unconditionally: nobody writes a dead epoch but stragglers whose writes are ordered before its end anyway, and
 * epochs never come back. Expired metadata, expired keys and tombstones of a live epoch can be rewritten at any
 * moment, so they are removed with Depot.remove(name, version): only if still the version the sweep read, atomically
 * with any concurrent write of that name (which then wins and stays).
 * </pre>
 */
final class ShmBackend implements StmBackend {
  static final String DEFAULT_STORE = "depot-stm";
  static final long DEFAULT_CAPACITY = 64L << 20;
  static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);

  final Depot depot;
  final long defaultTtlMillis;
  private final String address;
  private final long sweepIntervalMillis;
  private final AtomicLong lastSweep = new AtomicLong(System.currentTimeMillis());

  private ShmBackend(Depot depot, String address, StmOptions options, Duration sweepInterval) {
    this.depot = depot;
    this.address = address;
    this.defaultTtlMillis = options.defaultTtl().map(Duration::toMillis).orElse(0L);
    this.sweepIntervalMillis = sweepInterval.toMillis();
  }

  static ShmBackend open(StmUri uri, StmOptions options) {
    String body = uri.body();
    if (body.startsWith("//")) {
      throw new InvalidUriException("shm URIs are shm:<store> (no //): uri=" + uri.redacted());
    }
    String store = body.isEmpty() ? DEFAULT_STORE : body;
    DepotOptions depotOptions;
    Duration sweepInterval;
    try {
      long capacity = uri.sizeParam("capacity", DEFAULT_CAPACITY);
      DepotOptions.Builder b = DepotOptions.builder().capacity(capacity);
      long maxObjects = uri.sizeParam("maxObjects", Math.clamp(capacity / 1024, 1024, 1 << 20));
      b.maxObjects((int) Math.min(Integer.MAX_VALUE, maxObjects));
      String dir = uri.param("dir", null);
      if (dir != null) {
        b.directory(Path.of(dir));
      }
      depotOptions = b.build();
      Duration d = uri.durationParam("sweepInterval");
      sweepInterval = d == null ? DEFAULT_SWEEP_INTERVAL : d;
    } catch (InvalidUriException e) {
      throw e;
    } catch (InvalidArgumentException | java.nio.file.InvalidPathException e) {
      throw new InvalidUriException(e.getMessage() + ": uri=" + uri.redacted(), e);
    }
    Depot depot;
    try {
      depot = Depot.openOrCreate(store, depotOptions);
    } catch (InvalidNameException e) {
      throw new InvalidUriException(
          "invalid store name (1..200 of [A-Za-z0-9._-]): store="
              + store
              + ": uri="
              + uri.redacted(),
          e);
    }
    return new ShmBackend(
        depot, "shm:" + store + " (" + depot.path() + ")", options, sweepInterval);
  }

  static long now() {
    return System.currentTimeMillis();
  }

  @Override
  public String address() {
    return address;
  }

  @Override
  public BackendWorkflow workflow(String id) {
    return new ShmWorkflow(this, id);
  }

  @Override
  public List<String> workflows() {
    long now = now();
    List<String> out = new ArrayList<>();
    for (ObjectInfo info : depot.list(ObjectNames.META_ROOT)) {
      MetaDescriptor.Fields meta = readMeta(info.name());
      if (meta != null && (meta.deadline() == 0 || now < meta.deadline())) {
        out.add(meta.id());
      }
    }
    return out;
  }

  private MetaDescriptor.@Nullable Fields readMeta(String name) {
    Optional<ObjectHandle> h = depot.tryGet(name);
    if (h.isEmpty()) {
      return null;
    }
    try (ObjectHandle handle = h.get()) {
      return MetaDescriptor.read(handle.segment(), name);
    }
  }

  /**
   * Runs {@link #sweepExpired()} if the sweep interval has passed since the last one (by any thread
   * here).
   */
  void maybeSweep() {
    if (sweepIntervalMillis <= 0) {
      return;
    }
    long last = lastSweep.get();
    long now = now();
    if (now - last >= sweepIntervalMillis && lastSweep.compareAndSet(last, now)) {
      try {
        sweepExpired();
      } catch (DepotException e) {
        System.getLogger("io.depot.stm")
            .log(System.Logger.Level.WARNING, "lazy sweep of " + address + " failed", e);
      }
    }
  }

  @Override
  public int sweepExpired() {
    // One scan of the directory for both roots; every metadata object is read after the scan, so a
    // key whose
    // epoch is dead by then was written before its epoch ended.
    List<ObjectInfo> keys = depot.list(ObjectNames.KEY_ROOT);
    List<ObjectInfo> metas = depot.list(ObjectNames.META_ROOT);
    long now = now();
    int reclaimed = 0;
    Map<String, String> livePrefixes = new HashMap<>();
    for (ObjectInfo info : metas) {
      String name = info.name();
      Optional<ObjectHandle> h = depot.tryGet(name);
      if (h.isEmpty()) {
        continue;
      }
      MetaDescriptor.Fields meta;
      long version;
      try (ObjectHandle handle = h.get()) {
        meta = MetaDescriptor.read(handle.segment(), name);
        version = handle.version();
      }
      String part = name.substring(ObjectNames.META_ROOT.length());
      if (meta.deadline() != 0 && now >= meta.deadline()) {
        if (removeIfVersion(name, version)) {
          reclaimed++;
        }
      } else {
        livePrefixes.put(part, ObjectNames.keyPrefix(part, meta.epoch()));
      }
    }
    for (ObjectInfo info : keys) {
      String name = info.name();
      int slash = name.indexOf('/', ObjectNames.KEY_ROOT.length());
      String part = slash < 0 ? "" : name.substring(ObjectNames.KEY_ROOT.length(), slash);
      String live = livePrefixes.get(part);
      if (live == null || !name.startsWith(live)) {
        if (depot.remove(name)) { // dead epoch: safe unconditionally
          reclaimed++;
        }
        continue;
      }
      if (name.indexOf('/', live.length()) >= 0) {
        reclaimed += sweepList(name, now);
        continue;
      }
      Optional<ObjectHandle> h = depot.tryGet(name);
      if (h.isEmpty()) {
        continue;
      }
      long version;
      boolean dead;
      try (ObjectHandle handle = h.get()) {
        version = handle.version();
        dead = handle.size() == 0 || EnvelopeDescriptor.read(handle.segment(), name).expired(now);
      }
      if (dead && removeIfVersion(name, version)) {
        reclaimed++;
      }
    }
    return reclaimed;
  }

  /**
   * For a list header ({@code .../<list>/h}) of an expired list: removes it (if unchanged) and its
   * elements. Elements of live lists, and list objects of other kinds, are left alone.
   */
  private int sweepList(String name, long now) {
    if (!name.endsWith("/h")) {
      return 0;
    }
    Optional<ObjectHandle> h = depot.tryGet(name);
    if (h.isEmpty()) {
      return 0;
    }
    ListDescriptor.Fields list;
    long version;
    try (ObjectHandle handle = h.get()) {
      list = ListDescriptor.read(handle.segment(), name);
      version = handle.version();
    }
    if (!list.expired(now) || !removeIfVersion(name, version)) {
      return 0;
    }
    int reclaimed = 1;
    String base = name.substring(0, name.length() - 1);
    for (ObjectInfo element : depot.list(base + ObjectNames.epochText(list.generation()) + "/")) {
      if (depot.remove(element.name())) {
        reclaimed++;
      }
    }
    return reclaimed;
  }

  /**
   * Removes {@code name} if it still has {@code version}, atomically (a concurrent rewrite wins and
   * stays).
   */
  private boolean removeIfVersion(String name, long version) {
    return depot.remove(name, version);
  }

  @Override
  public void close() {
    depot.close();
  }

  @Override
  public String toString() {
    return "ShmBackend[" + address + "]";
  }
}
