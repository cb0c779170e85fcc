package io.depot;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
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
 *   <li>{@code capacity}: the arena (user data), {@value #MIN_CAPACITY} bytes to {@value
 *       #MAX_CAPACITY} bytes, rounded up to whole 64 KiB pages; the file adds metadata (100 to 130
 *       bytes per object of {@code maxObjects}, 8 bytes per journal slot).
 *   <li>{@code maxObjects}: the directory size, 1 to {@value #MAX_OBJECTS}; default {@code capacity
 *       / 4096}, at least 1024. Every committed, written or zombie object takes one (a queue is one
 *       object, its entries included).
 *   <li>{@code maxClients}: attached processes at once, 1 to {@value #MAX_CLIENTS}; default 64.
 *   <li>{@code maxHandlesPerClient}: open handles per process at once, 16 to {@value #MAX_HANDLES};
 *       default 4096.
 * </ul>
 *
 * <p>The sizes and permissions matter only to {@link Depot#create}; an attaching process reads them
 * from the file. The other options ({@code directory}, {@code prefault}, {@code recoveryInterval},
 * {@code zeroClaims}, {@code idleStrategy}, {@code queueSpinNanos}, {@code openTimeout}) are this
 * process's own.
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

  /** The default of {@link Builder#queueSpinNanos}: 1 ms. */
  public static final long DEFAULT_QUEUE_SPIN_NANOS = 1_000_000;

  /** The most {@link Builder#queueSpinNanos} accepts: 1 s. */
  public static final long MAX_QUEUE_SPIN_NANOS = 1_000_000_000;

  /** The default of {@link Builder#recoveryInterval}: 1 s. */
  public static final Duration DEFAULT_RECOVERY_INTERVAL = Duration.ofSeconds(1);

  /** The shortest {@link Builder#recoveryInterval} other than zero: 10 ms. */
  public static final Duration MIN_RECOVERY_INTERVAL = Duration.ofMillis(10);

  private static final DepotOptions DEFAULTS = builder().build();

  private final Path directory;
  private final long capacity;
  private final int maxObjects;
  private final int maxClients;
  private final int maxHandlesPerClient;
  private final Set<PosixFilePermission> permissions;
  private final Prefault prefault;
  private final Duration recoveryInterval;
  private final boolean zeroClaims;
  private final Supplier<IdleStrategy> idleStrategy;
  private final long queueSpinNanos;
  private final long openTimeoutMillis;

  private DepotOptions(Builder b) {
    this.directory = b.directory;
    this.capacity = b.capacity;
    this.maxObjects =
        b.maxObjects > 0 ? b.maxObjects : Math.clamp(b.capacity / 4096, 1024, MAX_OBJECTS);
    this.maxClients = b.maxClients;
    this.maxHandlesPerClient = b.maxHandlesPerClient;
    this.permissions = Set.copyOf(b.permissions);
    this.queueSpinNanos = b.queueSpinNanos;
    this.prefault = b.prefault;
    this.recoveryInterval = b.recoveryInterval;
    this.zeroClaims = b.zeroClaims;
    this.idleStrategy = b.idleStrategy;
    this.openTimeoutMillis = b.openTimeoutMillis;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /** {@return the defaults: {@code /dev/shm}, 64 MiB, owner-only} */
  public static DepotOptions defaults() {
    return DEFAULTS;
  }

  /** {@return a builder starting from these options} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.directory = directory;
    b.capacity = capacity;
    b.maxObjects = maxObjects;
    b.maxClients = maxClients;
    b.maxHandlesPerClient = maxHandlesPerClient;
    b.permissions = EnumSet.copyOf(permissions);
    b.prefault = prefault;
    b.recoveryInterval = recoveryInterval;
    b.zeroClaims = zeroClaims;
    b.idleStrategy = idleStrategy;
    b.queueSpinNanos = queueSpinNanos;
    b.openTimeoutMillis = openTimeoutMillis;
    return b;
  }

  /** {@return the directory of the store file} */
  public Path directory() {
    return directory;
  }

  /** {@return the arena's capacity in bytes} */
  public long capacity() {
    return capacity;
  }

  /** {@return the directory size: the most objects at once} */
  public int maxObjects() {
    return maxObjects;
  }

  /** {@return the most processes attached at once} */
  public int maxClients() {
    return maxClients;
  }

  /** {@return the most handles one process may hold open at once} */
  public int maxHandlesPerClient() {
    return maxHandlesPerClient;
  }

  /** {@return the permissions a created store file gets (owner read/write by default)} */
  public Set<PosixFilePermission> permissions() {
    return permissions;
  }

  /**
   * {@return when this process pre-faults its mapping of the store (default {@link Prefault#AUTO})}
   */
  public Prefault prefault() {
    return prefault;
  }

  /**
   * {@return how often this process's recovery sweep runs (default 1 s), or {@link Duration#ZERO}
   * if it never sweeps; see {@link Builder#recoveryInterval}}
   */
  public Duration recoveryInterval() {
    return recoveryInterval;
  }

  /**
   * {@return whether claims hand out zero-filled memory (default false: claimed memory holds
   * whatever was there before)}
   */
  public boolean zeroClaims() {
    return zeroClaims;
  }

  /** {@return a new idle strategy for one waiter} */
  public IdleStrategy newIdleStrategy() {
    return idleStrategy.get();
  }

  /** {@return the most a blocked operation spins before it sleeps; see the builder} */
  public long queueSpinNanos() {
    return queueSpinNanos;
  }

  /** {@return how long {@link Depot#openOrCreate} waits for a racing creator, in milliseconds} */
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
    private Prefault prefault = Prefault.AUTO;
    private Duration recoveryInterval = DEFAULT_RECOVERY_INTERVAL;
    private boolean zeroClaims;
    private Supplier<IdleStrategy> idleStrategy = IdleStrategy::backoff;
    private long queueSpinNanos = DEFAULT_QUEUE_SPIN_NANOS;
    private long openTimeoutMillis = 5_000;

    private Builder() {}

    /**
     * The directory of the store file (default {@code /dev/shm}; any directory works, tmpfs is
     * fastest).
     *
     * @param directory the directory
     * @return this builder
     */
    public Builder directory(Path directory) {
      this.directory = Objects.requireNonNull(directory, "directory");
      return this;
    }

    /**
     * The arena's capacity in bytes; see the limits above.
     *
     * @param bytes the capacity in bytes
     * @return this builder
     */
    public Builder capacity(long bytes) {
      if (bytes < MIN_CAPACITY || bytes > MAX_CAPACITY) {
        throw new InvalidArgumentException(
            "capacity must be "
                + ByteSize.format(MIN_CAPACITY)
                + ".."
                + ByteSize.format(MAX_CAPACITY)
                + ": capacity="
                + ByteSize.describe(bytes));
      }
      this.capacity = bytes;
      return this;
    }

    /**
     * The directory size: the most objects (committed, being written or zombie) at once.
     *
     * @param maxObjects the most objects
     * @return this builder
     */
    public Builder maxObjects(int maxObjects) {
      if (maxObjects < 1 || maxObjects > MAX_OBJECTS) {
        throw new InvalidArgumentException(
            "maxObjects must be 1.." + MAX_OBJECTS + ": maxObjects=" + maxObjects);
      }
      this.maxObjects = maxObjects;
      return this;
    }

    /**
     * The most processes attached at once.
     *
     * @param maxClients the most processes
     * @return this builder
     */
    public Builder maxClients(int maxClients) {
      if (maxClients < 1 || maxClients > MAX_CLIENTS) {
        throw new InvalidArgumentException(
            "maxClients must be 1.." + MAX_CLIENTS + ": maxClients=" + maxClients);
      }
      this.maxClients = maxClients;
      return this;
    }

    /**
     * The most handles one process may hold open at once.
     *
     * @param maxHandles the most handles per process
     * @return this builder
     */
    public Builder maxHandlesPerClient(int maxHandles) {
      if (maxHandles < 16 || maxHandles > MAX_HANDLES) {
        throw new InvalidArgumentException(
            "maxHandlesPerClient must be 16.."
                + MAX_HANDLES
                + ": maxHandlesPerClient="
                + maxHandles);
      }
      this.maxHandlesPerClient = maxHandles;
      return this;
    }

    /**
     * Lets the owner's group read and write the store (mode 0660 instead of 0600).
     *
     * @param groupAccess whether the group may read and write
     * @return this builder
     */
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
     * @param permissions the permissions
     * @return this builder
     * @throws InvalidArgumentException if the owner could not read and write it
     */
    public Builder permissions(Set<PosixFilePermission> permissions) {
      if (!permissions.contains(PosixFilePermission.OWNER_READ)
          || !permissions.contains(PosixFilePermission.OWNER_WRITE)) {
        throw new InvalidArgumentException(
            "permissions must include owner read and write: " + permissions);
      }
      this.permissions = EnumSet.copyOf(permissions);
      return this;
    }

    /**
     * When this process pre-faults its own mapping of the store (default {@link Prefault#AUTO}:
     * before {@link Depot#create} returns, in a background thread after {@link Depot#open}); see
     * {@link Prefault} for the costs. A created store's memory is always reserved ({@code
     * posix_fallocate}), whatever this option.
     *
     * @param prefault when to pre-fault
     * @return this builder
     */
    public Builder prefault(Prefault prefault) {
      this.prefault = Objects.requireNonNull(prefault, "prefault");
      return this;
    }

    /**
     * Whether to pre-fault at all: {@code true} is the default, {@link Prefault#AUTO}; {@code
     * false} is {@link Prefault#NONE}.
     *
     * @param prefault whether to pre-fault
     * @return this builder
     */
    public Builder prefault(boolean prefault) {
      return prefault(prefault ? Prefault.AUTO : Prefault.NONE);
    }

    /**
     * How often this process sweeps the store for dead processes (default 1 s): every attached
     * process runs the sweep on a daemon thread, taking turns through a lease in the store's header
     * so that the store as a whole is swept about twice per interval whatever the number of
     * processes. A sweep checks each attached process's pid and start time and recovers the dead:
     * their claims are given back, the handles they held are released (a removed object they were
     * reading is freed), their popped queue entries are delivered again. The memory of a process
     * that dies is therefore free again within one interval (plus the recovery itself, a scan of
     * the store's descriptors), as long as any process with a non-zero interval is attached.
     * Operations that run into a dead process's state (a name it was writing, a full store, a queue
     * position) recover it at once, sweep or not.
     *
     * @param interval 10 ms or more, or {@link Duration#ZERO} for no sweeping by this process
     *     (inspection tools)
     * @return this builder
     */
    public Builder recoveryInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative()
          || (!interval.isZero() && interval.compareTo(MIN_RECOVERY_INTERVAL) < 0)) {
        throw new InvalidArgumentException(
            "recoveryInterval must be 0 or at least "
                + MIN_RECOVERY_INTERVAL
                + ": recoveryInterval="
                + interval);
      }
      this.recoveryInterval = interval;
      return this;
    }

    /**
     * Whether {@link Depot#claim} and queue entry claims hand out zero-filled memory (default
     * false). Like {@code malloc}, a claim's memory otherwise holds whatever was there before (the
     * bytes of a removed object), so a writer must fill all of it; zeroing costs a memory write of
     * the claimed size.
     *
     * @param zeroClaims whether claimed memory is zero-filled
     * @return this builder
     */
    public Builder zeroClaims(boolean zeroClaims) {
      this.zeroClaims = zeroClaims;
      return this;
    }

    /**
     * How blocked operations wait (default {@link IdleStrategy#backoff()}).
     *
     * @param idleStrategy makes one idle strategy per waiter
     * @return this builder
     */
    public Builder idleStrategy(Supplier<IdleStrategy> idleStrategy) {
      this.idleStrategy = Objects.requireNonNull(idleStrategy, "idleStrategy");
      return this;
    }

    /**
     * The most a blocked operation (a pop on an empty queue, a push or {@code createEntry} on a
     * full one, a {@code get} waiting for a commit) spins before it sleeps on a futex in the store
     * (default 1 ms; at most 1 s; 0 sleeps at once). The spin adapts, per queue handle and side: it
     * doubles while waits end during the spin, and halves each time a wait has to sleep, between 1
     * µs and this bound. So a consumer whose entries arrive every few hundred µs ends up spinning
     * through the gaps (a sleep costs the waker a system call and the sleeper a context switch:
     * tens of µs in a VM), and many waiters on few cores end up sleeping at once. Only this
     * process's waits are affected.
     *
     * @param nanos the spin limit in nanoseconds
     * @return this builder
     */
    public Builder queueSpinNanos(long nanos) {
      if (nanos < 0 || nanos > MAX_QUEUE_SPIN_NANOS) {
        throw new InvalidArgumentException(
            "queueSpinNanos must be 0.." + MAX_QUEUE_SPIN_NANOS + ": queueSpinNanos=" + nanos);
      }
      this.queueSpinNanos = nanos;
      return this;
    }

    /**
     * How long {@link Depot#openOrCreate} waits for a racing creator (default 5 s).
     *
     * @param millis the wait in milliseconds
     * @return this builder
     */
    public Builder openTimeoutMillis(long millis) {
      if (millis < 0) {
        throw new InvalidArgumentException(
            "openTimeoutMillis must be >= 0: openTimeoutMillis=" + millis);
      }
      this.openTimeoutMillis = millis;
      return this;
    }

    /** {@return the options built} */
    public DepotOptions build() {
      return new DepotOptions(this);
    }
  }
}
