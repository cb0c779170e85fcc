package io.depot.stm.spi;

import java.time.Duration;

/**
 * What a write does with the key's own TTL.
 *
 * @param millis {@code > 0}: expire that many milliseconds from now; {@link #NONE_MILLIS}: no key
 *     TTL; {@link #KEEP_MILLIS}: keep the key's current TTL
 */
public record KeyTtl(long millis) {
  /** The {@link #millis} of {@link #NONE}. */
  public static final long NONE_MILLIS = 0;

  /** The {@link #millis} of {@link #KEEP}. */
  public static final long KEEP_MILLIS = -1;

  /** No key TTL (the key lives as long as the workflow). */
  public static final KeyTtl NONE = new KeyTtl(NONE_MILLIS);

  /** Keep the key's current TTL (for updates). */
  public static final KeyTtl KEEP = new KeyTtl(KEEP_MILLIS);

  /**
   * Expire {@code ttl} from now (at least 1 ms).
   *
   * @param ttl the time to live
   * @return the TTL
   */
  public static KeyTtl after(Duration ttl) {
    return new KeyTtl(Math.max(1, ttl.toMillis()));
  }

  /** {@return whether the key keeps its TTL} */
  public boolean keep() {
    return millis == KEEP_MILLIS;
  }

  /** {@return whether the key gets a new TTL} */
  public boolean expires() {
    return millis > 0;
  }
}
