package io.depot.mp;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

/**
 * Self-verifying values: {@code [seed:8][length:8][random bytes from seed][crc32c:8]}. A reader can
 * tell a torn or changed value from a good one without knowing what was written.
 */
public final class Payloads {
  public static final int OVERHEAD = 24;

  private Payloads() {}

  /**
   * A payload of {@code size} bytes (at least {@link #OVERHEAD}) whose content derives from {@code
   * seed}.
   */
  public static byte[] make(long seed, int size) {
    byte[] b = new byte[Math.max(OVERHEAD, size)];
    MemorySegment s = MemorySegment.ofArray(b);
    s.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, seed);
    s.set(ValueLayout.JAVA_LONG_UNALIGNED, 8, b.length);
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 16; i < b.length - 8; i++) {
      b[i] = (byte) r.nextInt();
    }
    CRC32C crc = new CRC32C();
    crc.update(b, 0, b.length - 8);
    s.set(ValueLayout.JAVA_LONG_UNALIGNED, b.length - 8, crc.getValue());
    return b;
  }

  /** Checks a payload in place; returns its seed, or throws describing what is wrong. */
  public static long verify(MemorySegment s, String name) {
    long size = s.byteSize();
    if (size < OVERHEAD) {
      throw new AssertionError(name + ": payload too short: " + size);
    }
    long seed = s.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
    long length = s.get(ValueLayout.JAVA_LONG_UNALIGNED, 8);
    if (length != size) {
      throw new AssertionError(name + ": length field " + length + " != size " + size);
    }
    CRC32C crc = new CRC32C();
    crc.update(s.asSlice(0, size - 8).asByteBuffer());
    long stored = s.get(ValueLayout.JAVA_LONG_UNALIGNED, size - 8);
    if (crc.getValue() != stored) {
      throw new AssertionError(name + ": checksum mismatch (torn or changed value)");
    }
    SplittableRandom r = new SplittableRandom(seed);
    for (long i = 16; i < size - 8; i++) {
      if (s.get(ValueLayout.JAVA_BYTE, i) != (byte) r.nextInt()) {
        throw new AssertionError(name + ": byte " + i + " differs from its seed");
      }
    }
    return seed;
  }

  /** CRC32C of a whole segment. */
  public static long crc(MemorySegment s) {
    CRC32C crc = new CRC32C();
    crc.update(s.asByteBuffer());
    return crc.getValue();
  }
}
