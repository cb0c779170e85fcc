package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * One entry of the size-class table: a class's robust lock, the intent record its holder keeps, the
 * head of its list of spans with free slots, and its counters. Two cache lines, so classes never
 * share one.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Lock owner: client token (8)                 |   0
 *  |                  Intent: operation (8)                        |   8
 *  |                  Intent: span head page (8)                   |  16
 *  |                  Intent: slot (8)                             |  24
 *  |                  Intent: owner tag (8)                        |  32
 *  |                  Partial list head: page + 1 (8)              |  40
 *  |                  Spans of this class (8)                      |  48
 *  |                  Used slots (8)                               |  56
 *  |                  (padding)                                    |  64..127
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class ClassDescriptor {
  public static final int LENGTH = 128;
  public static final int LOCK_OFFSET = 0;
  public static final int INTENT_OP_OFFSET = LOCK_OFFSET + 8;
  public static final int INTENT_SPAN_OFFSET = INTENT_OP_OFFSET + 8;
  public static final int INTENT_SLOT_OFFSET = INTENT_SPAN_OFFSET + 8;
  public static final int INTENT_OWNER_OFFSET = INTENT_SLOT_OFFSET + 8;
  public static final int PARTIAL_HEAD_OFFSET = INTENT_OWNER_OFFSET + 8;
  public static final int SPANS_OFFSET = PARTIAL_HEAD_OFFSET + 8;
  public static final int USED_OFFSET = SPANS_OFFSET + 8;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("lock"),
          JAVA_LONG.withName("intentOp"),
          JAVA_LONG.withName("intentSpan"),
          JAVA_LONG.withName("intentSlot"),
          JAVA_LONG.withName("intentOwner"),
          JAVA_LONG.withName("partialHead"),
          JAVA_LONG.withName("spans"),
          JAVA_LONG.withName("used"),
          MemoryLayout.paddingLayout(LENGTH - USED_OFFSET - 8));

  private ClassDescriptor() {}
}
