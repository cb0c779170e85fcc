package io.depot.storage.spi;

import io.depot.InvalidArgumentException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * A provider's options (keys without the {@code depot.storage.<scheme>.} prefix), with typed
 * accessors that name the key and the base URI when a value is malformed.
 */
public final class ProviderOptions {
  private final Map<String, String> values;
  private final URI base;

  /**
   * The options {@code values} of the provider on {@code base}, checked against {@code known}.
   *
   * @param values the options
   * @param base the provider's base URI, named in messages
   * @param known the option keys the provider understands
   * @throws InvalidArgumentException if {@code values} has a key not in {@code known}
   */
  public ProviderOptions(Map<String, String> values, URI base, Set<String> known) {
    this.values = Map.copyOf(values);
    this.base = base;
    Set<String> unknown = new TreeSet<>(values.keySet());
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new InvalidArgumentException(
          "unknown storage option(s) "
              + unknown
              + " for base="
              + base
              + "; known: "
              + new TreeSet<>(known));
    }
  }

  /**
   * {@return whether the option is set}
   *
   * @param key the option's key
   */
  public boolean has(String key) {
    return values.containsKey(key);
  }

  /**
   * {@return the option's value, or {@code defaultValue}}
   *
   * @param key the option's key
   * @param defaultValue the value if the option is not set
   */
  public String string(String key, String defaultValue) {
    return values.getOrDefault(key, defaultValue);
  }

  /**
   * {@return the option's value, or {@code null} if it is not set}
   *
   * @param key the option's key
   */
  public @Nullable String string(String key) {
    return values.get(key);
  }

  /**
   * {@return a boolean option ({@code true}/{@code false})}
   *
   * @param key the option's key
   * @param defaultValue the value if the option is not set
   */
  public boolean bool(String key, boolean defaultValue) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    return switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, v, "true or false");
    };
  }

  /**
   * {@return a size in bytes: a number with an optional unit {@code k}, {@code m}, {@code g},
   * {@code t} (powers of 1024; {@code KiB}, {@code MiB}, ... and {@code KB}, {@code MB}, ... are
   * read the same)}
   *
   * @param key the option's key
   * @param defaultValue the value if the option is not set
   * @param min the smallest value accepted
   * @param max the largest value accepted
   */
  public long size(String key, long defaultValue, long min, long max) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    long n = io.depot.ByteSize.tryParse(v);
    if (n < 0) {
      throw bad(key, v, "a size such as 1048576, 64m or 1g");
    }
    if (n < min || n > max) {
      throw bad(
          key,
          v,
          "a size from " + io.depot.ByteSize.format(min) + " to " + io.depot.ByteSize.format(max));
    }
    return n;
  }

  /**
   * {@return an integer option in {@code [min, max]}}
   *
   * @param key the option's key
   * @param defaultValue the value if the option is not set
   * @param min the smallest value accepted
   * @param max the largest value accepted
   */
  public long integer(String key, long defaultValue, long min, long max) {
    String v = values.get(key);
    if (v == null) {
      return defaultValue;
    }
    try {
      long n = Long.parseLong(v.trim());
      if (n < min || n > max) {
        throw bad(key, v, "an integer from " + min + " to " + max);
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(key, v, "an integer from " + min + " to " + max);
    }
  }

  private InvalidArgumentException bad(String key, String value, String expected) {
    return new InvalidArgumentException(
        "storage option "
            + key
            + " must be "
            + expected
            + ": "
            + key
            + "="
            + value
            + " base="
            + base);
  }
}
