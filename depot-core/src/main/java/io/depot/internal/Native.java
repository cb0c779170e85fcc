package io.depot.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The few libc calls Depot needs, through the FFM {@link Linker}: {@code posix_fallocate} (reserve
 * tmpfs pages so a full {@code /dev/shm} is an error at create, not a SIGBUS at put), {@code mmap}
 * / {@code munmap} (map a store at a huge-page-aligned address), {@code madvise(MADV_COLLAPSE)}
 * (turn a store's file pages into huge pages) and {@code madvise(MADV_POPULATE_WRITE)} (pre-fault
 * the mapping), {@code futex} (wake blocked waiters in other processes) and {@code
 * sched_setscheduler} / {@code setpriority} (run background pre-faulting only on idle CPU time).
 *
 * <p>Every call degrades: when native access is not granted or a symbol is missing, it returns its
 * "unavailable" value (said once in the log) and callers fall back to pure Java (touching pages,
 * {@code FileChannel.map}, polling). The downcall handles are built on first use, a group at a
 * time.
 */
@SuppressWarnings("restricted") // the point of this class; callers degrade when access is denied
final class Native {
  private static final System.Logger LOG = System.getLogger(Native.class.getName());
  private static final java.util.Set<String>
      REPORTED = // before the static initializer, which may use them
      java.util.concurrent.ConcurrentHashMap.newKeySet();
  static final int ENOSPC = 28;
  static final int EINTR = 4;
  static final int EAGAIN = 11;
  static final int ETIMEDOUT = 110;
  private static final int O_RDWR = 02;
  static final int EINVAL = 22;
  private static final int MADV_POPULATE_WRITE = 23;
  private static final int MADV_COLLAPSE = 25;
  private static final int PROT_NONE = 0;
  private static final int PROT_READ_WRITE = 0x1 | 0x2;
  private static final int MAP_SHARED = 0x01;
  private static final int MAP_PRIVATE = 0x02;
  private static final int MAP_FIXED = 0x10;
  private static final int MAP_ANONYMOUS = 0x20;
  private static final int MAP_NORESERVE = 0x4000;

  /** What {@code mmap} returns on failure: {@code (void *) -1}. */
  private static final long MAP_FAILED = -1L;

  private static final int PRIO_PROCESS = 0;
  private static final int SCHED_IDLE = 5;
  private static final long SYS_FUTEX = 202; // x86_64
  private static final int FUTEX_WAIT = 0;
  private static final int FUTEX_WAKE = 1;

  /**
   * The linker, libc's symbols and the errno capture, made on first use. Each group of calls below
   * has its own holder class, so that a process builds the downcall handles it calls and no others:
   * building one costs 10 to 15 ms, and the first about 100 ms (measured on a cold JVM), which
   * every attaching process would otherwise pay in {@code open}.
   */
  private static final class Libc {
    static final @Nullable Linker LINKER;
    static final @Nullable SymbolLookup LOOKUP;
    static final Linker.@Nullable Option ERRNO_CAPTURE;
    static final @Nullable VarHandle ERRNO_HANDLE;

    static {
      Linker linker = null;
      SymbolLookup lookup = null;
      Linker.Option capture = null;
      VarHandle errno = null;
      try {
        linker = Linker.nativeLinker();
        lookup = linker.defaultLookup();
        capture = Linker.Option.captureCallState("errno");
        errno =
            Linker.Option.captureStateLayout()
                .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
      } catch (Throwable t) { // not on a platform the linker supports
        unavailable(
            "the native linker",
            t,
            "stores reserve pages by touching them, are mapped with FileChannel.map and waits poll");
        linker = null;
      }
      LINKER = linker;
      LOOKUP = lookup;
      ERRNO_CAPTURE = capture;
      ERRNO_HANDLE = errno;
    }

