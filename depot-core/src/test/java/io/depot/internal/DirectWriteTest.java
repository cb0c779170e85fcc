package io.depot.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Mem#copyIn}: while a background pre-fault has not reached a block, a large copy into it is
 * written with {@code pwrite} through a second descriptor of the file (what the mapping then reads,
 * in this process and in others, is the value); small copies, and copies below the pre-fault's
 * frontier, go through the mapping.
 */
class DirectWriteTest {
  private static final long SIZE = 8L << 20;

  @Test
  void largeCopiesBeyondThePrefaultAreWrittenByTheKernelAndReadThroughTheMapping()
      throws Exception {
    Path file = Files.createTempFile(Path.of("/dev/shm"), "depot-direct", ".bin");
    try (FileChannel ch =
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Arena arena = Arena.ofShared()) {
      ch.truncate(SIZE);
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), SIZE - 1);
      Mem mem = new Mem(ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena));
      int fd = Native.openReadWrite(file);
      assertTrue(fd >= 0, "the store file opens a second time for pwrite");
      mem.untouchedFrom(0, fd);
      try {
        SplittableRandom r = new SplittableRandom(7);
        // a heap array, unaligned, larger than one pwrite call (1 MiB)
        byte[] heap = random(r, (3 << 20) + 123);
        long at = 3 * 4096 + 64;
        assertEquals(
            heap.length,
            Native.pwrite(fd, MemorySegment.ofArray(heap), at),
            "pwrite writes it all");
        byte[] other = random(r, heap.length);
        mem.copyIn(MemorySegment.ofArray(other), at);
        assertArrayEquals(
            other, mem.segment().asSlice(at, other.length).toArray(ValueLayout.JAVA_BYTE));
        // native memory as the source
        MemorySegment nat = arena.allocate(200_000);
        nat.copyFrom(MemorySegment.ofArray(random(r, 200_000)));
        mem.copyIn(nat, 5L << 20);
        assertEquals(-1, nat.mismatch(mem.segment().asSlice(5L << 20, 200_000)));
        // small: through the mapping
        byte[] small = random(r, 100);
        mem.copyIn(MemorySegment.ofArray(small), 7L << 20);
        assertArrayEquals(
            small, mem.segment().asSlice(7L << 20, 100).toArray(ValueLayout.JAVA_BYTE));
        // behind the frontier: through the mapping too; the file (another view of it) agrees either
        // way
        mem.touched(Long.MAX_VALUE);
        byte[] touched = random(r, 64 * 1024);
        mem.copyIn(MemorySegment.ofArray(touched), 6L << 20);
        java.nio.ByteBuffer back = java.nio.ByteBuffer.allocate(touched.length);
        ch.read(back, 6L << 20);
        assertArrayEquals(touched, back.array());
        back = java.nio.ByteBuffer.allocate(other.length);
        ch.read(back, at);
        assertArrayEquals(other, back.array());
      } finally {
        Native.close(fd);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static byte[] random(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) r.nextInt();
    }
    return b;
  }
}
