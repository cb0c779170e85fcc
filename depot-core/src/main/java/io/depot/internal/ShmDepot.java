package io.depot.internal;

import io.depot.ClientInfo;
import io.depot.Codec;
import io.depot.CodecException;
import io.depot.Codecs;
import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotException;
import io.depot.DepotQueue;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.ObjectNotFoundException;
import io.depot.PutMode;
import io.depot.StoreStats;
import io.depot.Track;
import io.depot.ValueKind;
import io.depot.WriteClaim;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The shared-memory {@link Depot}: API checks and value encoding over a {@link Store}. */
final class ShmDepot implements Depot {
  private static final long[] NO_SHAPE = new long[0];

  private final String name;
  private final Store store;
  private final Mem mem;

  /** The adaptive spin of this process's waits for a commit ({@link #get(String, Duration)}). */
  private final Waiter.Spin getSpin;

  ShmDepot(String name, Store store) {
    this.name = name;
    this.store = store;
    this.mem = store.mem;
    this.getSpin = new Waiter.Spin(store.options.queueSpinNanos());
  }

  /** The engine, for tools and tests of this package. */
  Store store() {
    return store;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Path path() {
    return store.path;
  }

  // ------------------------------------------------------------------ writing

  @Override
  public void put(String name, byte[] value) {
    write(
        name, PutMode.CREATE, ValueKind.BYTES, null, NO_SHAPE, null, MemorySegment.ofArray(value));
  }

  @Override
  public void put(String name, ByteBuffer value) {
    write(
        name, PutMode.CREATE, ValueKind.BYTES, null, NO_SHAPE, null, MemorySegment.ofBuffer(value));
  }

  @Override
  public void put(String name, MemorySegment value) {
    write(name, PutMode.CREATE, ValueKind.BYTES, null, NO_SHAPE, null, value);
  }

  @Override
  public void put(String name, String value) {
    putString(name, value, PutMode.CREATE);
  }

  @Override
  public void put(String name, NDArray value) {
    putArray(name, value, PutMode.CREATE);
  }

  @Override
  public <T> void put(String name, T value, Codec<T> codec) {
    putEncoded(name, value, codec, PutMode.CREATE);
  }

  @Override
  public void replace(String name, byte[] value) {
    write(
        name, PutMode.REPLACE, ValueKind.BYTES, null, NO_SHAPE, null, MemorySegment.ofArray(value));
  }

  @Override
  public void replace(String name, String value) {
    putString(name, value, PutMode.REPLACE);
  }

  @Override
  public void replace(String name, NDArray value) {
    putArray(name, value, PutMode.REPLACE);
  }

  @Override
  public <T> void replace(String name, T value, Codec<T> codec) {
    putEncoded(name, value, codec, PutMode.REPLACE);
  }

  private void putString(String name, String value, PutMode mode) {
    Objects.requireNonNull(value, "value");
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    write(name, mode, ValueKind.STRING, null, NO_SHAPE, null, MemorySegment.ofArray(bytes));
  }

  private void putArray(String name, NDArray value, PutMode mode) {
    write(name, mode, ValueKind.ARRAY, value.dtype(), value.shape(), null, value.segment());
  }

  private <T> void putEncoded(String name, T value, Codec<T> codec, PutMode mode) {
    putEncoded(name, value, codec, mode, Directory.ANY_VERSION);
  }

  private <T> boolean putEncoded(
      String name, T value, Codec<T> codec, PutMode mode, long expected) {
    String id = Codecs.checkId(codec.id());
    Exposed out = new Exposed();
    try {
      codec.encode(value, out);
    } catch (IOException | RuntimeException e) {
      if (e instanceof DepotException de) {
        throw de;
      }
      throw new CodecException(
          "codec="
              + id
              + " failed to encode a "
              + (value == null ? "null" : value.getClass().getName())
              + " for name="
              + name
              + ": "
              + e,
          e);
    }
    return write(
        name,
        mode,
        ValueKind.ENCODED,
        null,
        NO_SHAPE,
        id,
        MemorySegment.ofArray(out.buffer()).asSlice(0, out.size()),
        expected);
  }

  /** A ByteArrayOutputStream whose buffer can be read without a copy. */
  private static final class Exposed extends ByteArrayOutputStream {
    byte[] buffer() {
      return buf;
    }
  }

  private void write(
      String name,
      PutMode mode,
      ValueKind kind,
      DType dtype,
      long[] shape,
      String codecId,
      MemorySegment src) {
    write(name, mode, kind, dtype, shape, codecId, src, Directory.ANY_VERSION);
  }

  private boolean write(
      String name,
      PutMode mode,
      ValueKind kind,
      DType dtype,
      long[] shape,
      String codecId,
      MemorySegment src,
      long expected) {
    long length = src.byteSize();
    Store.ClaimRequest request =
        Store.ClaimRequest.of(name, kind, dtype, shape, codecId, length, mode == PutMode.REPLACE);
    return store.call(
        () -> {
          int index = store.claim(request);
          boolean ok = false;
          try {
            mem.copyIn(src, store.dataAddress(index));
            ok = store.commitIf(index, expected);
          } finally {
            if (!ok) {
              store.abort(index);
            }
          }
          if (ok) {
            store.clients.addStat(store.slot, ClientDescriptor.PUTS_OFFSET);
          }
          return ok;
        });
  }

  @Override
  public boolean compareAndSet(String name, long expectedVersion, byte[] value) {
    return write(
        name,
        PutMode.REPLACE,
        ValueKind.BYTES,
        null,
        NO_SHAPE,
        null,
        MemorySegment.ofArray(value),
        checkVersion(expectedVersion));
  }

  @Override
  public boolean compareAndSet(String name, long expectedVersion, String value) {
    Objects.requireNonNull(value, "value");
    return write(
        name,
        PutMode.REPLACE,
        ValueKind.STRING,
        null,
        NO_SHAPE,
        null,
        MemorySegment.ofArray(value.getBytes(StandardCharsets.UTF_8)),
        checkVersion(expectedVersion));
  }

  @Override
  public <T> boolean compareAndSet(String name, long expectedVersion, T value, Codec<T> codec) {
    return putEncoded(name, value, codec, PutMode.REPLACE, checkVersion(expectedVersion));
  }

  private static long checkVersion(long version) {
    if (version < 0) {
      throw new io.depot.InvalidArgumentException("not a version: expectedVersion=" + version);
    }
    return version;
  }

  @Override
  public long version(String name) {
    byte[] key = Names.encode(name);
    return store.call(
        () -> {
          long found = store.directory.lookup(key, Names.hash(key));
          return found < 0
              ? NO_VERSION
              : found; // lookup returns the owner tag, which is the version
        });
  }

  @Override
  public WriteClaim claim(String name, long size, PutMode mode) {
    return newClaim(name, ValueKind.BYTES, null, NO_SHAPE, size, mode);
  }

  @Override
  public WriteClaim claimArray(String name, DType dtype, long[] shape, PutMode mode) {
    Objects.requireNonNull(dtype, "dtype");
    long elements = elementCount(shape);
    long bytes;
    try {
      bytes = Math.multiplyExact(elements, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new io.depot.InvalidArgumentException(
          "array too large: shape=" + java.util.Arrays.toString(shape));
    }
    return newClaim(name, ValueKind.ARRAY, dtype, shape.clone(), bytes, mode);
  }

  private static long elementCount(long[] shape) {
    if (shape.length > NDArray.MAX_DIMS) {
      throw new io.depot.InvalidArgumentException(
          "at most " + NDArray.MAX_DIMS + " dimensions: ndim=" + shape.length);
    }
    long n = 1;
    for (long extent : shape) {
      if (extent < 0) {
        throw new io.depot.InvalidArgumentException(
            "negative extent in shape=" + java.util.Arrays.toString(shape));
      }
      try {
        n = Math.multiplyExact(n, extent);
      } catch (ArithmeticException e) {
        throw new io.depot.InvalidArgumentException(
            "array too large: shape=" + java.util.Arrays.toString(shape));
      }
    }
    return n;
  }

  private WriteClaim newClaim(
      String name, ValueKind kind, DType dtype, long[] shape, long size, PutMode mode) {
    Objects.requireNonNull(mode, "mode");
    Store.ClaimRequest request =
        Store.ClaimRequest.of(name, kind, dtype, shape, null, size, mode == PutMode.REPLACE);
    return store.call(
        () -> {
          int index = store.claim(request);
          MemorySegment data = mem.slice(store.dataAddress(index), size);
          if (store.options.zeroClaims()) {
            data.fill((byte) 0);
          }
          store.outstanding.increment();
          return new WriteClaimImpl(this, name, index, data, dtype, shape);
        });
  }

  void commitClaim(WriteClaimImpl claim) {
    commitClaimIf(claim, Directory.ANY_VERSION);
  }

  boolean commitClaimIf(WriteClaimImpl claim, long expected) {
    if (expected != Directory.ANY_VERSION && expected < 0) {
      throw new io.depot.InvalidArgumentException("not a version: expectedVersion=" + expected);
    }
    return store.call(
        () -> {
          boolean ok = false;
          try {
            ok = store.commitIf(claim.index, expected);
          } finally {
            if (!ok) {
              store.abort(claim.index);
            }
            store.outstanding.decrement();
          }
          if (ok) {
            store.clients.addStat(store.slot, ClientDescriptor.PUTS_OFFSET);
          }
          return ok;
        });
  }

  void abortClaim(WriteClaimImpl claim) {
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      return; // aborted by the store's close
    }
    try {
      store.abort(claim.index);
      store.outstanding.decrement();
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  // ------------------------------------------------------------------ queues

  @Override
  public DepotQueue createQueue(String name, int capacity, Track... tracks) {
    return createQueue(name, capacity, io.depot.Overflow.BLOCK, tracks);
  }

  @Override
  public DepotQueue createQueue(
      String name, int capacity, io.depot.Overflow overflow, Track... tracks) {
    java.util.Objects.requireNonNull(overflow, "overflow");
    long[] offsets = QueueFormat.layout(capacity, tracks);
    long length = QueueFormat.valueLength(capacity, tracks, offsets);
    Store.ClaimRequest request =
        Store.ClaimRequest.of(name, ValueKind.QUEUE, null, NO_SHAPE, null, length, false);
    store.run(
        () -> {
          int index = store.claim(request);
          boolean ok = false;
          try {
            long q = store.dataAddress(index);
            QueueFormat.format(mem, q, capacity, overflow, tracks, offsets);
            long d = store.layout.descriptor(index);
            int gen =
                ObjectDescriptor.generation(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
            mem.putLong(
                q + QueueDescriptor.QUEUE_VERSION_OFFSET, ObjectDescriptor.ownerTag(index, gen));
            store.commit(index);
            ok = true;
          } finally {
            if (!ok) {
              store.abort(index);
            }
          }
        });
    return openQueue(name);
  }

  @Override
  public DepotQueue openQueue(String name, io.depot.Overflow overflow) {
    java.util.Objects.requireNonNull(overflow, "overflow");
    DepotQueue q = openQueue(name);
    if (q.overflow() != overflow) {
      q.close();
      throw new io.depot.TypeMismatchException(
          "queue was created with overflow="
              + q.overflow()
              + ", not overflow="
              + overflow
              + ": name="
              + name);
    }
    return q;
  }

  @Override
  public DepotQueue openQueue(String name) {
    ObjectHandleImpl h = find(name);
    if (h == null) {
      throw new ObjectNotFoundException("no queue: name=" + name);
    }
    if (h.kind() != ValueKind.QUEUE) {
      h.close();
      throw new io.depot.TypeMismatchException(
          "object is " + h.kind() + ", not a queue: name=" + name);
    }
    try {
      return ShmQueue.open(this, store, h);
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  // ------------------------------------------------------------------ reading

  private ObjectHandleImpl find(String name) {
    byte[] key = Names.encode(name);
    long hash = Names.hash(key);
    return store.call(
        () -> {
          for (; ; ) {
            long found = store.directory.lookup(key, hash);
            if (found < 0) {
              return null;
            }
            int index = ObjectDescriptor.ownerIndex(found);
            int gen = ObjectDescriptor.ownerGeneration(found);
            int entry = store.pin(index, gen);
            if (entry < 0) {
              continue; // removed or replaced meanwhile: look again
            }
            boolean ok = false;
            try {
              ObjectHandleImpl h = new ObjectHandleImpl(store, name, index, gen, entry);
              ok = true;
              store.clients.addStat(store.slot, ClientDescriptor.GETS_OFFSET);
              return h;
            } finally {
              if (!ok) {
                store.unpin(index, gen, entry);
              }
            }
          }
        });
  }

  /**
   * Values up to this size are copied out by {@link #getBytes} and {@link #getString} without a pin
   * (see {@link #copyOut}); larger ones, where the copy costs far more than the pin, through a
   * handle.
   */
  private static final long COPY_OUT_MAX = 64 * 1024;

  /**
   * How often {@link #copyOut} tries before it gives way to a pinned read (each failure means that
   * the object was replaced or removed during the copy).
   */
  private static final int COPY_OUT_TRIES = 4;

  /**
   * Copies out the value of the committed object named {@code key} without pinning it: a seqlock
   * read. It reads the descriptor's ctl (acquire), copies the block, then reads the ctl again after
   * an acquire fence. A committed object's block never changes, and it is freed only after its
   * descriptor has left COMMITTED, which never comes back under the same generation. So an
   * unchanged state and generation prove that the copy is the whole value. Every offset read before
   * that proof is bounds-checked, since a descriptor reused meanwhile may hold anything. No handle
   * journal entry, no pin and unpin CAS: for a small value this is most of a get's cost.
   *
   * @param required the kind the value must have, or null for any
   * @return the bytes, or null where the value must be read through a handle: a queue (its value
   *     changes while committed), a value over {@link #COPY_OUT_MAX}, or one replaced under every
   *     try
   * @throws ObjectNotFoundException if no object of that name is committed
   * @throws io.depot.TypeMismatchException if the value is not of kind {@code required}
   */
  private byte[] copyOut(byte[] key, long hash, ValueKind required, String name) {
    StoreLayout layout = store.layout;
    for (int attempt = 0; attempt < COPY_OUT_TRIES; attempt++) {
      long found = store.directory.lookup(key, hash);
      if (found < 0) {
        throw new ObjectNotFoundException("no committed object: name=" + name);
      }
      int gen = ObjectDescriptor.ownerGeneration(found);
      long d = layout.descriptor(ObjectDescriptor.ownerIndex(found));
      if (!committedAt(d, gen)) {
        continue; // removed or replaced since the lookup
      }
      long block = mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET);
      if (block < layout.arenaOffset || !mem.inBounds(block, BlockHeaderDescriptor.NAME_OFFSET)) {
        continue; // only a descriptor reused since the ctl read holds that: the check below fails
      }
      int kind = mem.getByte(block + BlockHeaderDescriptor.KIND_OFFSET);
      long at = block + mem.getShort(block + BlockHeaderDescriptor.HEADER_LENGTH_OFFSET);
      long length = mem.getLong(block + BlockHeaderDescriptor.DATA_LENGTH_OFFSET);
      if (kind == ValueKind.QUEUE.code() || length > COPY_OUT_MAX) {
        return null;
      }
      if (length < 0 || !mem.inBounds(at, length)) {
        continue; // as above
      }
      byte[] out = new byte[(int) length];
      MemorySegment.copy(mem.segment(), ValueLayout.JAVA_BYTE, at, out, 0, (int) length);
      // The copy's loads must complete before the second ctl read.
      VarHandle.acquireFence();
      if (committedAt(d, gen)) {
        if (required != null && kind != required.code()) {
          throw new io.depot.TypeMismatchException(
              "object is " + ValueKind.ofCode(kind) + ", not " + required + ": name=" + name);
        }
        store.clients.addStat(store.slot, ClientDescriptor.GETS_OFFSET);
        return out;
      }
    }
    return null;
  }

  /** Whether descriptor {@code d} is COMMITTED at generation {@code gen} (an acquire read). */
  private boolean committedAt(long d, int gen) {
    long c = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
    return ObjectDescriptor.state(c) == ObjectDescriptor.COMMITTED
        && ObjectDescriptor.generation(c) == gen;
  }

  /** {@link #copyOut} of {@code name}. */
  private byte[] copyOut(String name, ValueKind required) {
    byte[] key = Names.encode(name);
    long hash = Names.hash(key);
    return store.call(() -> copyOut(key, hash, required, name));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A value of up to 64 KiB is copied without a handle (no pin): the copy is checked against a
   * concurrent replace or remove afterwards, and taken again if one happened.
   */
  @Override
  public byte[] getBytes(String name) {
    byte[] out = copyOut(name, null);
    if (out != null) {
      return out;
    }
    try (ObjectHandle h = get(name)) {
      return h.toByteArray();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Copied out as by {@link #getBytes}.
   *
   * @throws io.depot.TypeMismatchException if the object is not a string
   */
  @Override
  public String getString(String name) {
    byte[] out = copyOut(name, ValueKind.STRING);
    if (out != null) {
      return new String(out, StandardCharsets.UTF_8);
    }
    try (ObjectHandle h = get(name)) {
      return h.asString();
    }
  }

  @Override
  public ObjectHandle get(String name) {
    ObjectHandleImpl h = find(name);
    if (h == null) {
      throw new ObjectNotFoundException("no committed object: name=" + name);
    }
    return h;
  }

  @Override
  public Optional<ObjectHandle> tryGet(String name) {
    return Optional.ofNullable(find(name));
  }

  @Override
  public ObjectHandle get(String name, Duration timeout) {
    ObjectHandleImpl h = find(name);
    if (h != null) {
      return h;
    }
    try {
      return Waiter.await(
          mem,
          HeaderDescriptor.COMMIT_SIGNAL_OFFSET,
          timeout.toNanos(),
          getSpin,
          () -> find(name),
          null,
          "no committed object after waiting timeout=" + timeout + ": name=" + name);
    } catch (io.depot.DepotTimeoutException e) {
      throw new ObjectNotFoundException(e.getMessage());
    }
  }

  @Override
  public boolean contains(String name) {
    byte[] key = Names.encode(name);
    return store.call(() -> store.directory.lookup(key, Names.hash(key)) >= 0);
  }

  @Override
  public boolean remove(String name) {
    return remove(name, false, Directory.ANY_VERSION);
  }

  @Override
  public boolean forceRemove(String name) {
    return remove(name, true, Directory.ANY_VERSION);
  }

  @Override
  public boolean remove(String name, long expectedVersion) {
    if (expectedVersion <= 0) {
      throw new io.depot.InvalidArgumentException(
          "expectedVersion must be a version an object had (positive): "
              + "expectedVersion="
              + expectedVersion
              + " name="
              + name);
    }
    return remove(name, false, expectedVersion);
  }

  private boolean remove(String name, boolean force, long expectedVersion) {
    byte[] key = Names.encode(name);
    return store.call(
        () -> {
          long r = store.directory.remove(key, Names.hash(key), force, expectedVersion);
          if (r == Directory.NOT_REMOVED) {
            return false;
          }
          if (Directory.freedNow(r)) {
            store.freeObject(Directory.removedIndex(r));
          }
          store.clients.addStat(store.slot, ClientDescriptor.REMOVES_OFFSET);
          return true;
        });
  }

  @Override
  public List<ObjectInfo> list() {
    return list("");
  }

  @Override
  public List<ObjectInfo> list(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<ObjectInfo> out = new ArrayList<>();
    StoreLayout layout = store.layout;
    store.run(
        () -> {
          for (int i = 0; i < layout.maxObjects; i++) {
            long d = layout.descriptor(i);
            long c1 = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
            if (ObjectDescriptor.state(c1) != ObjectDescriptor.COMMITTED) {
              continue;
            }
            ObjectInfo info = describe(d);
            // Keep it only if the descriptor was the same committed object throughout the read.
            long c2 = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
            if (info != null
                && ObjectDescriptor.generation(c1) == ObjectDescriptor.generation(c2)
                && ObjectDescriptor.state(c2) == ObjectDescriptor.COMMITTED
                && info.name().startsWith(prefix)) {
              out.add(info);
            }
          }
        });
    return out;
  }

  private ObjectInfo describe(long d) {
    try {
      String n = store.directory.nameOf(d);
      long block = mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET);
      if (n == null) {
        return null;
      }
      ValueKind kind = ValueKind.ofCode(mem.getByte(block + BlockHeaderDescriptor.KIND_OFFSET));
      long size = mem.getLong(block + BlockHeaderDescriptor.DATA_LENGTH_OFFSET);
      DType dtype =
          kind == ValueKind.ARRAY
              ? DType.ofCode(mem.getByte(block + BlockHeaderDescriptor.DTYPE_OFFSET))
              : null;
      long[] shape = kind == ValueKind.ARRAY ? Values.readShape(mem, block) : NO_SHAPE;
      String codec = kind == ValueKind.ENCODED ? Values.readCodecId(mem, block) : null;
      return new ObjectInfo(n, kind, size, dtype, shape, codec);
    } catch (RuntimeException e) {
      return null; // reused while we read it
    }
  }

  @Override
  public StoreStats stats() {
    StoreLayout layout = store.layout;
    return store.call(
        () -> {
          long objects = 0;
          long entries = 0;
          long zombies = 0;
          long writing = 0;
          long used = 0;
          for (int i = 0; i < layout.maxObjects; i++) {
            long d = layout.descriptor(i);
            int st = ObjectDescriptor.state(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
            switch (st) {
              case ObjectDescriptor.COMMITTED -> {
                objects++;
                if (mem.getByte(d + ObjectDescriptor.KIND_OFFSET) == ValueKind.QUEUE.code()) {
                  QueueRing ring = QueueRing.ofDescriptor(store, i);
                  entries += ring == null ? 0 : ring.committedEntries();
                }
              }
              case ObjectDescriptor.ZOMBIE -> zombies++;
              case ObjectDescriptor.WRITE -> writing++;
              default -> {
                continue;
              }
            }
            used += mem.getLong(d + ObjectDescriptor.BLOCK_SIZE_OFFSET);
          }
          long freePages = store.pages.freePages();
          long largest = store.pages.largestFreeRun();
          double frag = freePages == 0 ? 0.0 : 1.0 - (double) largest / freePages;
          int live = 0;
          int dead = 0;
          for (int s = 0; s < layout.maxClients; s++) {
            long word = store.clients.slotWord(s);
            long st = ClientDescriptor.state(word);
            if (st == ClientDescriptor.STATE_FREE) {
              continue;
            }
            if (st != ClientDescriptor.STATE_RECOVERING && store.clients.isSlotAlive(s, word)) {
              live++;
            } else {
              dead++; // dead, or dead and being recovered
            }
          }
          long[] ops = store.clients.operationTotals();
          return new StoreStats(
              layout.arenaLength,
              store.freeBytes(),
              used,
              largest << SizeClasses.PAGE_SHIFT,
              frag,
              objects,
              entries,
              zombies,
              writing,
              layout.maxObjects,
              live,
              dead,
              layout.maxClients,
              ops[0],
              ops[1],
              ops[2]);
        });
  }

  @Override
  public io.depot.CheckReport check() {
    return store.call(() -> Checker.run(store));
  }

  @Override
  public int recoverDeadClients() {
    return store.call(() -> store.recovery.recoverDeadClients(true));
  }

  @Override
  public List<ClientInfo> clients() {
    return store.call(() -> Inspector.clients(store));
  }

  @Override
  public void close() {
    store.close();
  }

  @Override
  public String toString() {
    return "Depot[" + name + " at " + store.path + "]";
  }
}