    /**
     * A downcall handle for libc's {@code name}, or null (said once) when the symbol is missing or
     * native access is not granted.
     */
    static @Nullable MethodHandle downcall(
        String name, FunctionDescriptor descriptor, boolean errno, Linker.Option... options) {
      if (LINKER == null || LOOKUP == null) {
        return null;
      }
      try {
        Optional<MemorySegment> symbol = LOOKUP.find(name);
        if (symbol.isEmpty()) {
          return null;
        }
        Linker.Option[] all = options;
        Linker.Option capture = ERRNO_CAPTURE;
        if (errno) {
          if (capture == null) {
            return null;
          }
          all = java.util.Arrays.copyOf(options, options.length + 1);
          all[options.length] = capture;
        }
        return LINKER.downcallHandle(symbol.get(), descriptor, all);
      } catch (Throwable t) { // IllegalCallerException when native access is denied
        unavailable(
            "the native calls",
            t,
            "stores reserve pages by touching them, are mapped with FileChannel.map and waits poll;"
                + " run the JVM with --enable-native-access=ALL-UNNAMED (or =io.depot.core)");
        return null;
      }
    }

    static int errno(MemorySegment state) {
      return ERRNO_HANDLE == null ? -1 : (int) ERRNO_HANDLE.get(state, 0L);
    }
  }

  /** {@code open} (errno captured) and {@code close}. */
  private static final class Files {
    static final @Nullable MethodHandle OPEN =
        Libc.downcall(
            "open",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT),
            true);
    static final @Nullable MethodHandle CLOSE =
        Libc.downcall(
            "close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false);
    static final boolean OK = OPEN != null && CLOSE != null;
  }

  /** {@code mmap} and {@code munmap}, on Linux. */
  private static final class Maps {
    // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
    static final @Nullable MethodHandle MMAP =
        isLinux()
            ? Libc.downcall(
                "mmap",
                FunctionDescriptor.of(
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_LONG),
                false)
            : null;
    static final @Nullable MethodHandle MUNMAP =
        MMAP == null
            ? null
            : Libc.downcall(
                "munmap",
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                false);
    static final boolean OK = MMAP != null && MUNMAP != null && Files.OK;
  }

