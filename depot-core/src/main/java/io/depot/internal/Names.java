package io.depot.internal;

import io.depot.Depot;
import io.depot.InvalidNameException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Object and store names: validation, UTF-8 encoding, hashing. */
public final class Names {
  private static final VarHandle LONG_LE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;

  private Names() {}

  /**
   * The UTF-8 bytes of an object name.
   *
   * @throws InvalidNameException if the name is null, empty, longer than {@value
   *     Depot#MAX_NAME_BYTES} UTF-8 bytes, or has an unpaired surrogate (not encodable as UTF-8)
   */
  public static byte[] encode(String name) {
    if (name == null) {
      throw new InvalidNameException("object name is null");
    }
    int n = name.length();
    if (n == 0) {
      throw new InvalidNameException("object name is empty");
    }
    if (n > Depot.MAX_NAME_BYTES) {
      throw new InvalidNameException(
          "object name longer than "
              + Depot.MAX_NAME_BYTES
              + " bytes: length="
              + n
              + " name="
              + abbreviate(name));
    }
    requireWellFormed("object name", name);
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > Depot.MAX_NAME_BYTES) {
      throw new InvalidNameException(
          "object name longer than "
              + Depot.MAX_NAME_BYTES
              + " bytes in UTF-8: bytes="
              + bytes.length
              + " name="
              + abbreviate(name));
    }
    return bytes;
  }

  /**
   * Checks that {@code name} (a {@code what}) is well-formed UTF-16, so encodable as UTF-8: no
   * unpaired surrogate.
   *
   * @throws InvalidNameException naming the index of the first unpaired surrogate
   */
  public static void requireWellFormed(String what, String name) {
    int n = name.length();
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(name.charAt(i + 1))) {
          i++;
        } else {
          throw new InvalidNameException(
              what
                  + " is not valid UTF-8 (unpaired surrogate at index "
                  + i
                  + "): name="
                  + abbreviate(name));
        }
      }
    }
  }

  /**
   * Checks a store name: 1 to 200 characters of {@code [A-Za-z0-9._-]}, not starting with a dot.
   *
   * @throws InvalidNameException naming it otherwise
   */
  public static String checkStoreName(String name) {
    if (name == null || name.isEmpty() || name.length() > 200 || name.charAt(0) == '.') {
      throw new InvalidNameException(
          "store name must be 1..200 characters, not starting with '.': name=" + name);
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '-';
      if (!ok) {
        throw new InvalidNameException("store name may only use [A-Za-z0-9._-]: name=" + name);
      }
    }
    return name;
  }

  static String abbreviate(String s) {
    return s.length() <= 64 ? s : s.substring(0, 61) + "...";
  }

  /** A 64-bit hash of {@code bytes} (murmur3-style mixing, 8 bytes at a time). */
  public static long hash(byte[] bytes) {
    long h = 0x9E3779B97F4A7C15L ^ (bytes.length * C1);
    int i = 0;
    int end = bytes.length - 7;
    for (; i < end; i += 8) {
      long k = (long) LONG_LE.get(bytes, i);
      k *= C1;
      k = Long.rotateLeft(k, 31);
      k *= C2;
      h ^= k;
      h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
    }
    long t = 0;
    for (int j = bytes.length - 1; j >= i; j--) {
      t = (t << 8) | (bytes[j] & 0xff);
    }
    t *= C2;
    t = Long.rotateLeft(t, 33);
    t *= C1;
    h ^= t;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
