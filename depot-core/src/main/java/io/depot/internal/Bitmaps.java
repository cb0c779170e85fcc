package io.depot.internal;

/**
 * Bitmaps in the store: bit {@code i} of the bitmap at {@code base} is bit {@code i % 64} of the
 * long at {@code base + (i / 64) * 8} (the page free map, the descriptor hints, a span's slot map).
 * Plain accesses unless named; the callers say under which lock or with which ordering they use
 * them.
 */
final class Bitmaps {
  /** Bits per bitmap word. */
  static final int WORD_BITS = Long.SIZE;

  private Bitmaps() {}

  /** The address of the word that holds bit {@code bit}. */
  static long word(long base, long bit) {
    return base + (bit >>> 6) * Long.BYTES;
  }

  /** The mask of bit {@code bit} within its word. */
  static long mask(long bit) {
    return 1L << (bit & (WORD_BITS - 1));
  }

  /** The number of words of a bitmap of {@code bits} bits. */
  static long words(long bits) {
    return (bits + WORD_BITS - 1) >>> 6;
  }

  static boolean get(Mem mem, long base, long bit) {
    return (mem.getLong(word(base, bit)) & mask(bit)) != 0;
  }

  /** {@link #get} with an opaque read (statistics read without the lock). */
  static boolean getOpaque(Mem mem, long base, long bit) {
    return (mem.getLongOpaque(word(base, bit)) & mask(bit)) != 0;
  }

  /** Sets or clears a bit with a plain read-modify-write (the caller holds the bitmap's lock). */
  static void put(Mem mem, long base, long bit, boolean value) {
    long w = word(base, bit);
    long v = mem.getLong(w);
    mem.putLong(w, value ? v | mask(bit) : v & ~mask(bit));
  }

  /** Sets a bit atomically (lock-free bitmaps: the descriptor hints). */
  static void setAtomic(Mem mem, long base, long bit) {
    mem.getAndBitwiseOrLong(word(base, bit), mask(bit));
  }

  /** Clears a bit atomically. */
  static void clearAtomic(Mem mem, long base, long bit) {
    mem.getAndBitwiseAndLong(word(base, bit), ~mask(bit));
  }

  /** The first set bit in {@code [from, to)}, or -1. */
  static long nextSet(Mem mem, long base, long from, long to) {
    return next(mem, base, from, to, 0);
  }

  /** The first clear bit in {@code [from, to)}, or -1. */
  static long nextClear(Mem mem, long base, long from, long to) {
    return next(mem, base, from, to, -1);
  }

  private static long next(Mem mem, long base, long from, long to, long flip) {
    long p = from;
    while (p < to) {
      long bits = (mem.getLong(word(base, p)) ^ flip) >>> (p & (WORD_BITS - 1));
      if (bits != 0) {
        long q = p + Long.numberOfTrailingZeros(bits);
        return q < to ? q : -1;
      }
      p = (p | (WORD_BITS - 1)) + 1;
    }
    return -1;
  }

  /** The set bits among the first {@code bits} bits. */
  static long count(Mem mem, long base, long bits) {
    long n = 0;
    for (long s = 0; s < bits; s += WORD_BITS) {
      long v = mem.getLong(word(base, s));
      long valid = Math.min(WORD_BITS, bits - s);
      if (valid < WORD_BITS) {
        v &= (1L << valid) - 1;
      }
      n += Long.bitCount(v);
    }
    return n;
  }
}
