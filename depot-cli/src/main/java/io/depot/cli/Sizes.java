package io.depot.cli;

import io.depot.InvalidArgumentException;
import java.util.Locale;

/** Byte sizes with binary suffixes. */
final class Sizes {
  private Sizes() {}

  /** Parses "64M", "2G", "512K", "1048576". */
  static long parse(String s) {
    String t = s.trim().toUpperCase(Locale.ROOT);
    long mult = 1;
    if (t.endsWith("IB")) {
      t = t.substring(0, t.length() - 2);
    } else if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.endsWith("K")) {
      mult = 1L << 10;
    } else if (t.endsWith("M")) {
      mult = 1L << 20;
    } else if (t.endsWith("G")) {
      mult = 1L << 30;
    } else if (t.endsWith("T")) {
      mult = 1L << 40;
    }
    if (mult != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      return Math.multiplyExact(Long.parseLong(t.trim()), mult);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidArgumentException("not a size: " + s);
    }
  }

  static String format(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = -1;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
  }
}
