package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The page map: for each 64 KiB page of the arena, a state word (in a dense array of its own, 8
 * bytes per page, so that marking the pages of a large extent touches as few cache lines as
 * possible) and an entry of three words that only a run's head page uses.
 *
 * <pre>
 * State word (page state array)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-------+-------+---------------+-------------------------------+
 *  | State |  (0)  |  Class (8)    |         (0)                   |   high word
 *  +-------+-------+---------------+-------------------------------+
 *  |  SPAN: used slots | LARGE: run pages | TAIL: head page (32)   |   low word
 *  +---------------------------------------------------------------+
 *
 * Page entry (page map), read only for a run's head page
 *  +---------------------------------------------------------------+
 *  |  SPAN: prev + 1 (32), next + 1 (32) in its class's partial    |   0  link
 *  |        list | LARGE: owner tag (descriptor generation, index)  |
 *  +---------------------------------------------------------------+
 *  |  SPAN: slot bitmap when the span has at most 64 slots         |   8  bits
 *  +---------------------------------------------------------------+
 *  |  SPAN: first slot that may be free (search hint)              |  16  hint
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>States: {@code FREE}; {@code SPAN} (head page of a size-class span); {@code SPAN_TAIL}; {@code
 * LARGE} (head of a large extent); {@code LARGE_TAIL}. The page map is the truth about pages; the
 * free-page bitmap and the partial lists are indexes rebuilt from it after a crash.
 */
final class PageDescriptor {
  public static final int LENGTH = 24;
  public static final int STATE_LENGTH = 8;
  public static final int LINK_OFFSET = 0;
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
          JAVA_LONG.withName("link"), JAVA_LONG.withName("bits"), JAVA_LONG.withName("hint"));

  private PageDescriptor() {}

  public static long word(int state, int sizeClass, long low) {
    return ((long) state << STATE_SHIFT)
        | ((long) (sizeClass & 0xFF) << CLASS_SHIFT)
        | (low & 0xFFFF_FFFFL);
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
