package io.depot.internal;

import io.depot.ByteSize;
import io.depot.CorruptStoreException;
import io.depot.DepotOptions;
import io.depot.StoreAccessException;
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
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * A store file and this process's mapping of it: creation (built under a temporary name, reserved,
 * formatted, linked into place), attaching (mapped, header checked), pre-faulting, unmapping,
 * deletion. Knows nothing of the protocols that run on the mapping ({@link Store}).
 */
final class StoreFile implements AutoCloseable {
  /** The OS page: the unit of page faults and of the pre-fault pass. */
  static final int OS_PAGE_SIZE = 4096;

  /**
   * The kernel's huge page for file mappings ({@code hpage_pmd_size}; 2 MiB on x86-64): stores are
   * mapped at a multiple of it, and the pre-fault pass works in chunks of this size, checking
   * between chunks whether to stop.
   */
  static final long HUGE_PAGE_SIZE = hugePageSize();

  /**
   * Above this, a huge page is too coarse to collapse a store's pages into (arm64 with 64 KiB
   * pages).
   */
  private static final long HUGE_PAGE_SIZE_MAX = 32L << 20;

  final Path path;
  final StoreLayout layout;
  final Mem mem;
  private final Arena arena;
  private final FileChannel channel;

  private StoreFile(Path path, StoreLayout layout, Mem mem, Arena arena, FileChannel channel) {
    this.path = path;
    this.layout = layout;
    this.mem = mem;
    this.arena = arena;
    this.channel = channel;
  }

  static Path fileOf(String name, DepotOptions options) {
    return options.directory().resolve(Names.checkStoreName(name) + ".depot");
  }

  // ------------------------------------------------------------------ create

