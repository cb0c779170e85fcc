package io.depot;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * How a store is created and attached. Immutable; build with {@link #builder()}.
 *
 * <p>Limits, all enforced with {@link InvalidArgumentException}:
 *
 * <ul>
 *   <li>{@code capacity}: the arena (user data), {@value #MIN_CAPACITY} bytes to {@value #MAX_CAPACITY} bytes,
 *       rounded up to whole 64 KiB pages; the file adds metadata (about 100 bytes per object of {@code
 *       maxObjects}, 8 bytes per journal slot).
 *   <li>{@code maxObjects}: the directory size, 1 to {@value #MAX_OBJECTS}; default {@code capacity / 4096}, at least
 *       1024. Every committed, written or zombie object (and every queue entry block) takes one.
 *   <li>{@code maxClients}: attached processes at once, 1 to {@value #MAX_CLIENTS}; default 64.
 *   <li>{@code maxHandlesPerClient}: open handles per process at once, 16 to {@value #MAX_HANDLES}; default 4096.
 * </ul>
 *
 * <p>Only {@code directory}, {@code idleStrategy} and {@code openTimeout} matter to {@link Depot#open}; the sizes are
 * read from the file.
 */
public final class DepotOptions {
  /** Where stores live by default: the Linux tmpfs. */
  public static final Path DEFAULT_DIRECTORY = Path.of("/dev/shm");
  /** Smallest arena: 1 MiB. */
  public static final long MIN_CAPACITY = 1L << 20;
  /** Largest arena: 64 TiB. */
  public static final long MAX_CAPACITY = 1L << 46;
  /** Largest directory. */
  public static final int MAX_OBJECTS = 1 << 28;
  /** Most attached processes. */
  public static final int MAX_CLIENTS = 4095;
  /** Most open handles per process. */
  public static final int MAX_HANDLES = 1 << 20;
  /** The default of {@link Builder#queueSpinNanos}: 50 µs. */
  public static final long DEFAULT_QUEUE_SPIN_NANOS = 50_000;
  /** The most {@link Builder#queueSpinNanos} accepts: 1 s. */
  public static final long MAX_QUEUE_SPIN_NANOS = 1_000_000_000;

  private static final DepotOptions DEFAULTS = builder().build();

  private final Path directory;
  private final long capacity;
  private final int maxObjects;
  private final int maxClients;
  private final int maxHandlesPerClient;
  private final Set<PosixFilePermission> permissions;
  private final boolean prefault;
  private final Supplier<IdleStrategy> idleStrategy;
  private final long queueSpinNanos;
  private final long openTimeoutMillis;

  private DepotOptions(Builder b) {
    this.directory = b.directory;
    this.capacity = b.capacity;
    this.maxObjects = b.maxObjects > 0 ? b.maxObjects : Math.clamp(b.capacity / 4096, 1024, MAX_OBJECTS);
    this.maxClients = b.maxClients;
    this.maxHandlesPerClient = b.maxHandlesPerClient;
    this.permissions = Set.copyOf(b.permissions);
    this.queueSpinNanos = b.queueSpinNanos;
    this.prefault = b.prefault;
    this.idleStrategy = b.idleStrategy;
    this.openTimeoutMillis = b.openTimeoutMillis;
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: {@code /dev/shm}, 64 MiB, owner-only. */
  public static DepotOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.directory = directory;
    b.capacity = capacity;
    b.maxObjects = maxObjects;
    b.maxClients = maxClients;
    b.maxHandlesPerClient = maxHandlesPerClient;
    b.permissions = EnumSet.copyOf(permissions);
    b.prefault = prefault;
    b.idleStrategy = idleStrategy;
    b.queueSpinNanos = queueSpinNanos;
    b.openTimeoutMillis = openTimeoutMillis;
    return b;
  }

  public Path directory() {
    return directory;
  }

  public long capacity() {
    return capacity;
  }

  public int maxObjects() {
    return maxObjects;
  }

  public int maxClients() {
    return maxClients;
  }

  public int maxHandlesPerClient() {
    return maxHandlesPerClient;
  }

  /** The permissions a created store file gets (owner read/write by default). */
  public Set<PosixFilePermission> permissions() {
    return permissions;
  }

  public boolean prefault() {
    return prefault;
  }

  /** A new idle strategy for one waiter. */
  public IdleStrategy newIdleStrategy() {
    return idleStrategy.get();
  }

  /** How long a blocked queue operation spins before it sleeps on the queue's futex; see the builder. */
  public long queueSpinNanos() {
    return queueSpinNanos;
  }

  public long openTimeoutMillis() {
    return openTimeoutMillis;
  }

  /** Builds {@link DepotOptions}; every setter checks its argument. */
  public static final class Builder {
    private Path directory = DEFAULT_DIRECTORY;
    private long capacity = 64L << 20;
    private int maxObjects;
    private int maxClients = 64;
    private int maxHandlesPerClient = 4096;
    private Set<PosixFilePermission> permissions =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private boolean prefault = true;
    private Supplier<IdleStrategy> idleStrategy = IdleStrategy::backoff;
    private long queueSpinNanos = DEFAULT_QUEUE_SPIN_NANOS;
    private long openTimeoutMillis = 5_000;

    private Builder() {}

    /** The directory of the store file (default {@code /dev/shm}; any directory works, tmpfs is fastest). */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /** The arena's capacity in bytes; see the limits above. */
    public Builder capacity(long bytes) {
      if (bytes < MIN_CAPACITY || bytes > MAX_CAPACITY) {
        throw new InvalidArgumentException(
            "capacity must be " + MIN_CAPACITY + ".." + MAX_CAPACITY + " bytes: capacity=" + bytes);
      }
      this.capacity = bytes;
      return this;
    }

    /** The directory size: the most objects (committed, being written or zombie) at once. */
    public Builder maxObjects(int maxObjects) {
      if (maxObjects < 1 || maxObjects > MAX_OBJECTS) {
        throw new InvalidArgumentException("maxObjects must be 1.." + MAX_OBJECTS + ": maxObjects=" + maxObjects);
      }
      this.maxObjects = maxObjects;
      return this;
    }

    /** The most processes attached at once. */
    public Builder maxClients(int maxClients) {
      if (maxClients < 1 || maxClients > MAX_CLIENTS) {
        throw new InvalidArgumentException("maxClients must be 1.." + MAX_CLIENTS + ": maxClients=" + maxClients);
      }
      this.maxClients = maxClients;
      return this;
    }

    /** The most handles one process may hold open at once. */
    public Builder maxHandlesPerClient(int maxHandles) {
      if (maxHandles < 16 || maxHandles > MAX_HANDLES) {
        throw new InvalidArgumentException(
            "maxHandlesPerClient must be 16.." + MAX_HANDLES + ": maxHandlesPerClient=" + maxHandles);
      }
      this.maxHandlesPerClient = maxHandles;
      return this;
    }

    /** Lets the owner's group read and write the store (mode 0660 instead of 0600). */
    public Builder groupAccess(boolean groupAccess) {
      if (groupAccess) {
        permissions.add(PosixFilePermission.GROUP_READ);
        permissions.add(PosixFilePermission.GROUP_WRITE);
      } else {
        permissions.remove(PosixFilePermission.GROUP_READ);
        permissions.remove(PosixFilePermission.GROUP_WRITE);
      }
      return this;
    }

    /**
     * The exact permissions of a created store file; must include owner read and write.
     *
     * @throws InvalidArgumentException if the owner could not read and write it
     */
    public Builder permissions(Set<PosixFilePermission> permissions) {
      if (!permissions.contains(PosixFilePermission.OWNER_READ)
          || !permissions.contains(PosixFilePermission.OWNER_WRITE)) {
        throw new InvalidArgumentException("permissions must include owner read and write: " + permissions);
      }
      this.permissions = EnumSet.copyOf(permissions);
      return this;
    }

    /**
     * Whether every attaching process pre-faults its own mapping of the store (default true), at about 0.3 ms per
     * MiB of store at {@link Depot#open} or {@link Depot#create} (with {@code madvise(MADV_POPULATE_WRITE)} and a
     * read of each page; about 1.5 ms per MiB on virtual machines where the first access to a page is slow even once
     * it is mapped). Without it, attaching is instant but each process takes a page fault (about 3 µs) on its first
     * touch of each 4 KiB page, which halves or worse the speed of the first writes and reads of large values. Turn it
     * off for very large stores that each process only touches a part of. A created store's pages are always reserved and
     * allocated ({@code posix_fallocate}), whatever this option.
     */
    public Builder prefault(boolean prefault) {
      this.prefault = prefault;
      return this;
    }

    /** How blocked operations wait (default {@link IdleStrategy#backoff()}). */
    public Builder idleStrategy(Supplier<IdleStrategy> idleStrategy) {
      this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
      return this;
    }

    /**
     * How long a queue operation that must wait (a pop on an empty queue, a push or {@code createEntry} on a full
     * one) spins — {@link Thread#onSpinWait()}, then {@link Thread#yield()} — before it sleeps on the queue's futex
     * (default 50 µs; at most 1 s; 0 sleeps at once). A sleep costs the waker a {@code futex} system call and the
     * sleeper a context switch: a few µs on bare metal, tens of µs in a VM. Make it longer than the usual gap
     * between entries when latency matters more than a busy core (a consumer of an entry every 400 µs spinning
     * 1 ms never sleeps); keep it short when waiters outnumber cores. Only this process's waits are affected.
     */
    public Builder queueSpinNanos(long nanos) {
      if (nanos < 0 || nanos > MAX_QUEUE_SPIN_NANOS) {
        throw new InvalidArgumentException(
            "queueSpinNanos must be 0.." + MAX_QUEUE_SPIN_NANOS + ": queueSpinNanos=" + nanos);
      }
      this.queueSpinNanos = nanos;
      return this;
    }

    /** How long {@link Depot#openOrCreate} waits for a racing creator (default 5 s). */
    public Builder openTimeoutMillis(long millis) {
      if (millis < 0) {
        throw new InvalidArgumentException("openTimeoutMillis must be >= 0: openTimeoutMillis=" + millis);
      }
      this.openTimeoutMillis = millis;
      return this;
    }

    public DepotOptions build() {
      return new DepotOptions(this);
    }
  }
}
