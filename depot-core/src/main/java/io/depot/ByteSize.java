package io.depot;

import java.util.Locale;

/**
 * Byte counts as people write and read them: {@code "64m"}, {@code "1 GiB"}, {@code "512k"} in,
 * {@code "64.0 MiB"} out. Units are powers of 1024 ({@code k}, {@code m}, {@code g}, {@code t},
 * case-insensitive; {@code KiB} and {@code KB} read the same as {@code k}). Every size option of
 * Depot's modules and its command line reads sizes this way, and its messages print them so.
 */
public final class ByteSize {
  private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private ByteSize() {}

  /**
   * Parses a size: a non-negative integer with an optional unit.
   *
   * @param text the size, e.g. {@code 64m}
   * @return the size in bytes
   * @throws InvalidArgumentException naming {@code text} if it is not such a size or does not fit a
   *     long
   */
  public static long parse(String text) {
    long n = tryParse(text);
    if (n < 0) {
      throw new InvalidArgumentException(
          "not a size (a number of bytes with an optional unit k, m, g or t, "
              + "e.g. 1048576, 64m, 1GiB): "
              + text);
    }
    return n;
  }

  /**
   * {@link #parse}, or -1 if {@code text} is not a size.
   *
   * @param text the size, e.g. {@code 64m}
   * @return the size in bytes, or -1
   */
  public static long tryParse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    for (String suffix : new String[] {"ib", "b"}) {
      if (s.endsWith(suffix) && s.length() > suffix.length()) {
        s = s.substring(0, s.length() - suffix.length());
        break;
      }
    }
    int shift =
        s.isEmpty()
            ? 0
            : switch (s.charAt(s.length() - 1)) {
              case 'k' -> 10;
              case 'm' -> 20;
              case 'g' -> 30;
              case 't' -> 40;
              default -> 0;
            };
    if (shift > 0) {
      s = s.substring(0, s.length() - 1).trim();
    }
    if (s.isEmpty() || s.charAt(0) == '+' || s.charAt(0) == '-') {
      return -1;
    }
    try {
      long n = Long.parseLong(s);
      return n > (Long.MAX_VALUE >> shift) ? -1 : n << shift;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * {@code bytes} in the largest unit that keeps it at least 1, one decimal: {@code "512 B"},
   * {@code "9.5 MiB"}.
   *
   * @param bytes a size in bytes
   * @return the formatted size
   */
  public static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < UNITS.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, UNITS[u]);
  }

  /**
   * {@code bytes} exactly, then in human units when they differ: {@code "10000000 (9.5 MiB)"},
   * {@code "512"}.
   *
   * @param bytes a size in bytes
   * @return the description
   */
  public static String describe(long bytes) {
    return bytes < 1024 ? Long.toString(bytes) : bytes + " (" + format(bytes) + ")";
  }
}