  /** Creates, formats and publishes a new store file, then maps it. */
  static StoreFile create(String name, DepotOptions options) {
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
      throw new StoreFullException(
          "not enough space in "
              + dir
              + " for a store of fileLength="
              + ByteSize.describe(layout.fileLength)
              + " (capacity="
              + ByteSize.describe(options.capacity())
              + "): free="
              + ByteSize.describe(usable));
    }
    removeDeadTemporaries(dir, name);
    Path tmp =
        dir.resolve(
            "."
                + name
                + ".depot."
                + ProcessInfo.selfPid()
                + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong())
                + ".tmp");
    try {
      build(tmp, layout, options);
      try {
        Files.createLink(target, tmp);
      } catch (FileAlreadyExistsException e) {
        throw new StoreExistsException("store already exists (created concurrently): " + target);
      } catch (UnsupportedOperationException e) {
        Files.move(tmp, target);
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
    return open(target);
  }

  /**
   * Deletes the temporary files that creators of store {@code name} left behind when they died
   * before publishing ({@code .NAME.depot.PID.RANDOM.tmp}, see {@link #create}): on tmpfs each
   * holds as much memory as the store. Files of a live process (its create may be in progress) are
   * kept, and so is anything else; a failure to list or delete is ignored (the create goes on).
   */
  static void removeDeadTemporaries(Path dir, String name) {
    String prefix = "." + name + ".depot.";
    try (var files = Files.newDirectoryStream(dir, prefix + "*.tmp")) {
      for (Path f : files) {
        String rest = f.getFileName().toString().substring(prefix.length());
        int dot = rest.indexOf('.');
        if (dot <= 0 || !rest.substring(0, dot).chars().allMatch(Character::isDigit)) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(rest.substring(0, dot));
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid != ProcessInfo.selfPid() && ProcessInfo.startTime(pid) == ProcessInfo.DEAD) {
          Files.deleteIfExists(f);
        }
      }
    } catch (IOException | RuntimeException ignored) {
      // best effort: the create does not depend on it
    }
  }

  static long usableSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      return -1;
    }
  }

  /** Writes a complete store file at {@code tmp}: reserved, formatted, magic last. */
  private static void build(Path tmp, StoreLayout layout, DepotOptions options) throws IOException {
    FileChannel ch;
    try {
      ch =
          FileChannel.open(
              tmp,
              Set.of(
                  StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE),
              PosixFilePermissions.asFileAttribute(options.permissions()));
    } catch (UnsupportedOperationException e) {
      ch =
          FileChannel.open(
              tmp,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
    }
    try (FileChannel channel = ch;
        Arena arena = Arena.ofShared()) {
      try {
        Files.setPosixFilePermissions(tmp, options.permissions()); // exact, whatever the umask
      } catch (UnsupportedOperationException ignored) {
        // not a POSIX file system
      }
      channel.write(ByteBuffer.wrap(new byte[1]), layout.fileLength - 1);
      // posix_fallocate allocates every page of a tmpfs file (zeroed): a full file system is ENOSPC
      // here, never a
      // SIGBUS later. Each attaching process then pre-faults its own mapping (see prefault).
      int rc = Native.fallocate(tmp, layout.fileLength);
      if (rc == Native.ENOSPC) {
        throw new StoreFullException(
            "cannot reserve fileLength="
                + ByteSize.describe(layout.fileLength)
                + " in "
                + tmp.getParent()
                + " (posix_fallocate: ENOSPC): free="
                + ByteSize.describe(usableSpace(tmp.getParent())));
      }
      MemorySegment segment =
          channel.map(FileChannel.MapMode.READ_WRITE, 0, layout.fileLength, arena);
      if (rc != 0) {
        // no posix_fallocate: allocate the pages by writing one byte into each (the file is all
        // zeros)
        long size = segment.byteSize();
        for (long off = 0; off < size; off += OS_PAGE_SIZE) {
          segment.set(ValueLayout.JAVA_BYTE, off, (byte) 0);
        }
      }
      // A zero-filled file is a formatted store but for the derived indexes: every descriptor, page
      // and bucket word
      // of zero is FREE / empty.
      Mem mem = new Mem(segment);
      PageAllocator.rebuildIndex(mem, layout);
      Directory.rebuildHints(mem, layout);
      layout.writeHeader(mem, ThreadLocalRandom.current().nextLong());
      mem.putLongRelease(HeaderDescriptor.MAGIC_OFFSET, HeaderDescriptor.MAGIC);
      segment.force();
    } catch (InternalError e) {
      // SIGBUS: the file system ran out of pages while we touched them.
      throw new StoreFullException(
          "ran out of space in "
              + tmp.getParent()
              + " while reserving fileLength="
              + ByteSize.describe(layout.fileLength)
              + ": free="
              + ByteSize.describe(usableSpace(tmp.getParent())),
          e);
    }
  }

  // ------------------------------------------------------------------ open

  /** Maps an existing store file and checks its header against the file. */
  @SuppressWarnings(
      "MustBeClosedChecker") // the arena is the returned StoreFile's (closed by its close) or
  // closed here
  static StoreFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      throw new StoreNotFoundException("no store at " + path);
    } catch (AccessDeniedException e) {
      throw new StoreAccessException(
          "permission denied opening store " + path + " (mode " + describePermissions(path) + ")",
          e);
    } catch (IOException e) {
      throw new StoreAccessException("cannot open store " + path + ": " + e, e);
    }
    Arena arena = Arena.ofShared();
    try {
      long size = channel.size();
      if (size < HeaderDescriptor.HEADER_LENGTH) {
        throw new CorruptStoreException(
            "not a Depot store (truncated: " + size + " bytes): " + path);
      }
      MemorySegment segment = Native.mapAligned(path, size, HUGE_PAGE_SIZE, arena);
      if (segment == null) {
        segment = channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
      }
      Mem mem = new Mem(segment);
      StoreLayout layout = StoreLayout.readHeader(mem, size, path.toString());
      return new StoreFile(path, layout, mem, arena, channel);
    } catch (IOException e) {
      closeQuietly(arena, channel);
      throw new StoreAccessException("cannot map store " + path + ": " + e, e);
    } catch (RuntimeException e) {
      closeQuietly(arena, channel);
      throw Store.translate(e, path);
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

  // ------------------------------------------------------------------ prefault

  /**
   * Pre-faults this process's mapping of the store, one huge page ({@link #HUGE_PAGE_SIZE}) at a
   * time, until done or {@code stop} says so. Without it, the first touch of each 4 KiB page by
   * each process takes a page fault: about 3 µs on bare metal, and 10 to 17 µs on some virtual
   * machines (measured on a Firecracker guest, even after {@code MADV_POPULATE_WRITE}), so a 512
   * MiB array would be written at a fraction of memcpy speed.
   *
   * <p>Each chunk is first collapsed into one huge page ({@link Native#collapse}: the file's pages
   * in the page cache, so once per file, whichever process gets there first), and the header's
   * {@link HeaderDescriptor#HUGE_PREFIX_OFFSET huge prefix} is advanced past it. From then on every
   * process maps the chunk with one fault instead of 512: chunks below the prefix are not collapsed
   * again, and a process that attaches later writes them at memcpy speed before (or without) its
   * own pre-fault. Then the chunk is populated ({@code madvise(MADV_POPULATE_WRITE)}) and one byte
   * of each 4 KiB page is read, which takes the first-access cost here rather than in the first put
   * or get: for a chunk still on small pages (the collapse is refused on kernels before 6.1, on
   * mappings that are not aligned, or when no huge page is free), and on a virtual machine for a
   * chunk just collapsed. Reads only: other processes may be writing.
   *
   * @return whether the whole file was pre-faulted
   */
  boolean prefault(BooleanSupplier stop) {
    MemorySegment segment = mem.segment();
    long size = Math.min(segment.byteSize(), layout.fileLength);
    boolean aligned = hugeAligned();
    byte sink = 0;
    int huge = 0;
    for (long at = 0; at < size; at += HUGE_PAGE_SIZE) {
      if (stop.getAsBoolean()) {
        return false;
      }
      MemorySegment chunk = segment.asSlice(at, Math.min(HUGE_PAGE_SIZE, size - at));
      long n = chunk.byteSize();
      boolean whole = aligned && n == HUGE_PAGE_SIZE;
      if (whole && (at < hugePrefix() || collapse(chunk, at))) {
        collapsed = ++huge;
      }
      Native.populateWrite(chunk);
      // one read of each 4 KiB page, huge or not: after a collapse into memory the VM's host has
      // not
      // backed yet, this takes a cost that the first process to read the chunk would otherwise pay
      // (measured: a reader after the writer at 3.3 GB/s instead of 24)
      for (long off = 0; off < n; off += OS_PAGE_SIZE) {
        sink ^= chunk.get(ValueLayout.JAVA_BYTE, off);
      }
      mem.touched(at + n);
    }
    SINK = sink;
    mem.touched(Long.MAX_VALUE);
    return true;
  }

  /** Whether this mapping starts on a huge-page boundary (not so from {@code FileChannel.map}). */
  private boolean hugeAligned() {
    return mem.segment().address() % HUGE_PAGE_SIZE == 0;
  }

  /** {@return the header's huge prefix: every whole huge page below it is one} */
  long hugePrefix() {
    return mem.getLongAcquire(HeaderDescriptor.HUGE_PREFIX_OFFSET);
  }

  /** How many huge pages this process's pre-fault found or made ({@link #prefault}). */
  private volatile int collapsed; // written by the one pre-faulting thread

  /** {@return how many of the store's chunks this process has found or made huge pages} */
  int collapsedChunks() {
    return collapsed;
  }

  /**
   * Collapses the chunk at {@code at} (once more when the kernel had no huge page at hand) and,
   * when it follows the header's huge prefix, advances the prefix past it.
   */
  private boolean collapse(MemorySegment chunk, long at) {
    int rc = Native.collapse(chunk);
    if (rc == Native.EAGAIN) {
      rc = Native.collapse(chunk);
    }
    if (rc != 0) {
      return false;
    }
    mem.compareAndSetLong(HeaderDescriptor.HUGE_PREFIX_OFFSET, at, at + HUGE_PAGE_SIZE);
    return true;
  }

  private static long hugePageSize() {
    long size = 2L << 20;
    try {
      Path p = Path.of("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size");
      if (Files.isReadable(p)) {
        long v = Long.parseLong(Files.readString(p).trim());
        if (Long.bitCount(v) == 1 && v >= OS_PAGE_SIZE && v <= HUGE_PAGE_SIZE_MAX) {
          size = v;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or no THP: 2 MiB, which costs nothing when unused
    }
    return size;
  }

  /**
   * Before a pre-fault that runs while the store is in use: takes the header's {@link #hugePrefix
   * huge prefix} (collapsed by the creator's pre-fault or another process's), which this process
   * maps with one fault per 2 MiB, so that puts into it write through the mapping; beyond it, until
   * the pre-fault has passed a block, large puts into the block are written with {@code pwrite}
   * ({@link Mem#copyIn}) rather than each page taking its first-touch cost in the put.
   *
   * @return the huge prefix this process writes through the mapping from the start
   */
  long prefaultInBackground() {
    long from = 0;
    if (hugeAligned()) {
      long size = Math.min(mem.segment().byteSize(), layout.fileLength);
      from = Math.min(hugePrefix(), size) / HUGE_PAGE_SIZE * HUGE_PAGE_SIZE;
      collapsed = (int) (from / HUGE_PAGE_SIZE);
    }
    int fd = Native.openReadWrite(path);
    if (fd >= 0) {
      mem.untouchedFrom(from, fd);
    }
    return from;
  }

  @SuppressWarnings("unused") // keeps the page-touching reads from being optimized away
  private static volatile byte SINK;

  // ------------------------------------------------------------------ close, destroy

  /** Unmaps the file. Nothing may touch {@link #mem} afterwards. */
  @Override
  public void close() {
    closeQuietly(arena, channel);
    Native.close(mem.fd());
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

  static boolean destroy(String name, DepotOptions options) {
    Path p = fileOf(name, options);
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      throw new StoreAccessException("cannot delete store " + p + ": " + e, e);
    }
  }
}
