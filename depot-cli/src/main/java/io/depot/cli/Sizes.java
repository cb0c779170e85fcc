package io.depot.cli;

import io.depot.ByteSize;

/** Byte sizes with binary suffixes: {@link ByteSize}'s, under the CLI's short names. */
final class Sizes {
  private Sizes() {}

  /** Parses "64M", "2G", "512K", "1048576" ({@link ByteSize#parse}). */
  static long parse(String s) {
    return ByteSize.parse(s);
  }

  /** "9.5 MiB" ({@link ByteSize#format}). */
  static String format(long bytes) {
    return ByteSize.format(bytes);
  }
}
