package io.depot.stm.spi;

import java.lang.foreign.MemorySegment;

/** Heap copies that keep typed-array reads legal (8-byte aligned). */
public final class HeapCopy {
  private HeapCopy() {}

  /**
   * {@return an 8-byte-aligned heap segment of {@code size} bytes}
   *
   * @param size the segment's size in bytes
   */
  public static MemorySegment allocate(long size) {
    if (size > (long) Integer.MAX_VALUE * 8 - 64) {
      throw new io.depot.InvalidArgumentException("too large for the heap: size=" + size);
    }
    return MemorySegment.ofArray(new long[(int) ((size + 7) >>> 3)]).asSlice(0, size);
  }

  /**
   * {@return an aligned heap copy of {@code src}}
   *
   * @param src the bytes to copy
   */
  public static MemorySegment of(MemorySegment src) {
    MemorySegment copy = allocate(src.byteSize());
    copy.copyFrom(src);
    return copy;
  }

  /**
   * {@return an aligned heap copy of {@code bytes[offset, offset + length)}}
   *
   * @param bytes the array to copy from
   * @param offset the first byte copied
   * @param length how many bytes are copied
   */
  public static MemorySegment of(byte[] bytes, int offset, int length) {
    return of(MemorySegment.ofArray(bytes).asSlice(offset, length));
  }
}
