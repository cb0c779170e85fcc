package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * One bucket of the object directory: the head of a chain of descriptors whose names hash here, a
 * sequence number readers validate misses against (a seqlock), and the robust lock writers take to
 * change the chain.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Sequence (32): odd while a writer works          |   0  seq/head word
 *  |              Head: descriptor index + 1, 0 = empty (32)       |   4
 *  +---------------------------------------------------------------+
 *  |              Lock owner: client token, 0 = free (8)           |   8
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Chains only ever change by single stores (link at head, unlink by one pointer store), so a
 * chain is consistent at every instant, even when its writer is killed mid-change.
 */
final class BucketDescriptor {
  public static final int LENGTH = 16;
  public static final int SEQ_HEAD_OFFSET = 0;
  public static final int LOCK_OFFSET = SEQ_HEAD_OFFSET + 8;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(JAVA_LONG.withName("seqHead"), JAVA_LONG.withName("lock"));

  private BucketDescriptor() {}

  public static long word(long seq, int head) {
    return (seq << 32) | Integer.toUnsignedLong(head);
  }

  public static long seq(long word) {
    return word >>> 32;
  }

  public static int head(long word) {
    return (int) word;
  }

  public static boolean isWriting(long word) {
    return (seq(word) & 1) != 0;
  }
}
