package io.depot.internal;

import static io.depot.internal.ObjectDescriptor.*;

import io.depot.CorruptStoreException;
import io.depot.DepotOptions;
import io.depot.DirectoryFullException;
import io.depot.IdleStrategy;
import io.depot.InvalidArgumentException;
import io.depot.Prefault;
import io.depot.StoreClosedException;
import io.depot.StoreFullException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.concurrent.atomic.LongAdder;

/**
 * One attachment of this process to a store: this client's slot, token and handle journal over the
 * mapping of a {@link StoreFile}, and the engine's lifecycle primitives (claim, commit, abort, pin,
 * unpin, retire, free), on which {@link ShmDepot} and the queues are built. Recovery of dead
 * clients is {@link Recovery}'s job.
 *
 * <pre>
 * Concurrency: a Store is shared by all threads of its process. Shared state lives in the mapping and changes
 * only through the protocols of {@link Directory}, {@link BlockAllocator}, {@link PageAllocator} and the pin
 * protocol below. Process-local state is the handle journal's free list (lock-free), an operation gate (LongAdder
 * + volatile flag) that lets close() wait for operations in flight before unmapping, and a count of the object claims
 * handed out and not yet finished (close() gives back what is left of them, and of its queue positions).
 *
 * Pin protocol (a reader's hold on a COMMITTED descriptor):
 *   journal[e] = PIN_PENDING(index, gen)    release store
 *   CAS ctl: COMMITTED(gen, n) -> COMMITTED(gen, n + 1)    fails if the generation or state changed
 *   journal[e] = PINNED(index, gen)          release store
 * and the reverse to unpin; the last unpin of a ZOMBIE moves it to FREEING in the same CAS, so exactly one party
 * frees it. The journal tells a recoverer which counts a dead reader held.
 * </pre>
 */
