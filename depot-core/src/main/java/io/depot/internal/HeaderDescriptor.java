package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The store file's header, at offset 0, and the map of the whole file.
 *
 * <pre>
 * The store file (every region starts on a 4 KiB boundary; the arena on a 64 KiB boundary)
 * +--------------------------------------------------------------+ 0
 * | Header (4 KiB): magic, version, sizes, region offsets,       |
 * |   the page-allocator lock, the store's global counters       |
 * +--------------------------------------------------------------+ CLIENT_TABLE_OFFSET
 * | Client table: maxClients x 128 B  ({@link ClientDescriptor})   |
 * +--------------------------------------------------------------+ JOURNAL_OFFSET
 * | Handle journals: maxClients x handlesPerClient x 8 B         |
 * |   ({@link JournalDescriptor})                                |
 * +--------------------------------------------------------------+ BUCKET_OFFSET
 * | Directory buckets: bucketCount x 32 B ({@link BucketDescriptor}) |
 * +--------------------------------------------------------------+ DESCRIPTOR_OFFSET
 * | Object descriptors: maxObjects x 64 B ({@link ObjectDescriptor}) |
 * +--------------------------------------------------------------+ DESCRIPTOR_HINT_OFFSET
 * | Free-descriptor hint bitmap: ceil(maxObjects / 64) x 8 B     |
 * +--------------------------------------------------------------+ PAGE_STATE_OFFSET
 * | Page states: pageCount x 8 B ({@link PageDescriptor})          |
 * +--------------------------------------------------------------+ PAGE_MAP_OFFSET
 * | Page map: pageCount x 24 B ({@link PageDescriptor})            |
 * +--------------------------------------------------------------+ PAGE_FREE_BITS_OFFSET
 * | Free-page bitmap: ceil(pageCount / 64) x 8 B                 |
 * +--------------------------------------------------------------+ CLASS_TABLE_OFFSET
 * | Size-class table: classCount x 128 B ({@link ClassDescriptor}) |
 * +--------------------------------------------------------------+ ARENA_OFFSET
 * | Arena: pageCount x 64 KiB pages, carved into size-class      |
 * |   spans and large extents; every block starts with a         |
 * |   {@link BlockHeaderDescriptor}                              |
 * +--------------------------------------------------------------+ FILE_LENGTH
 * </pre>
 *
 * <pre>
 * Header
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                     Magic "DEPOTSHM" (8)                      |   0
 *  +-------------------------------+-------------------------------+
 *  |        Layout version         |         Header length         |   8
 *  +-------------------------------+-------------------------------+
 *  |                        File length (8)                        |  16
 *  |                       Arena offset (8)                        |  24
 *  |                       Arena length (8)                        |  32
 *  +-------------------------------+-------------------------------+
 *  |          Page shift           |          Page count           |  40
 *  |          Max clients          |      Handles per client       |  48
 *  |          Max objects          |         Bucket count          |  56
 *  |          Class count          |             Flags             |  64
 *  +-------------------------------+-------------------------------+
 *  |  Creator pid (8) | Created millis (8) | Store id (8)          |  72..95
 *  |  Region offsets: clients, journals, buckets, descriptors,     |  96..167
 *  |    descriptor hints, page map, page free bits, class table,   |
 *  |    page states                                                |
 *  +---------------------------------------------------------------+
 *  |  Page-allocator lock: owner, intent op, 3 intent args,        | 256..383
 *  |    first-fit cursor, free page count                          |
 *  +---------------------------------------------------------------+
 *  |  Commit signal: event count (4) | sleeping get waiters (4),    | 384
 *  |    on its own cache line                                      |
 *  +---------------------------------------------------------------+
 *  |  Recovery sweep lease: System.nanoTime() until which the last   | 512
 *  |    sweeper holds it (8), on its own cache line                |
 *  +---------------------------------------------------------------+
 *  |  Retired clients' puts, gets, removes (8 each)                | 640
 *  +---------------------------------------------------------------+
 *  |  Huge prefix (8): every whole huge page of the file below it    | 768
 *  |    has been collapsed (0: none known)                         |
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class HeaderDescriptor {
  /** "DEPOTSHM" read as a little-endian long. */
  public static final long MAGIC = 0x4d4853544f504544L;

  /** Incremented on every incompatible layout change. */
  public static final int LAYOUT_VERSION = 3;

  public static final int HEADER_LENGTH = 4096;

  public static final int MAGIC_OFFSET = 0;
  public static final int LAYOUT_VERSION_OFFSET = MAGIC_OFFSET + 8;
  public static final int HEADER_LENGTH_OFFSET = LAYOUT_VERSION_OFFSET + 4;
  public static final int FILE_LENGTH_OFFSET = HEADER_LENGTH_OFFSET + 4;
  public static final int ARENA_OFFSET_OFFSET = FILE_LENGTH_OFFSET + 8;
  public static final int ARENA_LENGTH_OFFSET = ARENA_OFFSET_OFFSET + 8;
  public static final int PAGE_SHIFT_OFFSET = ARENA_LENGTH_OFFSET + 8;
  public static final int PAGE_COUNT_OFFSET = PAGE_SHIFT_OFFSET + 4;
  public static final int MAX_CLIENTS_OFFSET = PAGE_COUNT_OFFSET + 4;
  public static final int HANDLES_PER_CLIENT_OFFSET = MAX_CLIENTS_OFFSET + 4;
  public static final int MAX_OBJECTS_OFFSET = HANDLES_PER_CLIENT_OFFSET + 4;
  public static final int BUCKET_COUNT_OFFSET = MAX_OBJECTS_OFFSET + 4;
  public static final int CLASS_COUNT_OFFSET = BUCKET_COUNT_OFFSET + 4;
  public static final int FLAGS_OFFSET = CLASS_COUNT_OFFSET + 4;
  public static final int CREATOR_PID_OFFSET = FLAGS_OFFSET + 4;
  public static final int CREATED_MILLIS_OFFSET = CREATOR_PID_OFFSET + 8;
  public static final int STORE_ID_OFFSET = CREATED_MILLIS_OFFSET + 8;
  public static final int CLIENT_TABLE_OFFSET_OFFSET = STORE_ID_OFFSET + 8;
  public static final int JOURNAL_OFFSET_OFFSET = CLIENT_TABLE_OFFSET_OFFSET + 8;
  public static final int BUCKET_OFFSET_OFFSET = JOURNAL_OFFSET_OFFSET + 8;
  public static final int DESCRIPTOR_OFFSET_OFFSET = BUCKET_OFFSET_OFFSET + 8;
  public static final int DESCRIPTOR_HINT_OFFSET_OFFSET = DESCRIPTOR_OFFSET_OFFSET + 8;
  public static final int PAGE_MAP_OFFSET_OFFSET = DESCRIPTOR_HINT_OFFSET_OFFSET + 8;
  public static final int PAGE_FREE_BITS_OFFSET_OFFSET = PAGE_MAP_OFFSET_OFFSET + 8;
  public static final int CLASS_TABLE_OFFSET_OFFSET = PAGE_FREE_BITS_OFFSET_OFFSET + 8;
  public static final int PAGE_STATE_OFFSET_OFFSET = CLASS_TABLE_OFFSET_OFFSET + 8;
  static final int FIELDS_END = PAGE_STATE_OFFSET_OFFSET + 8;

  /** The page allocator's robust lock and its intent record (two cache lines of their own). */
  public static final int PAGE_LOCK_OFFSET = 256;

  public static final int PAGE_INTENT_OP_OFFSET = PAGE_LOCK_OFFSET + 8;
  public static final int PAGE_INTENT_START_OFFSET = PAGE_INTENT_OP_OFFSET + 8;
  public static final int PAGE_INTENT_COUNT_OFFSET = PAGE_INTENT_START_OFFSET + 8;
  public static final int PAGE_INTENT_OWNER_OFFSET = PAGE_INTENT_COUNT_OFFSET + 8;
  public static final int PAGE_CURSOR_OFFSET = PAGE_INTENT_OWNER_OFFSET + 8;
  public static final int FREE_PAGES_OFFSET = PAGE_CURSOR_OFFSET + 8;

  /**
   * The commit signal: an event count ({@link Waiter}) that a commit of a named object signals when
   * a {@code get} with a timeout sleeps on it.
   */
  public static final int COMMIT_SIGNAL_OFFSET = 384;

  /**
   * The recovery sweep's lease: the {@code System.nanoTime()} (CLOCK_MONOTONIC, one clock for every
   * process of the machine) until which the process that last swept the store holds it; see {@link
   * Recovery}.
   */
  public static final int SWEEP_LEASE_OFFSET = 512;

  /**
   * Operation counts of the clients whose slots were reused: puts, gets, removes (one long each). A
   * slot keeps its process's counts after it detaches; the next process to take the slot adds them
   * here before it zeroes them, so that these plus every slot's counts are the store's totals since
   * it was created.
   */
  public static final int RETIRED_PUTS_OFFSET = 640;

  public static final int RETIRED_GETS_OFFSET = RETIRED_PUTS_OFFSET + 8;
  public static final int RETIRED_REMOVES_OFFSET = RETIRED_GETS_OFFSET + 8;

  /**
   * How far from the start the file's pages are huge pages: the pre-fault that collapses the huge
   * page at this offset ({@code MADV_COLLAPSE}, see {@code StoreFile.prefault}) advances it by one
   * huge page with a CAS, so every whole huge page below it has been collapsed. A process that
   * attaches maps those with one fault each and need not pre-fault them. Zero in a new file and in
   * files of earlier builds (nothing known); advisory only: a huge page the kernel splits later
   * (swapping shmem) costs first touches again, never correctness.
   */
  public static final int HUGE_PREFIX_OFFSET = 768;

  public static final StructLayout LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("magic"),
          JAVA_INT.withName("layoutVersion"),
          JAVA_INT.withName("headerLength"),
          JAVA_LONG.withName("fileLength"),
          JAVA_LONG.withName("arenaOffset"),
          JAVA_LONG.withName("arenaLength"),
          JAVA_INT.withName("pageShift"),
          JAVA_INT.withName("pageCount"),
          JAVA_INT.withName("maxClients"),
          JAVA_INT.withName("handlesPerClient"),
          JAVA_INT.withName("maxObjects"),
          JAVA_INT.withName("bucketCount"),
          JAVA_INT.withName("classCount"),
          JAVA_INT.withName("flags"),
          JAVA_LONG.withName("creatorPid"),
          JAVA_LONG.withName("createdMillis"),
          JAVA_LONG.withName("storeId"),
          JAVA_LONG.withName("clientTableOffset"),
          JAVA_LONG.withName("journalOffset"),
          JAVA_LONG.withName("bucketOffset"),
          JAVA_LONG.withName("descriptorOffset"),
          JAVA_LONG.withName("descriptorHintOffset"),
          JAVA_LONG.withName("pageMapOffset"),
          JAVA_LONG.withName("pageFreeBitsOffset"),
          JAVA_LONG.withName("classTableOffset"),
          JAVA_LONG.withName("pageStateOffset"),
          MemoryLayout.paddingLayout(PAGE_LOCK_OFFSET - FIELDS_END),
          JAVA_LONG.withName("pageLock"),
          JAVA_LONG.withName("pageIntentOp"),
          JAVA_LONG.withName("pageIntentStart"),
          JAVA_LONG.withName("pageIntentCount"),
          JAVA_LONG.withName("pageIntentOwner"),
          JAVA_LONG.withName("pageCursor"),
          JAVA_LONG.withName("freePages"),
          MemoryLayout.paddingLayout(COMMIT_SIGNAL_OFFSET - FREE_PAGES_OFFSET - 8),
          JAVA_INT.withName("commitSignal"),
          JAVA_INT.withName("commitSleepers"),
          MemoryLayout.paddingLayout(SWEEP_LEASE_OFFSET - COMMIT_SIGNAL_OFFSET - 8),
          JAVA_LONG.withName("sweepLease"),
          MemoryLayout.paddingLayout(RETIRED_PUTS_OFFSET - SWEEP_LEASE_OFFSET - 8),
          JAVA_LONG.withName("retiredPuts"),
          JAVA_LONG.withName("retiredGets"),
          JAVA_LONG.withName("retiredRemoves"),
          MemoryLayout.paddingLayout(HUGE_PREFIX_OFFSET - RETIRED_REMOVES_OFFSET - 8),
          JAVA_LONG.withName("hugePrefix"),
          MemoryLayout.paddingLayout(HEADER_LENGTH - HUGE_PREFIX_OFFSET - 8));

  private HeaderDescriptor() {}
}
