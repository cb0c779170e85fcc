package io.depot.bench.core;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectHandle;
import io.depot.bench.Stats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/**
 * W1: a writer process puts 20,000 objects {@code k0..k19999} of 1 KiB seeded random bytes; a
 * separate reader process then gets and verifies all of them. Each side first warms up on a
 * separate set of names ({@code w*}), untimed.
 */
public final class W1 {
  public static final int COUNT = 20_000;
  public static final int SIZE = 1024;

  private W1() {}

  public static DepotOptions options() {
    return DepotOptions.builder().capacity(128L << 20).maxObjects(65_536).build();
  }

  static byte[] value(long seed) {
    byte[] b = new byte[SIZE];
    SplittableRandom r = new SplittableRandom(seed);
    for (int i = 0; i < SIZE; i += 8) {
      long v = r.nextLong();
      for (int j = 0; j < 8; j++) {
        b[i + j] = (byte) (v >>> (8 * j));
      }
    }
    return b;
  }

  /** Child: writer. */
  public static final class Writer {
    private Writer() {}

    public static void main(String[] args) {
      try (Depot d = Depot.open(args[0], options())) {
        byte[][] values = new byte[COUNT][];
        for (int i = 0; i < COUNT; i++) {
          values[i] = value(i);
        }
        // warm-up, untimed: the same code path on other names, until the JIT has settled (at least
        // 10 rounds and
        // 3 seconds); the reader warms up on the last round's objects
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        for (int round = 0; round < 10 || System.nanoTime() < warmUntil; round++) {
          for (int i = 0; i < COUNT; i++) {
            d.put("w" + i, values[i]);
          }
          for (int i = 0; i < COUNT; i++) {
            d.remove("w" + i);
          }
        }
        for (int i = 0; i < COUNT; i++) {
          d.put("w" + i, values[i]);
        }
        String[] names = new String[COUNT];
        for (int i = 0; i < COUNT; i++) {
          names[i] = "k" + i;
        }
        Stats put = new Stats(COUNT);
        for (int i = 0; i < COUNT; i++) {
          long t0 = System.nanoTime();
          d.put(names[i], values[i]);
          put.add(System.nanoTime() - t0);
        }
        System.out.println("W1PUT " + put.summary());
      }
    }
  }

  /** Child: reader. */
  public static final class Reader {
    private Reader() {}

    public static void main(String[] args) {
      try (Depot d = Depot.open(args[0], options())) {
        byte[][] expected = new byte[COUNT][];
        for (int i = 0; i < COUNT; i++) {
          expected[i] = value(i);
        }
        String[] warm = new String[COUNT];
        String[] names = new String[COUNT];
        for (int i = 0; i < COUNT; i++) {
          warm[i] = "w" + i;
          names[i] = "k" + i;
        }
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        for (int round = 0;
            round < 10 || System.nanoTime() < warmUntil;
            round++) { // warm-up on the w* objects
          for (int i = 0; i < COUNT; i++) {
            try (ObjectHandle h = d.get(warm[i])) {
              verify(h, expected[i]);
            }
          }
        }
        Stats get = new Stats(COUNT);
        Stats getVerify = new Stats(COUNT);
        for (int i = 0; i < COUNT; i++) {
          long t0 = System.nanoTime();
          ObjectHandle h = d.get(names[i]);
          long t1 = System.nanoTime();
          verify(h, expected[i]);
          h.close();
          long t2 = System.nanoTime();
          get.add(t1 - t0);
          getVerify.add(t2 - t0);
        }
        // get + close without verification, on warm caches: the control path alone
        Stats getClose = new Stats(COUNT);
        for (int i = 0; i < COUNT; i++) {
          long t0 = System.nanoTime();
          d.get(names[i]).close();
          getClose.add(System.nanoTime() - t0);
        }
        System.out.println("W1GET " + get.summary());
        System.out.println("W1GETVERIFY " + getVerify.summary());
        System.out.println("W1GETCLOSE " + getClose.summary());
      }
    }

    private static void verify(ObjectHandle h, byte[] expected) {
      MemorySegment s = h.segment();
      if (s.byteSize() != expected.length
          || MemorySegment.mismatch(
                  s, 0, s.byteSize(), MemorySegment.ofArray(expected), 0, expected.length)
              >= 0) {
        throw new AssertionError("W1 verify failed: " + h.name());
      }
      if (s.get(ValueLayout.JAVA_BYTE, 0) != expected[0]) {
        throw new AssertionError();
      }
    }
  }
}