  /** {@code posix_fallocate}. */
  private static final class Fallocate {
    static final @Nullable MethodHandle FALLOCATE =
        Libc.downcall(
            "posix_fallocate",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG),
            false);
  }

  /** {@code madvise} (errno captured). */
  private static final class Madvise {
    static final @Nullable MethodHandle MADVISE =
        Libc.downcall(
            "madvise",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT),
            true);
  }

  /**
   * {@code ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)}; critical: the
   * buffer may be a Java array, passed without a copy (the calls are bounded to {@link
   * #PWRITE_CHUNK}, so a GC waits at most that long).
   */
  private static final class Pwrite {
    static final @Nullable MethodHandle PWRITE =
        Libc.downcall(
            "pwrite",
            FunctionDescriptor.of(
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS,
                ValueLayout.JAVA_LONG,
                ValueLayout.JAVA_LONG),
            false,
            Linker.Option.critical(true));
  }

  /** {@code gettid}, {@code setpriority} and {@code sched_setscheduler}. */
  private static final class Sched {
    static final @Nullable MethodHandle GETTID =
        Libc.downcall("gettid", FunctionDescriptor.of(ValueLayout.JAVA_INT), false);
    static final @Nullable MethodHandle SETPRIORITY =
        Libc.downcall(
            "setpriority",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT),
            false);
    static final @Nullable MethodHandle SCHED_SETSCHEDULER =
        Libc.downcall(
            "sched_setscheduler",
            FunctionDescriptor.of(
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT,
                ValueLayout.ADDRESS),
            false);
  }

  /**
   * {@code long syscall(SYS_futex, uint32_t *uaddr, int op, uint32_t val, const struct timespec
   * *timeout)} (errno captured), on x86-64.
   */
  private static final class Futex {
    static final @Nullable MethodHandle SYSCALL_FUTEX =
        "amd64".equals(System.getProperty("os.arch"))
                || "x86_64".equals(System.getProperty("os.arch"))
            ? Libc.downcall(
                "syscall",
                FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS),
                true,
                Linker.Option.firstVariadicArg(1))
            : null;
  }

  private Native() {}

  private static boolean isLinux() {
    return System.getProperty("os.name", "").startsWith("Linux");
  }

  /**
   * Logs, once per {@code what} in this JVM, why a native call is unavailable and what Depot does
   * instead.
   */
  private static void unavailable(String what, Throwable t, String fallback) {
    if (REPORTED.add(what)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "Depot: {0} unavailable ({1}); {2}",
          what,
          t.toString(),
          fallback);
    }
  }

  /**
   * Reserves {@code length} bytes of the file at {@code path} with {@code posix_fallocate}.
   *
   * @return 0 on success, the error number otherwise ({@link #ENOSPC} when the file system is
   *     full), or -1 when native access is unavailable
   */
  static int fallocate(Path path, long length) {
    MethodHandle fallocate = Fallocate.FALLOCATE;
    if (fallocate == null || !Files.OK) {
      return -1;
    }
    try {
      int fd = openFile(path);
      if (fd < 0) {
        return -fd;
      }
      try {
        return (int) fallocate.invokeExact(fd, 0L, length);
      } finally {
        close(fd);
      }
    } catch (Throwable t) {
      unavailable("posix_fallocate", t, "the store's pages are reserved by touching them");
      return -1;
    }
  }

  /**
   * The most one {@code pwrite} call writes: about 0.1 ms of copying, the longest a GC waits for
   * one.
   */
  private static final long PWRITE_CHUNK = 1L << 20;

  /**
   * {@code open(path, O_RDWR)}; the caller has checked {@link Files#OK}.
   *
   * @return the file descriptor, or minus the error number
   */
  private static int openFile(Path path) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      int fd = (int) Files.OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDWR, 0);
      return fd >= 0 ? fd : -Math.max(1, Libc.errno(state));
    }
  }

  /**
   * Opens {@code path} for reading and writing.
   *
   * @return the file descriptor, or -1 when the file cannot be opened or native access is
   *     unavailable
   */
  static int openReadWrite(Path path) {
    if (Pwrite.PWRITE == null || !Files.OK) {
      return -1;
    }
    try {
      int fd = openFile(path);
      return fd < 0 ? -1 : fd;
    } catch (Throwable t) {
      unavailable(
          "open", t, "large puts into pages not yet pre-faulted are copied through the mapping");
      return -1;
    }
  }

  /** Closes a file descriptor from {@link #openReadWrite}; -1 is ignored. */
  static void close(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int ignored = (int) Files.CLOSE.invokeExact(fd);
      assert ignored >= -1;
    } catch (Throwable t) {
      unavailable("close", t, "a file descriptor stays open until the JVM exits");
    }
  }

  /**
   * Writes all of {@code src} (native memory or a Java array) to the file {@code fd} at {@code
   * offset} with {@code pwrite}, in calls of at most {@link #PWRITE_CHUNK} bytes.
   *
   * @return how many bytes were written: less than {@code src.byteSize()} when a call failed or
   *     native access is unavailable (the caller copies the rest itself)
   */
  static long pwrite(int fd, MemorySegment src, long offset) {
    MethodHandle pwrite = Pwrite.PWRITE;
    if (pwrite == null || fd < 0) {
      return 0;
    }
    long length = src.byteSize();
    long done = 0;
    try {
      while (done < length) {
        long n = Math.min(PWRITE_CHUNK, length - done);
        long rc = (long) pwrite.invokeExact(fd, src.asSlice(done, n), n, offset + done);
        if (rc <= 0) {
          return done; // EINTR and the rest: the caller copies what is left through the mapping
        }
        done += rc;
      }
      return done;
    } catch (
        RuntimeException
            e) { // the source's own failures (closed, another thread's): as a copy would throw
      throw e;
    } catch (Throwable t) {
      unavailable(
          "pwrite", t, "large puts into pages not yet pre-faulted are copied through the mapping");
      return done;
    }
  }

  /**
   * Maps the first {@code length} bytes of the file at {@code path} shared, readable and writable,
   * at an address that is a multiple of {@code alignment} (a power of two; the huge-page size), so
   * that the kernel can map the file's huge pages ({@link #collapse}) with one page-table entry
   * each. {@code FileChannel.map} cannot ask for an alignment. The address range is first reserved
   * ({@code PROT_NONE}, {@code length + alignment} bytes), the file is mapped over its aligned part
   * ({@code MAP_FIXED}) and the rest of the reservation is given back.
   *
   * @return the mapping, unmapped when {@code arena} closes; or {@code null} when native access,
   *     {@code mmap} or the file is unavailable (the caller maps with {@code FileChannel.map})
   */
  static @Nullable MemorySegment mapAligned(Path path, long length, long alignment, Arena arena) {
    if (!Maps.OK || length <= 0 || Long.bitCount(alignment) != 1) {
      return null;
    }
    try {
      int fd = openFile(path);
      if (fd < 0) {
        return null;
      }
      try {
        long span = length + alignment;
        long reserved =
            ((MemorySegment)
                    Maps.MMAP.invokeExact(
                        MemorySegment.NULL,
                        span,
                        PROT_NONE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                        -1,
                        0L))
                .address();
        if (reserved == MAP_FAILED) {
          return null;
        }
        long aligned = (reserved + alignment - 1) & -alignment;
        long mapped =
            ((MemorySegment)
                    Maps.MMAP.invokeExact(
                        MemorySegment.ofAddress(aligned),
                        length,
                        PROT_READ_WRITE,
                        MAP_SHARED | MAP_FIXED,
                        fd,
                        0L))
                .address();
        if (mapped != aligned) {
          unmap(reserved, span);
          return null;
        }
        long end = roundUp(aligned + length, StoreFile.OS_PAGE_SIZE);
        unmap(reserved, aligned - reserved);
        unmap(end, reserved + span - end);
        return MemorySegment.ofAddress(aligned)
            .reinterpret(length, arena, unused -> unmap(aligned, end - aligned));
      } finally {
        close(fd); // the mapping keeps the file
      }
    } catch (Throwable t) {
      unavailable("mmap", t, "stores are mapped with FileChannel.map, without huge pages");
      return null;
    }
  }

  private static long roundUp(long value, long unit) {
    return (value + unit - 1) / unit * unit;
  }

  /** {@code munmap(address, length)}; nothing when {@code length} is 0. */
  private static void unmap(long address, long length) {
    if (length <= 0) {
      return;
    }
    try {
      int rc = (int) Maps.MUNMAP.invokeExact(MemorySegment.ofAddress(address), length);
      assert rc == 0 : "munmap " + Long.toHexString(address) + " " + length;
    } catch (Throwable t) {
      unavailable("munmap", t, "the address range stays reserved until the JVM exits");
    }
  }

  /**
   * Asks the kernel to back {@code segment} (a huge-page-aligned range of a shared file mapping,
   * whole huge pages) with huge pages: {@code madvise(MADV_COLLAPSE)}, Linux 6.1+. For a file in
   * {@code /dev/shm} this replaces the file's 4 KiB pages with 2 MiB pages in the page cache,
   * contents kept, whatever {@code shmem_enabled} says; from then on every process's aligned
   * mapping maps each 2 MiB with one page-table entry: one fault instead of 512. It takes a few
   * milliseconds per 2 MiB, once per file; a range already collapsed costs 0.03 to 0.5 ms (the
   * kernel drains its per-CPU page lists on every CPU first), so callers remember what is done.
   *
   * @return 0 on success, the error number ({@link #EINVAL} when unsupported or the range has
   *     holes, {@link #EAGAIN} when the kernel could not get a huge page now), or -1 when
   *     unavailable
   */
  static int collapse(MemorySegment segment) {
    return madvise(segment, MADV_COLLAPSE, "madvise(MADV_COLLAPSE)", "stores use 4 KiB pages");
  }

  /**
   * Pre-faults every page of {@code segment} for writing with {@code madvise(MADV_POPULATE_WRITE)}
   * (Linux 5.14+).
   *
   * @return 0 on success, the error number, or -1 when unavailable
   */
  static int populateWrite(MemorySegment segment) {
    return madvise(
        segment,
        MADV_POPULATE_WRITE,
        "madvise(MADV_POPULATE_WRITE)",
        "pages are pre-faulted by touching them");
  }

  /**
   * {@code madvise(segment, advice)}: 0, the error number, or -1 when unavailable (said once, as
   * {@code what}, with what Depot does instead).
   */
  private static int madvise(MemorySegment segment, int advice, String what, String fallback) {
    MethodHandle madvise = Madvise.MADVISE;
    if (madvise == null) {
      return -1;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      int rc = (int) madvise.invokeExact(state, segment, segment.byteSize(), advice);
      return rc == 0 ? 0 : Libc.errno(state);
    } catch (Throwable t) {
      unavailable(what, t, fallback);
      return -1;
    }
  }

  /**
   * Makes the calling thread run only when a CPU would otherwise be idle: Linux's {@code
   * SCHED_IDLE} policy (which an unprivileged thread may always choose), else the lowest nice value
   * (19). For background work that must never slow anything else down. Linux applies both to one
   * thread ({@code gettid()}).
   *
   * @return whether the priority was lowered
   */
  static boolean idleCurrentThread() {
    MethodHandle gettid = Sched.GETTID;
    MethodHandle sched = Sched.SCHED_SETSCHEDULER;
    MethodHandle setpriority = Sched.SETPRIORITY;
    if (gettid == null) {
      return false;
    }
    try (Arena arena = Arena.ofConfined()) {
      int tid = (int) gettid.invokeExact();
      if (sched != null) {
        MemorySegment param =
            arena.allocate(ValueLayout.JAVA_INT); // struct sched_param { int priority = 0; }
        if ((int) sched.invokeExact(tid, SCHED_IDLE, param) == 0) {
          return true;
        }
      }
      return setpriority != null && (int) setpriority.invokeExact(PRIO_PROCESS, tid, 19) == 0;
    } catch (Throwable t) {
      unavailable(
          "sched_setscheduler / setpriority", t, "background pre-faulting runs at normal priority");
      return false;
    }
  }

  /**
   * {@code FUTEX_WAIT} on the 32-bit word at {@code word} (a slice of the shared mapping, not
   * private: the futex is keyed by the file page so it works across processes) while it holds
   * {@code expected}.
   *
   * @return 0 when woken, or the error number ({@link #EAGAIN} value changed, {@link #ETIMEDOUT},
   *     {@link #EINTR}), or -1 when unavailable
   */
  static int futexWait(MemorySegment word, int expected, long timeoutNanos) {
    MethodHandle futex = Futex.SYSCALL_FUTEX;
    if (futex == null) {
      return -1;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      MemorySegment timeout = MemorySegment.NULL;
      if (timeoutNanos >= 0) {
        timeout = arena.allocate(16, 8);
        timeout.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
        timeout.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
      }
      long rc = (long) futex.invokeExact(state, SYS_FUTEX, word, FUTEX_WAIT, expected, timeout);
      return rc == 0 ? 0 : Libc.errno(state);
    } catch (Throwable t) {
      unavailable("futex", t, "waits poll");
      return -1;
    }
  }

  /** {@code FUTEX_WAKE} up to {@code count} waiters on {@code word}. */
  static void futexWake(MemorySegment word, int count) {
    MethodHandle futex = Futex.SYSCALL_FUTEX;
    if (futex == null) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(Linker.Option.captureStateLayout());
      long rc =
          (long) futex.invokeExact(state, SYS_FUTEX, word, FUTEX_WAKE, count, MemorySegment.NULL);
      assert rc >= -1;
    } catch (Throwable t) {
      unavailable("futex", t, "waits poll"); // waiters also time out and poll
    }
  }
}
