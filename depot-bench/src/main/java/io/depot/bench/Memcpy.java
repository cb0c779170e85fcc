package io.depot.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The memcpy baseline: copying between already-touched memory, measured in the same run as the
 * workloads.
 */
public final class Memcpy {
  private Memcpy() {}

  /**
   * Best-of-{@code rounds} bandwidth, in GiB/s, copying a heap array of {@code bytes} to touched
   * native memory.
   */
  public static double heapToNativeGiBs(long bytes, int rounds) {
    double[] src = new double[(int) (bytes / 8)];
    for (int i = 0; i < src.length; i++) {
      src[i] = i;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dst = arena.allocate(bytes, 64);
      dst.fill((byte) 1); // touch every page first, like a pre-faulted store
      double best = 0;
      for (int r = 0; r < rounds; r++) {
        long t0 = System.nanoTime();
        MemorySegment.copy(src, 0, dst, ValueLayout.JAVA_DOUBLE, 0, src.length);
        long t = System.nanoTime() - t0;
        best = Math.max(best, bytes / (t / 1e9) / (1L << 30));
      }
      return best;
    }
  }

  /**
   * Bandwidth, in GiB/s, of copying a heap array of {@code bytes} into {@code slots} rotating,
   * touched native buffers: the data movement of a producer filling a ring of {@code slots} entries
   * (not cache-resident).
   */
  public static double heapToRingGiBs(long bytes, int slots, int copies) {
    double[] src = new double[(int) (bytes / 8)];
    for (int i = 0; i < src.length; i++) {
      src[i] = i;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment ring = arena.allocate(bytes * slots, 64);
      ring.fill((byte) 1);
      for (int warm = 0; warm < slots; warm++) {
        MemorySegment.copy(src, 0, ring, ValueLayout.JAVA_DOUBLE, warm * bytes, src.length);
      }
      long t0 = System.nanoTime();
      for (int i = 0; i < copies; i++) {
        MemorySegment.copy(src, 0, ring, ValueLayout.JAVA_DOUBLE, (i % slots) * bytes, src.length);
      }
      long t = System.nanoTime() - t0;
      return bytes * (double) copies / (t / 1e9) / (1L << 30);
    }
  }

  /**
   * Like {@link #heapToRingGiBs}, but into {@code target}: a region of a store's shared mapping (4
   * KiB pages), the best a producer can do on the same memory.
   */
  public static double heapToSegmentRingGiBs(long bytes, MemorySegment target, int copies) {
    double[] src = new double[(int) (bytes / 8)];
    for (int i = 0; i < src.length; i++) {
      src[i] = i;
    }
    int slots = (int) (target.byteSize() / bytes);
    for (int warm = 0; warm < slots; warm++) {
      MemorySegment.copy(src, 0, target, ValueLayout.JAVA_DOUBLE, warm * bytes, src.length);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < copies; i++) {
      MemorySegment.copy(src, 0, target, ValueLayout.JAVA_DOUBLE, (i % slots) * bytes, src.length);
    }
    long t = System.nanoTime() - t0;
    return bytes * (double) copies / (t / 1e9) / (1L << 30);
  }

  /**
   * Median time of one copy of {@code bytes} from a heap array to native memory, in ns, over many
   * rounds.
   */
  public static double smallCopyNanos(int bytes, int rounds) {
    byte[] src = new byte[bytes];
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dst = arena.allocate((long) bytes * 1024, 64);
      dst.fill((byte) 1);
      Stats s = new Stats(rounds);
      for (int r = 0; r < rounds; r++) {
        long off = (long) (r & 1023) * bytes;
        long t0 = System.nanoTime();
        MemorySegment.copy(src, 0, dst, ValueLayout.JAVA_BYTE, off, bytes);
        s.add(System.nanoTime() - t0);
      }
      return s.percentileMicros(0.5) * 1000;
    }
  }
}
