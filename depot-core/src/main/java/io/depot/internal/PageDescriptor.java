package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * One entry of the page map: the state of one 64 KiB page of the arena.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+-------+---------------+-------------------------------+
 *  | State |  (0)  |  Class (8)    |         (0)                   |   0  word 0, high
 *  +-------+-------+---------------+-------------------------------+
 *  |  SPAN: used slots | LARGE: run pages | TAIL: head page (32)   |   4  word 0, low
 *  +---------------------------------------------------------------+
 *  |  SPAN: prev + 1 (32), next + 1 (32) in its class's partial    |   8  word 1
 *  |        list | LARGE: owner tag (descriptor generation, index)  |
 *  +---------------------------------------------------------------+
 *  |  SPAN: slot bitmap when the span has at most 64 slots         |  16  word 2
 *  +---------------------------------------------------------------+
 *  |  SPAN: first slot that may be free (search hint)              |  24  word 3
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>States: {@code FREE}; {@code SPAN} (head page of a size-class span); {@code SPAN_TAIL}; {@code LARGE} (head of
 * a large extent); {@code LARGE_TAIL}. The page map is the truth about pages; the free-page bitmap and the partial
 * lists are indexes rebuilt from it after a crash.
 */
public final class PageDescriptor {
  public static final int LENGTH = 32;
  public static final int STATE_OFFSET = 0;
  public static final int LINK_OFFSET = STATE_OFFSET + 8;
  public static final int BITS_OFFSET = LINK_OFFSET + 8;
  public static final int HINT_OFFSET = BITS_OFFSET + 8;

  public static final int FREE = 0;
  public static final int SPAN = 1;
  public static final int SPAN_TAIL = 2;
  public static final int LARGE = 3;
  public static final int LARGE_TAIL = 4;

  private static final int STATE_SHIFT = 60;
  private static final int CLASS_SHIFT = 48;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("state"), JAVA_LONG.withName("link"), JAVA_LONG.withName("bits"),
          JAVA_LONG.withName("hint"));

  private PageDescriptor() {}

  public static long word(int state, int sizeClass, long low) {
    return ((long) state << STATE_SHIFT) | ((long) (sizeClass & 0xFF) << CLASS_SHIFT) | (low & 0xFFFF_FFFFL);
  }

  public static int state(long word) {
    return (int) (word >>> STATE_SHIFT);
  }

  public static int sizeClass(long word) {
    return (int) ((word >>> CLASS_SHIFT) & 0xFF);
  }

  public static long low(long word) {
    return word & 0xFFFF_FFFFL;
  }

  public static long link(int prevPlusOne, int nextPlusOne) {
    return ((long) prevPlusOne << 32) | Integer.toUnsignedLong(nextPlusOne);
  }

  public static int prev(long link) {
    return (int) (link >>> 32);
  }

  public static int next(long link) {
    return (int) link;
  }
}
