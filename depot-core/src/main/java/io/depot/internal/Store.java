package io.depot.internal;

import static io.depot.internal.ObjectDescriptor.*;

import io.depot.CorruptStoreException;
import io.depot.DepotOptions;
import io.depot.DirectoryFullException;
import io.depot.IdleStrategy;
import io.depot.InvalidArgumentException;
import io.depot.StoreAccessException;
import io.depot.StoreClosedException;
import io.depot.StoreExistsException;
import io.depot.StoreFullException;
import io.depot.StoreNotFoundException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;

/**
 * One attachment of this process to a store file: the mapping, this client's slot and token, and the engine's
 * primitives (claim, commit, abort, pin, unpin, free), on which {@link ShmDepot} and the queues are built.
 *
 * <pre>
 * Concurrency: a Store is shared by all threads of its process. Shared state lives in the mapping and changes
 * only through the protocols of {@link Directory}, {@link BlockAllocator}, {@link PageAllocator} and the pin
 * protocol below. Process-local state is the handle journal's free list (lock-free) and an operation gate
 * (LongAdder + volatile flag) that lets close() wait for operations in flight before unmapping.
 *
 * Pin protocol (a reader's hold on a COMMITTED descriptor):
 *   journal[e] = PIN_PENDING(index, gen)    release store
 *   CAS ctl: COMMITTED(gen, n) -> COMMITTED(gen, n + 1)    fails if the generation or state changed
 *   journal[e] = PINNED(index, gen)          release store
 * and the reverse to unpin; the last unpin of a ZOMBIE moves it to FREEING in the same CAS, so exactly one party
 * frees it. The journal tells a recoverer which counts a dead reader held.
 * </pre>
 */
public final class Store implements AutoCloseable {
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
  final Counters counters = new Counters();

  private final Arena arena;
  private final FileChannel channel;
  private final LongAdder active = new LongAdder();
  private volatile boolean closed;

  /** Process-local counters of rare events (tests and stats). */
  static final class Counters {
    final LongAdder lockRepairs = new LongAdder();
    final LongAdder recoveredClients = new LongAdder();
  }

  private Store(Path path, DepotOptions options, Arena arena, FileChannel channel, MemorySegment segment,
      StoreLayout layout, boolean format) {
    this.path = path;
    this.options = options;
    this.arena = arena;
    this.channel = channel;
    this.mem = new Mem(segment);
    this.layout = layout;
    this.clients = new ClientTable(this);
    this.pages = new PageAllocator(this);
    this.blocks = new BlockAllocator(this, pages);
    this.directory = new Directory(this);
    if (format) {
      pages.rebuildIndex();
      directory.rebuildHints();
      this.slot = -1;
      this.token = 0;
      this.journal = null;
      return;
    }
    this.slot = clients.attach();
    this.token = ClientDescriptor.token(slot, clients.slotGeneration(slot));
    this.journal = new HandleJournal(mem, layout.journal(slot, 0), layout.handlesPerClient);
  }

  // ------------------------------------------------------------------ files

  public static Path fileOf(String name, DepotOptions options) {
    return options.directory().resolve(Names.checkStoreName(name) + ".depot");
  }