final class Store implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("io.depot");

  final Path path;
  final DepotOptions options;
  final Mem mem;
  final StoreLayout layout;
  final int slot;
  final long token;
  final ClientTable clients;
  final PageAllocator pages;
  final BlockAllocator blocks;
  final Directory directory;
  final HandleJournal journal;
  final Recovery recovery;
  final Counters counters = new Counters();

  /** Object claims handed out by this client and not yet committed or aborted. */
  final LongAdder outstanding = new LongAdder();

  /**
   * Whether this client ever opened a queue (its claims and popped entries, which it does not
   * count, may then be left at close). Written once, read at close.
   */
  volatile boolean queuesOpened;

  /**
   * The open queue handles of this client: their operations pass their own gate ({@code
   * ShmQueue.opEnter}), which {@link #close} waits for as it waits for {@link #enter}'s.
   */
  final java.util.Set<ShmQueue> queueHandles = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final StoreFile file;
  private final LongAdder active = new LongAdder();
  private volatile boolean closed;
  private volatile boolean stopPrefault;
  private Thread prefaulter;

  /** Process-local counters of rare events (tests and stats). */
  static final class Counters {
    final LongAdder lockRepairs = new LongAdder();
    final LongAdder recoveredClients = new LongAdder();
  }

  /** The store's file and this process's mapping of it. */
  StoreFile file() {
    return file;
  }

  private Store(StoreFile file, DepotOptions options) {
    this.file = file;
    this.path = file.path;
    this.options = options;
    this.mem = file.mem;
    this.layout = file.layout;
    this.clients = new ClientTable(this);
    this.pages = new PageAllocator(this);
    this.blocks = new BlockAllocator(this, pages);
    this.directory = new Directory(this);
    this.recovery = new Recovery(this);
    ClientTable.Claim claim = clients.attach();
    this.slot = claim.slot();
    this.token = ClientDescriptor.token(slot, claim.generation());
    this.journal = new HandleJournal(mem, layout.journal(slot, 0), layout.handlesPerClient);
    if (claim.adopted()) {
      // The slot was a dead process's: recover what it left, under our own token, before anything
      // uses the journal
      // row (the recovery empties it). Should this process die meanwhile, the slot's adopting word
      // tells the next
      // recoverer that a recovery was under way.
      try {
        recovery.recoverSlot(slot, claim.takeover(), token);
      } catch (RuntimeException | Error e) {
        // Hand the slot and its unfinished recovery to whoever comes next: RECOVERING by no live
        // client.
        mem.putLongRelease(
            layout.client(slot) + ClientDescriptor.STATE_OFFSET,
            ClientDescriptor.recoveringWord(claim.generation(), 0));
        throw e;
      }
    } else {
      journal.clear();
    }
    clients.publish(slot, claim.generation());
  }

  /** Creates, formats and publishes a new store file, then attaches to it. */
  public static Store create(String name, DepotOptions options) {
    return attach(StoreFile.create(name, options), options, true);
  }

  /** Attaches to an existing store file. */
  public static Store open(String name, DepotOptions options) {
    return attach(StoreFile.open(StoreFile.fileOf(name, options)), options, false);
  }

  private static Store attach(StoreFile file, DepotOptions options, boolean created) {
    Store store;
    try {
      store = new Store(file, options);
    } catch (RuntimeException e) {
      file.close();
      throw translate(e, file.path);
    } catch (Error e) {
      file.close();
      throw e;
    }
    Prefault prefault = options.prefault();
    if (prefault == Prefault.AUTO) {
      prefault = created ? Prefault.EAGER : Prefault.BACKGROUND;
    }
    switch (prefault) {
      case EAGER -> file.prefault(() -> false);
      case BACKGROUND -> store.startPrefault();
      default -> {
        // NONE: each page faults on first use
      }
    }
    store.recovery.startSweeping();
    return store;
  }

  /**
   * Pre-faults this process's mapping in a daemon thread that runs on idle CPU time only, until
   * done or closed.
   */
  private void startPrefault() {
    file.prefaultInBackground();
    prefaulter =
        Thread.ofPlatform()
            .daemon()
            .name("depot-prefault " + path.getFileName())
            .start(
                () -> {
                  Native.idleCurrentThread();
                  try {
                    file.prefault(() -> stopPrefault);
                  } catch (RuntimeException | InternalError e) {
                    LOG.log(System.Logger.Level.DEBUG, "pre-fault of {0} stopped: {1}", path, e);
                  }
                });
  }

  public static Path fileOf(String name, DepotOptions options) {
    return StoreFile.fileOf(name, options);
  }

  public static boolean destroy(String name, DepotOptions options) {
    return StoreFile.destroy(name, options);
  }

  String pathString() {
    return path.toString();
  }

  IdleStrategy newIdleStrategy() {
    return options.newIdleStrategy();
  }

  // ------------------------------------------------------------------ operation gate

  /** Enters an operation; every enter is paired with {@link #exit()} in a finally block. */
  void enter() {
    active.increment();
    if (closed) {
      active.decrement();
      throw new StoreClosedException("store is closed: " + path);
    }
  }

  void exit() {
    active.decrement();
  }

  /** The body of an operation run by {@link #call}. */
  @FunctionalInterface
  interface Op<T> {
    T run();
  }

  /** The body of an operation run by {@link #run}. */
  @FunctionalInterface
  interface VoidOp {
    void run();
  }

  /**
   * Runs one operation of the store: {@link #enter} (it fails once the store is closed), the body,
   * {@link #exit}; a low-level failure of the body is {@link #translate}d. Every public operation
   * of the store's handles goes through this gate (or {@link #run}), so that the close can wait for
   * operations in flight.
   */
  <T> T call(Op<T> op) {
    enter();
    try {
      return op.run();
    } catch (RuntimeException e) {
      throw translate(e);
    } finally {
      exit();
    }
  }

  /** {@link #call} without a result (operations off the hot path). */
  void run(VoidOp op) {
    call(
        () -> {
          op.run();
          return null;
        });
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Turns a low-level failure of the JDK met while following the store's metadata (an index or size
   * out of range, an arithmetic overflow: only a damaged or hostile file causes these) into a
   * {@link CorruptStoreException} naming the store. Depot's own exceptions pass through, and so
   * does an {@link InvariantViolation} (Depot's own check of its protocol failed: a bug, not a
   * damaged file).
   */
  RuntimeException translate(RuntimeException e) {
    return translate(e, path);
  }

  static RuntimeException translate(RuntimeException e, Path path) {
    if (e instanceof io.depot.DepotException) {
      return e;
    }
    if (e instanceof IndexOutOfBoundsException
        || e instanceof IllegalStateException
        || e instanceof IllegalArgumentException
        || e instanceof ArithmeticException
        || e instanceof NegativeArraySizeException
        || e instanceof UnsupportedOperationException) {
      return new CorruptStoreException("store metadata is inconsistent (" + e + "): " + path, e);
    }
    return e;
  }

  // ------------------------------------------------------------------ lifecycle primitives

  /**
   * What {@link #claim} is asked for.
   *
   * @param name the encoded name ({@link Names#encode})
   * @param hash its {@link Names#hash}
   * @param displayName the name as given, for messages
   * @param kind what the value is
   * @param dtype the element type of an array, else {@code null}
   * @param shape the array's shape (empty for other kinds)
   * @param codecId the codec's id (ASCII) of an encoded value, else {@code null}
   * @param dataLength the value's length in bytes
   * @param replace whether the commit replaces a committed object of the name (else the name must
   *     be free)
   */
  record ClaimRequest(
      byte[] name,
      long hash,
      String displayName,
      io.depot.ValueKind kind,
      io.depot.DType dtype,
      long[] shape,
      byte[] codecId,
      long dataLength,
      boolean replace) {
    /** The request for a value named {@code name}. */
    static ClaimRequest of(
        String name,
        io.depot.ValueKind kind,
        io.depot.DType dtype,
        long[] shape,
        String codecId,
        long dataLength,
        boolean replace) {
      byte[] key = Names.encode(name);
      return new ClaimRequest(
          key,
          Names.hash(key),
          name,
          kind,
          dtype,
          shape,
          codecId == null ? null : codecId.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          dataLength,
          replace);
    }
  }

  /**
   * Claims a descriptor and a block of {@code headerLength + dataLength} bytes, writes the header,
   * and links the name into the directory (WRITE stage).
   *
   * @return the descriptor index
   */
  int claim(ClaimRequest r) {
    byte[] name = r.name();
    long hash = r.hash();
    String displayName = r.displayName();
    int kind = r.kind().code();
    int dtype = r.dtype() == null ? 0 : r.dtype().code();
    long[] shape = r.shape();
    byte[] codecId = r.codecId();
    long dataLength = r.dataLength();
    boolean replace = r.replace();
    int ndim = shape.length;
    int codecLength = codecId == null ? 0 : codecId.length;
    int headerLength = BlockHeaderDescriptor.headerLength(name.length, ndim, codecLength);
    if (dataLength < 0 || dataLength > layout.arenaLength - headerLength) {
      throw new InvalidArgumentException(
          "value size="
              + io.depot.ByteSize.describe(dataLength)
              + (dataLength < 0
                  ? " is negative"
                  : " is larger than the arena ("
                      + io.depot.ByteSize.format(layout.arenaLength)
                      + ")")
              + ": name="
              + displayName);
    }
    int index = directory.claim();
    if (index < 0 && recovery.recoverOnContention() > 0) {
      index = directory.claim(); // dead clients held descriptors
    }
    if (index < 0) {
      throw new DirectoryFullException(
          "all maxObjects="
              + layout.maxObjects
              + " descriptors are in use; remove objects or create the store with a larger maxObjects: name="
              + displayName);
    }
    long d = layout.descriptor(index);
    int gen = generation(mem.getLongAcquire(d + CTL_OFFSET));
    boolean ok = false;
    try {
      long blockSize = headerLength + dataLength;
      long block = blocks.allocate(blockSize, d, ownerTag(index, gen));
      if (block < 0 && recovery.recoverOnContention() > 0) {
        block = blocks.allocate(blockSize, d, ownerTag(index, gen)); // dead clients held memory
      }
      if (block < 0) {
        throw new StoreFullException(
            "no room for a block of requested="
                + io.depot.ByteSize.describe(blockSize)
                + " (value "
                + dataLength
                + " + header "
                + headerLength
                + "): free="
                + io.depot.ByteSize.describe(freeBytes())
                + ", largest free extent="
                + io.depot.ByteSize.describe(pages.largestFreeRun() << SizeClasses.PAGE_SHIFT)
                + ": name="
                + displayName);
      }
      mem.putShort(block + BlockHeaderDescriptor.NAME_LENGTH_OFFSET, name.length);
      mem.putByte(block + BlockHeaderDescriptor.KIND_OFFSET, kind);
      mem.putByte(block + BlockHeaderDescriptor.DTYPE_OFFSET, dtype);
      mem.putByte(block + BlockHeaderDescriptor.NDIM_OFFSET, ndim);
      mem.putByte(block + BlockHeaderDescriptor.CODEC_ID_LENGTH_OFFSET, codecLength);
      mem.putShort(block + BlockHeaderDescriptor.HEADER_LENGTH_OFFSET, headerLength);
      mem.putLong(block + BlockHeaderDescriptor.DATA_LENGTH_OFFSET, dataLength);
      mem.putLong(block + BlockHeaderDescriptor.RESERVED_OFFSET, 0);
      MemorySegment.copy(
          name,
          0,
          mem.segment(),
          ValueLayout.JAVA_BYTE,
          block + BlockHeaderDescriptor.NAME_OFFSET,
          name.length);
      long shapeAt = block + BlockHeaderDescriptor.shapeOffset(name.length);
      for (int i = 0; i < ndim; i++) {
        mem.putLong(shapeAt + 8L * i, shape[i]);
      }
      if (codecLength > 0) {
        MemorySegment.copy(
            codecId,
            0,
            mem.segment(),
            ValueLayout.JAVA_BYTE,
            block + BlockHeaderDescriptor.codecIdOffset(name.length, ndim),
            codecLength);
      }
      mem.putShort(d + NAME_LENGTH_OFFSET, name.length);
      mem.putByte(d + KIND_OFFSET, kind);
      mem.putByte(d + FLAGS_OFFSET, replace ? FLAG_REPLACE : 0);
      mem.putLong(d + HASH_OFFSET, hash);
      mem.putLong(d + DATA_LENGTH_OFFSET, dataLength);
      directory.insert(index, name, hash, replace, displayName);
      ok = true;
      return index;
    } finally {
      if (!ok) {
        blocks.free(d);
        directory.release(index);
      }
    }
  }

  /** The address of the value bytes of the block of descriptor {@code index}. */
  long dataAddress(int index) {
    long block = mem.getLong(layout.descriptor(index) + BLOCK_OFFSET);
    return block + mem.getShort(block + BlockHeaderDescriptor.HEADER_LENGTH_OFFSET);
  }

  /** Commits this client's WRITE descriptor {@code index}, making it visible to all (IDLE). */
  void commit(int index) {
    commitIf(index, Directory.ANY_VERSION);
  }

  /**
   * Commits this client's WRITE descriptor {@code index} if the committed object of its name has
   * version {@code expected} ({@link Directory#ANY_VERSION}: unconditionally).
   *
   * @return whether it was committed; if not, the descriptor is still this client's, in WRITE
   */
  boolean commitIf(int index, long expected) {
    long d = layout.descriptor(index);
    boolean replace = (mem.getByte(d + FLAGS_OFFSET) & FLAG_REPLACE) != 0;
    int[] freed = directory.commit(index, replace, expected);
    if (freed == null) {
      return false;
    }
    Waiter.signal(
        mem, HeaderDescriptor.COMMIT_SIGNAL_OFFSET, Integer.MAX_VALUE); // gets waiting for a name
    if (Trace.on()) {
      Trace.log(
          "COMMIT "
              + index
              + " "
              + generation(mem.getLongAcquire(d + CTL_OFFSET))
              + " "
              + directory.nameOf(d));
    }
    for (int f : freed) {
      freeObject(f);
    }
    return true;
  }

  /** Gives back this client's WRITE descriptor {@code index}: name, block and descriptor. */
  void abort(int index) {
    long d = layout.descriptor(index);
    if (Trace.on()) {
      Trace.log(
          "ABORT "
              + index
              + " "
              + generation(mem.getLongAcquire(d + CTL_OFFSET))
              + " "
              + ObjectDescriptor.stateName(state(mem.getLongAcquire(d + CTL_OFFSET)))
              + " "
              + directory.nameOf(d)
              + " "
              + Trace.caller());
    }
    directory.unlinkWrite(index);
    blocks.free(d);
    directory.release(index);
  }

  /** Frees a descriptor this client moved to FREEING (or owns in WRITE): block, then descriptor. */
  void freeObject(int index) {
    long d = layout.descriptor(index);
    if (Trace.on()) {
      Trace.log(
          "FREE "
              + index
              + " "
              + generation(mem.getLongAcquire(d + CTL_OFFSET))
              + " "
              + directory.nameOf(d)
              + " "
              + Trace.caller());
    }
    blocks.free(d);
    directory.release(index);
  }

  /**
   * Pins the COMMITTED descriptor {@code index} at generation {@code gen} for a new handle.
   *
   * @return the journal entry holding the pin, or -1 if the descriptor is no longer that committed
   *     object
   */
  int pin(int index, int gen) {
    return pin(index, gen, false);
  }

  /**
   * Pins descriptor {@code index} at {@code gen} if it is COMMITTED, or a ZOMBIE still held by a
   * reader (so that its memory stays while recovery looks at it; the last unpin frees it as usual).
   *
   * @return the journal entry holding the pin, or -1 if it is neither
   */
  int pinLive(int index, int gen) {
    return pin(index, gen, true);
  }

  private int pin(int index, int gen, boolean zombies) {
    int entry = journal.acquire();
    long pending = JournalDescriptor.entry(JournalDescriptor.PIN_PENDING, index, gen);
    journal.write(entry, pending);
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || !(st == COMMITTED || (zombies && st == ZOMBIE && count(c) > 0))) {
        journal.write(entry, JournalDescriptor.EMPTY);
        journal.release(entry);
        return -1;
      }
      if (recounting(c)) {
        journal.write(entry, JournalDescriptor.EMPTY);
        recovery.awaitRecount(d);
        journal.write(entry, pending);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      if (count(c) >= MAX_COUNT || count(c) >= journalEntries()) {
        journal.write(entry, JournalDescriptor.EMPTY);
        journal.release(entry);
        if (count(c) < journalEntries()) {
          throw new io.depot.TooManyHandlesException(
              "too many open handles on one object: count=" + count(c) + " index=" + index);
        }
        // Every pin holds a journal entry: more readers than journal entries exist only in a
        // damaged file.
        throw new CorruptStoreException(
            "descriptor "
                + index
                + " counts "
                + count(c)
                + " readers, more than the "
                + journalEntries()
                + " handles all clients together can hold: "
                + path);
      }
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, c + 1);
      if (seen == c) {
        break;
      }
      c = seen;
    }
    journal.write(entry, JournalDescriptor.entry(JournalDescriptor.PINNED, index, gen));
    return entry;
  }

  /**
   * Drops one reader reference of the object {@code (index, gen)}: a CAS of its count, and for the
   * last reader of a ZOMBIE the move to FREEING. Nothing if the object is no longer that committed
   * or zombie one (force-removed meanwhile) or has no readers. While a recount has frozen the count
   * it waits for it; if the reference is this process's, its journal entry says PINNED during the
   * wait (so the recount counts it) and UNPIN_PENDING again after.
   *
   * @param journalEntry this process's journal entry of the reference, or -1 for a dead client's
   *     reference
   * @return whether this call moved the object to FREEING (the caller frees it)
   */
  boolean dropReference(int index, int gen, int journalEntry) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || (st != COMMITTED && st != ZOMBIE) || count(c) == 0) {
        return false;
      }
      if (recounting(c)) {
        if (journalEntry >= 0) {
          journal.write(
              journalEntry, JournalDescriptor.entry(JournalDescriptor.PINNED, index, gen));
        }
        recovery.awaitRecount(d);
        if (journalEntry >= 0) {
          journal.write(
              journalEntry, JournalDescriptor.entry(JournalDescriptor.UNPIN_PENDING, index, gen));
        }
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      boolean last = st == ZOMBIE && count(c) == 1;
      long n = last ? with(c, FREEING, token) : c - 1;
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, n);
      if (seen == c) {
        return last;
      }
      c = seen;
    }
  }

  /** Releases the pin held in journal {@code entry} on descriptor {@code index} at {@code gen}. */
  void unpin(int index, int gen, int entry) {
    journal.write(entry, JournalDescriptor.entry(JournalDescriptor.UNPIN_PENDING, index, gen));
    boolean free = dropReference(index, gen, entry);
    journal.write(entry, JournalDescriptor.EMPTY);
    journal.release(entry);
    if (free) {
      freeObject(index);
    }
  }

  /** The handle journal entries of all clients together: an upper bound of any reader count. */
  private long journalEntries() {
    return (long) layout.maxClients * layout.handlesPerClient;
  }

  long freeBytes() {
    return (pages.freePages() << SizeClasses.PAGE_SHIFT) + blocks.freeSlotBytes();
  }

  // ------------------------------------------------------------------ close

  /**
   * Detaches: waits for operations in flight, gives back this client's unfinished claims (aborted)
   * and popped entries (delivered again), releases its pins (leaks, reported), frees its slot and
   * unmaps.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopPrefault = true;
    recovery.stopSweeping();
    IdleStrategy idle = newIdleStrategy();
    while (active.sum() != 0) {
      idle.idle();
    }
    for (ShmQueue q : queueHandles) {
      while (q.operating()) {
        idle.idle();
      }
    }
    joinPrefaulter();
    try {
      long unfinished = 0;
      try {
        unfinished =
            outstanding.sum() != 0 || queuesOpened ? recovery.reclaimOwned(t -> t == token) : 0;
      } catch (
          RuntimeException
              e) { // a damaged store: detach all the same (its check reports the damage)
        LOG.log(
            System.Logger.Level.WARNING,
            "cannot give back this client's claims on " + path + " at close",
            e);
      }
      int leaked = 0;
      for (int e = 0;
          e < journal.capacity();
          e++) { // entries read in place first: their queues are pinned too
        long entry = journal.read(e);
        if (JournalDescriptor.state(entry) == JournalDescriptor.PINNED
            && JournalDescriptor.isSlot(entry)) {
          QueueRing ring = recovery.liveRing(JournalDescriptor.index(entry));
          if (ring != null && JournalDescriptor.slot(entry) < ring.capacity) {
            ring.releaseDeadPin(JournalDescriptor.slot(entry), JournalDescriptor.slotLap(entry));
          }
          journal.write(e, JournalDescriptor.EMPTY);
          leaked++;
        }
      }
      for (int e = 0; e < journal.capacity(); e++) {
        long entry = journal.read(e);
        if (JournalDescriptor.state(entry) == JournalDescriptor.PINNED) {
          unpin(JournalDescriptor.index(entry), JournalDescriptor.generation(entry), e);
          leaked++;
        }
      }
      if (leaked > 0 || unfinished > 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            "{0} handle(s) and {1} claim(s) or popped entries on store {2} were "
                + "not closed; released at close",
            leaked,
            unfinished,
            path);
      }
      clients.detach(slot);
    } finally {
      file.close();
    }
  }

  private void joinPrefaulter() {
    Thread t = prefaulter;
    if (t == null) {
      return;
    }
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
