package io.depot.stm;

import io.depot.InvalidArgumentException;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Settings every backend honours. Immutable; build with {@link #builder()}. The same settings can
 * be given as URI parameters ({@code ttl=30m}, {@code maxValueBytes=1048576}), which take
 * precedence.
 */
public final class StmOptions {
  /** The default value limit: 64 MiB. */
  public static final long DEFAULT_MAX_VALUE_BYTES = 64L << 20;

  private static final StmOptions DEFAULTS = builder().build();

  private final @Nullable Duration defaultTtl;
  private final long maxValueBytes;

  private StmOptions(Builder b) {
    this.defaultTtl = b.defaultTtl;
    this.maxValueBytes = b.maxValueBytes;
  }

  /** {@return a builder with the defaults} */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * No default TTL, 64 MiB values.
   *
   * @return the default options
   */
  public static StmOptions defaults() {
    return DEFAULTS;
  }

  /** {@return a builder starting from these options} */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.defaultTtl = defaultTtl;
    b.maxValueBytes = maxValueBytes;
    return b;
  }

  /**
   * {@return the TTL a workflow gets when it is first written (so abandoned workflows expire), or
   * empty for none} {@link Workflow#expireAfter} and {@link Workflow#persist} change it per
   * workflow.
   */
  public Optional<Duration> defaultTtl() {
    return Optional.ofNullable(defaultTtl);
  }

  /** {@return the largest encoded value accepted, in bytes} */
  public long maxValueBytes() {
    return maxValueBytes;
  }

  @Override
  public String toString() {
    return "StmOptions[defaultTtl=" + defaultTtl + ", maxValueBytes=" + maxValueBytes + "]";
  }

  /** Builds {@link StmOptions}; every setter checks its argument. */
  public static final class Builder {
    private @Nullable Duration defaultTtl;
    private long maxValueBytes = DEFAULT_MAX_VALUE_BYTES;

    private Builder() {}

    /**
     * The TTL of new workflows; {@code null} for none.
     *
     * @param ttl the TTL, or {@code null}
     * @return this builder
     * @throws InvalidArgumentException if not positive
     */
    public Builder defaultTtl(@Nullable Duration ttl) {
      if (ttl != null && (ttl.isNegative() || ttl.isZero())) {
        throw new InvalidArgumentException("defaultTtl must be positive: defaultTtl=" + ttl);
      }
      this.defaultTtl = ttl;
      return this;
    }

    /**
     * The largest encoded value accepted.
     *
     * @param bytes the limit in bytes
     * @return this builder
     * @throws InvalidArgumentException unless 1 byte to 2 GiB
     */
    public Builder maxValueBytes(long bytes) {
      if (bytes < 1 || bytes > Integer.MAX_VALUE) {
        throw new InvalidArgumentException(
            "maxValueBytes must be 1.." + Integer.MAX_VALUE + ": maxValueBytes=" + bytes);
      }
      this.maxValueBytes = bytes;
      return this;
    }

    /** {@return the options built} */
    public StmOptions build() {
      return new StmOptions(this);
    }
  }
}
