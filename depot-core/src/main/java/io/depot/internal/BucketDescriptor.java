package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * One bucket of the object directory: the head of a chain of descriptors whose names hash here, a
 * sequence number readers validate misses against (a seqlock), and the robust lock writers take to
 * change the chain, and a hint for readers: the block of the chain's head.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |              Sequence (32): odd while a writer works          |   0  seq/head word
 *  |              Head: descriptor index + 1, 0 = empty (32)       |   4
 *  +---------------------------------------------------------------+
 *  |              Lock owner: client token, 0 = free (64)          |   8
 *  +---------------------------------------------------------------+
 *  |              Head's block: its offset in the file, 0 = none   |  16
 *  |              (64), a hint                                     |
 *  +---------------------------------------------------------------+
 *  |              Reserved (64)                                    |  24
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Chains only ever change by single stores (link at head, unlink by one pointer store), so a
 * chain is consistent at every instant, even when its writer is killed mid-change.
 *
 * <p>The head's block lets a reader start loading the head's name from memory while it loads the
 * head's descriptor, instead of after it: two dependent cache misses per lookup, not three. Every
 * writer that changes the head stores it before the release store that publishes the head. Readers
 * trust nothing it says: it only lets them reject a head whose block it is and whose name starts
 * otherwise, so that a wrong or stale hint (a damaged file, a writer killed before its release
 * store) costs time, never an answer.
 */
final class BucketDescriptor {
  public static final int LENGTH = 32;
  public static final int SEQ_HEAD_OFFSET = 0;
  public static final int LOCK_OFFSET = SEQ_HEAD_OFFSET + 8;
  public static final int HEAD_BLOCK_OFFSET = LOCK_OFFSET + 8;
  public static final int RESERVED_OFFSET = HEAD_BLOCK_OFFSET + 8;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("seqHead"),
          JAVA_LONG.withName("lock"),
          JAVA_LONG.withName("headBlock"),
          JAVA_LONG.withName("reserved"));

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