  /** Creates, formats and publishes a new store file, then attaches to it. */
  public static Store create(String name, DepotOptions options) {
    Path target = fileOf(name, options);
    Path dir = options.directory();
    if (!Files.isDirectory(dir)) {
      throw new StoreAccessException("store directory does not exist: " + dir);
    }
    if (Files.exists(target)) {
      throw new StoreExistsException("store already exists: " + target);
    }
    StoreLayout layout = StoreLayout.forOptions(options);
    long usable = usableSpace(dir);
    if (usable >= 0 && usable < layout.fileLength) {
      throw new StoreFullException("not enough space in " + dir + " for a store of fileLength=" + layout.fileLength
          + " bytes (capacity=" + options.capacity() + "): free=" + usable);
    }
    Path tmp = dir.resolve("." + name + ".depot." + ProcessInfo.selfPid() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    boolean linked = false;
    try {
      build(tmp, layout, options);
      try {
        Files.createLink(target, tmp);
        linked = true;
      } catch (FileAlreadyExistsException e) {
        throw new StoreExistsException("store already exists (created concurrently): " + target);
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, target);
        linked = true;
      }
    } catch (IOException e) {
      throw new StoreAccessException("cannot create store " + target + ": " + e, e);
    } finally {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // best effort: a leftover temp file is harmless and named as such
      }
    }
    assert linked;
    return open(target, options);
  }

  private static long usableSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Writes a complete store file at {@code tmp}: reserved, pre-faulted, formatted, magic last. */
  private static void build(Path tmp, StoreLayout layout, DepotOptions options) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
          StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(options.permissions()));
    } catch (UnsupportedOperationException e) {
      ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }
    try (FileChannel channel = ch; Arena arena = Arena.ofShared()) {
      try {
        Files.setPosixFilePermissions(tmp, options.permissions()); // exact, whatever the umask
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      channel.write(ByteBuffer.wrap(new byte[1]), layout.fileLength - 1);
      // posix_fallocate allocates every page of a tmpfs file (zeroed): a full file system is ENOSPC here, never a
      // SIGBUS later. Each attaching process then pre-faults its own mapping (see open).
      int rc = Native.fallocate(tmp, layout.fileLength);
      if (rc == Native.ENOSPC) {
        throw new StoreFullException("cannot reserve fileLength=" + layout.fileLength + " bytes in "
            + tmp.getParent() + " (posix_fallocate: ENOSPC): free=" + usableSpace(tmp.getParent()));
      }
      MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, layout.fileLength, arena);
      if (rc != 0) {
        // no posix_fallocate: allocate the pages by writing one byte into each (the file is all zeros)
        long size = segment.byteSize();
        for (long off = 0; off < size; off += 4096) {
          segment.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
        }
      }
      Store formatter = new Store(tmp, options, arena, channel, segment, layout, true);
      layout.writeHeader(formatter.mem, ThreadLocalRandom.current().nextLong());
      formatter.mem.putLongRelease(HeaderDescriptor.MAGIC_OFFSET, HeaderDescriptor.MAGIC);
      segment.force();
    } catch (InternalError e) {
      // SIGBUS: the file system ran out of pages while we touched them.
      throw new StoreFullException("ran out of space in " + tmp.getParent() + " while reserving fileLength="
          + layout.fileLength + " bytes: free=" + usableSpace(tmp.getParent()), e);
    }
  }

  /**
   * Pre-faults this process's mapping of the store: without it, the first touch of each 4 KiB page by each process
   * takes a page fault (about 3 µs; a 512 MiB array would be written at about 1.3 GiB/s instead of memcpy speed).
   * First {@code madvise(MADV_POPULATE_WRITE)} maps every page writable (about 0.3 ms per MiB), then one byte of
   * every page is read: on some virtual machines (measured on a Firecracker guest) the first access to each page by
   * each process still costs about 5 µs after the populate, without any guest page fault, and this read pass takes
   * that cost at attach rather than in the first put (elsewhere it takes about 10 ns per page). Reads only: other
   * processes may be writing. Without {@code madvise}, the read pass alone maps the pages (a read fault maps several
   * pages at a time; the first write to each still faults, more cheaply).
   */
  private static void prefault(MemorySegment segment) {
    Native.populateWrite(segment);
    long size = segment.byteSize();
    byte sink = 0;
    for (long off = 0; off < size; off += 4096) {
      sink ^= segment.get(ValueLayout.JAVA_BYTE, off);
    }
    SINK = sink;
  }

  @SuppressWarnings("unused") // keeps the page-touching reads from being optimized away
  private static volatile byte SINK;

  /** Attaches to an existing store file. */
  public static Store open(String name, DepotOptions options) {
    return open(fileOf(name, options), options);
  }

  static Store open(Path path, DepotOptions options) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      throw new StoreNotFoundException("no store at " + path);
    } catch (AccessDeniedException e) {
      throw new StoreAccessException("permission denied opening store " + path + " (mode "
          + describePermissions(path) + ")", e);
    } catch (IOException e) {
      throw new StoreAccessException("cannot open store " + path + ": " + e, e);
    }
    Arena arena = Arena.ofShared();
    try {
      long size = channel.size();
      if (size < HeaderDescriptor.HEADER_LENGTH) {
        throw new CorruptStoreException("not a Depot store (truncated: " + size + " bytes): " + path);
      }
      MemorySegment segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
      StoreLayout layout = StoreLayout.readHeader(new Mem(segment), size, path.toString());
      if (options.prefault()) {
        prefault(segment.asSlice(0, layout.fileLength));
      }
      return new Store(path, options, arena, channel, segment, layout, false);
    } catch (IOException e) {
      closeQuietly(arena, channel);
      throw new StoreAccessException("cannot map store " + path + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(arena, channel);
      throw translate(e, path);
    } catch (Error e) {
      closeQuietly(arena, channel);
      throw e;
    }
  }

  private static String describePermissions(Path path) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    } catch (IOException | UnsupportedOperationException e) {
      return "unknown";
    }
  }

  private static void closeQuietly(Arena arena, FileChannel channel) {
    try {
      arena.close();
    } catch (RuntimeException ignored) {
      // already closed
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }

  public static boolean destroy(String name, DepotOptions options) {
    Path p = fileOf(name, options);
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new StoreAccessException("cannot delete store " + p + ": " + e, e);
    }
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

  boolean isClosed() {
    return closed;
  }

  /**
   * Turns a low-level failure met while following the store's metadata (an index or size out of range, a broken
   * invariant: only a damaged or hostile file causes these) into a {@link CorruptStoreException} naming the store.
   * Depot's own exceptions pass through.
   */
  RuntimeException translate(RuntimeException e) {
    return translate(e, path);
  }

  static RuntimeException translate(RuntimeException e, Path path) {
    if (e instanceof io.depot.DepotException) {
      return e;
    }
    if (e instanceof IndexOutOfBoundsException || e instanceof IllegalStateException
        || e instanceof IllegalArgumentException || e instanceof ArithmeticException
        || e instanceof NegativeArraySizeException || e instanceof UnsupportedOperationException) {
      return new CorruptStoreException("store metadata is inconsistent (" + e + "): " + path, e);
    }
    return e;
  }

  // ------------------------------------------------------------------ lifecycle primitives

  /**
   * Claims a descriptor and a block of {@code headerLength + dataLength} bytes, writes the header, and links the
   * name into the directory (WRITE stage).
   *
   * @return the descriptor index
   */
  int claim(byte[] name, long hash, String displayName, int kind, int dtype, long[] shape, byte[] codecId,
      long dataLength, boolean replace, int flags) {
    int ndim = shape.length;
    int codecLength = codecId == null ? 0 : codecId.length;
    int headerLength = BlockHeaderDescriptor.headerLength(name.length, ndim, codecLength);
    if (dataLength < 0 || dataLength > layout.arenaLength - headerLength) {
      throw new InvalidArgumentException("value size=" + dataLength + " is negative or larger than the arena ("
          + layout.arenaLength + " bytes): name=" + displayName);
    }
    int index = directory.claim();
    if (index < 0) {
      throw new DirectoryFullException("all maxObjects=" + layout.maxObjects
          + " descriptors are in use; remove objects or create the store with a larger maxObjects: name="
          + displayName);
    }
    long d = layout.descriptor(index);
    int gen = generation(mem.getLongAcquire(d + CTL_OFFSET));
    boolean ok = false;
    try {
      long blockSize = headerLength + dataLength;
      long block = blocks.allocate(blockSize, d, ownerTag(index, gen));
      if (block < 0) {
        throw new StoreFullException("no room for a block of requested=" + blockSize + " bytes (value "
            + dataLength + " + header " + headerLength + "): free=" + freeBytes() + ", largest free extent="
            + (pages.largestFreeRun() << SizeClasses.PAGE_SHIFT) + ": name=" + displayName);
      }
      mem.putShort(block + BlockHeaderDescriptor.NAME_LENGTH_OFFSET, name.length);
      mem.putByte(block + BlockHeaderDescriptor.KIND_OFFSET, kind);
      mem.putByte(block + BlockHeaderDescriptor.DTYPE_OFFSET, dtype);
      mem.putByte(block + BlockHeaderDescriptor.NDIM_OFFSET, ndim);
      mem.putByte(block + BlockHeaderDescriptor.CODEC_ID_LENGTH_OFFSET, codecLength);
      mem.putShort(block + BlockHeaderDescriptor.HEADER_LENGTH_OFFSET, headerLength);
      mem.putLong(block + BlockHeaderDescriptor.DATA_LENGTH_OFFSET, dataLength);
      mem.putLong(block + BlockHeaderDescriptor.RESERVED_OFFSET, 0);
      MemorySegment.copy(name, 0, mem.segment(), ValueLayout.JAVA_BYTE, block + BlockHeaderDescriptor.NAME_OFFSET,
          name.length);
      long shapeAt = block + BlockHeaderDescriptor.shapeOffset(name.length);
      for (int i = 0; i < ndim; i++) {
        mem.putLong(shapeAt + 8L * i, shape[i]);
      }
      if (codecLength > 0) {
        MemorySegment.copy(codecId, 0, mem.segment(), ValueLayout.JAVA_BYTE,
            block + BlockHeaderDescriptor.codecIdOffset(name.length, ndim), codecLength);
      }
      mem.putShort(d + NAME_LENGTH_OFFSET, name.length);
      mem.putByte(d + KIND_OFFSET, kind);
      mem.putByte(d + FLAGS_OFFSET, flags | (replace ? FLAG_REPLACE : 0));
      mem.putLong(d + HASH_OFFSET, hash);
      mem.putLong(d + DATA_LENGTH_OFFSET, dataLength);
      if ((flags & FLAG_ENTRY) == 0) {
        directory.insert(index, name, hash, replace, displayName);
      }
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
   * Commits this client's WRITE descriptor {@code index} if the committed object of its name has version {@code
   * expected} ({@link Directory#ANY_VERSION}: unconditionally).
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
    if (Trace.on()) {
      Trace.log("COMMIT " + index + " " + generation(mem.getLongAcquire(d + CTL_OFFSET)) + " "
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
      Trace.log("ABORT " + index + " " + generation(mem.getLongAcquire(d + CTL_OFFSET)) + " "
          + ObjectDescriptor.stateName(state(mem.getLongAcquire(d + CTL_OFFSET))) + " " + directory.nameOf(d) + " "
          + Trace.caller());
    }
    if ((mem.getByte(d + FLAGS_OFFSET) & FLAG_ENTRY) == 0) {
      directory.unlinkWrite(index);
    }
    blocks.free(d);
    directory.release(index);
  }

  /**
   * Frees a descriptor this client moved to FREEING (or owns in WRITE): block, then descriptor. A queue object's
   * remaining entries are retired first.
   */
  void freeObject(int index) {
    long d = layout.descriptor(index);
    if (Trace.on()) {
      Trace.log("FREE " + index + " " + generation(mem.getLongAcquire(d + CTL_OFFSET)) + " "
          + directory.nameOf(d) + " " + Trace.caller());
    }
    if (mem.getByte(d + KIND_OFFSET) == io.depot.ValueKind.QUEUE.code()
        && ObjectDescriptor.state(mem.getLongAcquire(d + CTL_OFFSET)) == FREEING) {
      long block = mem.getLong(d + BLOCK_OFFSET);
      if (block != 0 && layout.isArenaAddress(block)) {
        ShmQueue.releaseEntries(this, dataAddress(index));
      }
    }
    blocks.free(d);
    directory.release(index);
  }

  /**
   * Retires a committed object that is not in the directory (a queue entry): ZOMBIE if readers hold it and not
   * {@code force}, else FREEING and freed now.
   *
   * @return whether it was committed (and is now retired)
   */
  boolean retireAndFree(int index, boolean force) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      if (state(c) != COMMITTED) {
        return false;
      }
      if (recounting(c)) {
        awaitRecount(d);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      boolean free = force || count(c) == 0;
      long n = free ? with(c, FREEING, token) : with(c, ZOMBIE, count(c));
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, n);
      if (seen == c) {
        if (free) {
          freeObject(index);
        }
        return true;
      }
      c = seen;
    }
  }

  /**
   * Pins the COMMITTED descriptor {@code index} at generation {@code gen} for a new handle.
   *
   * @return the journal entry holding the pin, or -1 if the descriptor is no longer that committed object
   */
  int pin(int index, int gen) {
    int entry = journal.acquire();
    long pending = JournalDescriptor.entry(JournalDescriptor.PIN_PENDING, index, gen);
    journal.write(entry, pending);
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      if (state(c) != COMMITTED || generation(c) != gen) {
        journal.write(entry, JournalDescriptor.EMPTY);
        journal.release(entry);
        return -1;
      }
      if (recounting(c)) {
        journal.write(entry, JournalDescriptor.EMPTY);
        awaitRecount(d);
        journal.write(entry, pending);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      if (count(c) >= MAX_COUNT) {
        journal.write(entry, JournalDescriptor.EMPTY);
        journal.release(entry);
        throw new io.depot.DepotException("too many open handles on one object: count=" + count(c));
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

  /** Releases the pin held in journal {@code entry} on descriptor {@code index} at {@code gen}. */
  void unpin(int index, int gen, int entry) {
    long pinned = JournalDescriptor.entry(JournalDescriptor.PINNED, index, gen);
    long pending = JournalDescriptor.entry(JournalDescriptor.UNPIN_PENDING, index, gen);
    journal.write(entry, pending);
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    boolean free = false;
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || (st != COMMITTED && st != ZOMBIE) || count(c) == 0) {
        break; // force-removed meanwhile: nothing to release
      }
      if (recounting(c)) {
        journal.write(entry, pinned);
        awaitRecount(d);
        journal.write(entry, pending);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      boolean last = st == ZOMBIE && count(c) == 1;
      long n = last ? with(c, FREEING, token) : c - 1;
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, n);
      if (seen == c) {
        free = last;
        break;
      }
      c = seen;
    }
    journal.write(entry, JournalDescriptor.EMPTY);
    journal.release(entry);
    if (free) {
      freeObject(index);
    }
  }

  /**
   * Waits while descriptor {@code d}'s count is frozen for a recount (see crash recovery). If no live client is
   * recounting it (the recounter died), this caller does the recount itself.
   */
  void awaitRecount(long d) {
    IdleStrategy idle = newIdleStrategy();
    long deadline = System.nanoTime() + 200_000_000L;
    for (long c = mem.getLongAcquire(d + CTL_OFFSET); recounting(c); c = mem.getLongAcquire(d + CTL_OFFSET)) {
      idle.idle();
      if (System.nanoTime() - deadline > 0) {
        int index = (int) ((d - layout.descriptorOffset) / ObjectDescriptor.LENGTH);
        if (!someoneRecounting(index)) {
          recount(index, generation(c), -1, true);
        }
        deadline = System.nanoTime() + 200_000_000L;
      }
    }
  }

  /** Whether a live client says (in its slot) that it is recounting descriptor {@code index}. */
  private boolean someoneRecounting(int index) {
    for (int s = 0; s < layout.maxClients; s++) {
      long c = layout.client(s);
      if (mem.getLongAcquire(c + ClientDescriptor.RECOUNTING_OFFSET) == index + 1L
          && clients.isSlotAlive(s, clients.slotWord(s))) {
        return true;
      }
    }
    return false;
  }

  long freeBytes() {
    return (pages.freePages() << SizeClasses.PAGE_SHIFT) + blocks.freeSlotBytes();
  }

  // ------------------------------------------------------------------ recovery

  /**
   * Recovers every client slot whose process is dead: breaks its locks, gives back its WRITE claims, finishes its
   * frees, and releases its readers' pins.
   *
   * @return the number of slots recovered
   */
  public int recoverDeadClients() {
    int recovered = 0;
    for (int s = 0; s < layout.maxClients; s++) {
      if (s == slot) {
        continue;
      }
      long word = clients.slotWord(s);
      long st = ClientDescriptor.state(word);
      if (st == ClientDescriptor.STATE_FREE) {
        continue;
      }
      long c = layout.client(s);
      if (st == ClientDescriptor.STATE_RECOVERING) {
        long recoverer = mem.getLongAcquire(c + ClientDescriptor.RECOVERER_OFFSET);
        if (recoverer == token || clients.isTokenAlive(recoverer)) {
          continue;
        }
      } else if (clients.isSlotAlive(s, word)) {
        continue;
      }
      long recovering = ClientDescriptor.stateWord(ClientDescriptor.STATE_RECOVERING,
          ClientDescriptor.generation(word), ClientDescriptor.pid(word));
      if (!mem.compareAndSetLong(c + ClientDescriptor.STATE_OFFSET, word, recovering)) {
        continue;
      }
      mem.putLongVolatile(c + ClientDescriptor.RECOVERER_OFFSET, token);
      boolean takeOver = st == ClientDescriptor.STATE_RECOVERING;
      recoverSlot(s, ClientDescriptor.token(s, ClientDescriptor.generation(word)), takeOver);
      mem.putLongRelease(c + ClientDescriptor.STATE_OFFSET,
          ClientDescriptor.stateWord(ClientDescriptor.STATE_FREE, ClientDescriptor.generation(word), 0));
      counters.recoveredClients.increment();
      recovered++;
    }
    return recovered;
  }

  private void recoverSlot(int deadSlot, long deadToken, boolean takeOver) {
    blocks.repairAbandoned();
    directory.repairAbandoned();
    // The dead client's WRITE claims and unfinished frees.
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      if ((st == WRITE || st == FREEING) && count(c) == deadToken) {
        long mine = with(c, st, token);
        if (!mem.compareAndSetLong(d + CTL_OFFSET, c, mine)) {
          continue;
        }
        if (st == WRITE) {
          abort(i);
        } else {
          freeObject(i);
        }
      }
    }
    // Queue positions the dead client had claimed or was removing.
    for (int i = 0; i < layout.maxObjects; i++) {
      long d = layout.descriptor(i);
      long c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      if ((st == COMMITTED || st == ZOMBIE) && mem.getByte(d + KIND_OFFSET) == io.depot.ValueKind.QUEUE.code()) {
        int gen = generation(c);
        int entry = pinQuietly(i, gen, st);
        if (entry == -2) {
          continue;
        }
        try {
          ShmQueue.recoverDeadClient(this, dataAddress(i), ownerTag(i, gen), deadToken);
        } finally {
          if (entry >= 0) {
            unpin(i, gen, entry);
          }
        }
      }
    }
    // The dead client's pins. A PINNED entry is surely in its object's count: decrement once per entry. A pending
    // entry may or may not be: recount that object from the other clients' journals (the dead client's entries on
    // it are all left out, so its PINNED entries on that object must not be decremented as well). A recovery taken
    // over from a dead recoverer may have decremented some entries already: then every object is recounted.
    java.util.Map<Long, Boolean> recount = new java.util.HashMap<>();
    for (int e = 0; e < layout.handlesPerClient; e++) {
      long entry = mem.getLongAcquire(layout.journal(deadSlot, e));
      long st = JournalDescriptor.state(entry);
      if (st == JournalDescriptor.EMPTY || JournalDescriptor.index(entry) < 0
          || JournalDescriptor.index(entry) >= layout.maxObjects) {
        continue;
      }
      long key = ownerTag(JournalDescriptor.index(entry), JournalDescriptor.generation(entry));
      if (takeOver || st != JournalDescriptor.PINNED) {
        recount.put(key, true);
      } else {
        recount.putIfAbsent(key, false);
      }
    }
    for (var r : recount.entrySet()) {
      if (r.getValue()) {
        recount((int) (long) r.getKey(), (int) (r.getKey() >>> 32), deadSlot, false);
      }
    }
    for (int e = 0; e < layout.handlesPerClient; e++) {
      long at = layout.journal(deadSlot, e);
      long entry = mem.getLongAcquire(at);
      if (JournalDescriptor.state(entry) == JournalDescriptor.PINNED) {
        int index = JournalDescriptor.index(entry);
        int gen = JournalDescriptor.generation(entry);
        if (Boolean.FALSE.equals(recount.get(ownerTag(index, gen)))) {
          releaseDeadPin(index, gen);
        }
      }
      mem.putLongRelease(at, JournalDescriptor.EMPTY);
    }
  }

  /**
   * Pins a COMMITTED descriptor (returns the journal entry); for a ZOMBIE, which cannot be pinned, returns -1 (the
   * caller relies on the dead client's own pins, released after it); -2 if neither.
   */
  private int pinQuietly(int index, int gen, int state) {
    if (state == COMMITTED) {
      int e = pin(index, gen);
      return e >= 0 ? e : -2;
    }
    return state == ZOMBIE ? -1 : -2;
  }

  /** Decrements a count a dead client held (its journal said PINNED). */
  private void releaseDeadPin(int index, int gen) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || (st != COMMITTED && st != ZOMBIE) || count(c) == 0) {
        return;
      }
      if (recounting(c)) {
        awaitRecount(d);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      boolean last = st == ZOMBIE && count(c) == 1;
      long n = last ? with(c, FREEING, token) : c - 1;
      long seen = mem.compareAndExchangeLong(d + CTL_OFFSET, c, n);
      if (seen == c) {
        if (last) {
          freeObject(index);
        }
        return;
      }
      c = seen;
    }
  }

  /**
   * Recounts the readers of descriptor {@code index}: freezes its count (RECOUNT; or finds it frozen by a dead
   * recounter, with {@code takeOver}), waits until no live client has a pending pin on it, counts the PINNED journal
   * entries of live clients, stores that count and unfreezes. While it works, this client's slot names the
   * descriptor, so waiters can tell a live recount from an abandoned one.
   */
  private void recount(int index, int gen, int deadSlot, boolean takeOver) {
    long d = layout.descriptor(index);
    long c = mem.getLongAcquire(d + CTL_OFFSET);
    for (; ; ) {
      int st = state(c);
      if (generation(c) != gen || (st != COMMITTED && st != ZOMBIE)) {
        if (takeOver && recounting(c)) {
          mem.compareAndSetLong(d + CTL_OFFSET, c, c & ~RECOUNT); // not a countable object any more
        }
        return;
      }
      if (recounting(c)) {
        if (takeOver) {
          break;
        }
        awaitRecount(d);
        c = mem.getLongAcquire(d + CTL_OFFSET);
        continue;
      }
      if (mem.compareAndSetLong(d + CTL_OFFSET, c, c | RECOUNT)) {
        break;
      }
      c = mem.getLongAcquire(d + CTL_OFFSET);
    }
    long me = layout.client(slot) + ClientDescriptor.RECOUNTING_OFFSET;
    mem.putLongVolatile(me, index + 1L);
    try {
      long count = 0;
      IdleStrategy idle = newIdleStrategy();
      for (int s = 0; s < layout.maxClients; s++) {
        if (s == deadSlot) {
          continue;
        }
        long word = clients.slotWord(s);
        if (ClientDescriptor.state(word) == ClientDescriptor.STATE_FREE) {
          continue;
        }
        // A dead client not yet recovered still holds its PINNED counts (its own recovery will release them);
        // its pending entries are left to its own recovery's recount.
        boolean alive = s == slot || clients.isSlotAlive(s, word);
        for (int e = 0; e < layout.handlesPerClient; e++) {
          long at = layout.journal(s, e);
          for (int spins = 0; ; spins++) {
            long entry = mem.getLongAcquire(at);
            long est = JournalDescriptor.state(entry);
            boolean mine = est != JournalDescriptor.EMPTY && JournalDescriptor.index(entry) == index
                && JournalDescriptor.generation(entry) == gen;
            if (!mine) {
              break;
            }
            if (est == JournalDescriptor.PINNED) {
              count++;
              break;
            }
            // A live client is between its journal write and its CAS (which fails on RECOUNT and reverts).
            if (!alive || s == slot || (spins % 1024 == 1023 && !clients.isSlotAlive(s, clients.slotWord(s)))) {
              break;
            }
            idle.idle();
          }
        }
      }
      c = mem.getLongAcquire(d + CTL_OFFSET);
      int st = state(c);
      boolean free = st == ZOMBIE && count == 0;
      long n = free ? with(c, FREEING, token) : with(c, st, count);
      mem.putLongVolatile(d + CTL_OFFSET, n & ~RECOUNT);
      if (free) {
        freeObject(index);
      }
    } finally {
      mem.putLongRelease(me, 0);
    }
  }

  // ------------------------------------------------------------------ close

  /**
   * Detaches: waits for operations in flight, releases this client's pins (leaks), frees its slot and unmaps.
   *
   * @param openClaims this client's WRITE claims to abort first
   */
  void close(int[] openClaims) {
    if (closed) {
      return;
    }
    closed = true;
    IdleStrategy idle = newIdleStrategy();
    while (active.sum() != 0) {
      idle.idle();
    }
    try {
      for (int index : openClaims) {
        abort(index);
      }
      int leaked = 0;
      for (int e = 0; e < journal.capacity(); e++) {
        long entry = journal.read(e);
        if (JournalDescriptor.state(entry) == JournalDescriptor.PINNED) {
          unpin(JournalDescriptor.index(entry), JournalDescriptor.generation(entry), e);
          leaked++;
        }
      }
      if (leaked > 0) {
        LOG.log(System.Logger.Level.WARNING, "{0} handle(s) on store {1} were not closed; released at close",
            leaked, path);
      }
      clients.detach(slot);
    } finally {
      closeQuietly(arena, channel);
    }
  }

  @Override
  public void close() {
    close(new int[0]);
  }
}
