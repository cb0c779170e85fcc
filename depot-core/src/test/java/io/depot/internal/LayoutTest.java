package io.depot.internal;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.*;

import io.depot.DepotOptions;
import java.lang.foreign.StructLayout;
import org.junit.jupiter.api.Test;

/** Every descriptor's MemoryLayout agrees with its named offsets, and the file layout is sound. */
class LayoutTest {
  private static void at(StructLayout layout, String field, long offset) {
    assertEquals(offset, layout.byteOffset(groupElement(field)), field);
  }

  @Test
  void header() {
    StructLayout l = HeaderDescriptor.LAYOUT;
    assertEquals(HeaderDescriptor.HEADER_LENGTH, l.byteSize());
    at(l, "magic", HeaderDescriptor.MAGIC_OFFSET);
    at(l, "layoutVersion", HeaderDescriptor.LAYOUT_VERSION_OFFSET);
    at(l, "fileLength", HeaderDescriptor.FILE_LENGTH_OFFSET);
    at(l, "arenaOffset", HeaderDescriptor.ARENA_OFFSET_OFFSET);
    at(l, "pageCount", HeaderDescriptor.PAGE_COUNT_OFFSET);
    at(l, "maxObjects", HeaderDescriptor.MAX_OBJECTS_OFFSET);
    at(l, "classTableOffset", HeaderDescriptor.CLASS_TABLE_OFFSET_OFFSET);
    at(l, "pageStateOffset", HeaderDescriptor.PAGE_STATE_OFFSET_OFFSET);
    at(l, "pageLock", HeaderDescriptor.PAGE_LOCK_OFFSET);
    at(l, "freePages", HeaderDescriptor.FREE_PAGES_OFFSET);
    at(l, "commitSignal", HeaderDescriptor.COMMIT_SIGNAL_OFFSET);
    at(l, "sweepLease", HeaderDescriptor.SWEEP_LEASE_OFFSET);
    at(l, "retiredPuts", HeaderDescriptor.RETIRED_PUTS_OFFSET);
    at(l, "retiredRemoves", HeaderDescriptor.RETIRED_REMOVES_OFFSET);
    assertEquals(
        0, HeaderDescriptor.PAGE_LOCK_OFFSET % 128, "the page lock has cache lines of its own");
  }

  @Test
  void records() {
    at(ClientDescriptor.LAYOUT, "state", ClientDescriptor.STATE_OFFSET);
    at(ClientDescriptor.LAYOUT, "recounting", ClientDescriptor.RECOUNTING_OFFSET);
    at(ClientDescriptor.LAYOUT, "puts", ClientDescriptor.PUTS_OFFSET);
    assertEquals(ClientDescriptor.LENGTH, ClientDescriptor.LAYOUT.byteSize());
    at(BucketDescriptor.LAYOUT, "seqHead", BucketDescriptor.SEQ_HEAD_OFFSET);
    at(BucketDescriptor.LAYOUT, "lock", BucketDescriptor.LOCK_OFFSET);
    at(BucketDescriptor.LAYOUT, "headBlock", BucketDescriptor.HEAD_BLOCK_OFFSET);
    at(BucketDescriptor.LAYOUT, "reserved", BucketDescriptor.RESERVED_OFFSET);
    assertEquals(BucketDescriptor.LENGTH, BucketDescriptor.LAYOUT.byteSize());
    StructLayout o = ObjectDescriptor.LAYOUT;
    assertEquals(ObjectDescriptor.LENGTH, o.byteSize());
    at(o, "ctl", ObjectDescriptor.CTL_OFFSET);
    at(o, "next", ObjectDescriptor.NEXT_OFFSET);
    at(o, "nameLength", ObjectDescriptor.NAME_LENGTH_OFFSET);
    at(o, "kind", ObjectDescriptor.KIND_OFFSET);
    at(o, "flags", ObjectDescriptor.FLAGS_OFFSET);
    at(o, "hash", ObjectDescriptor.HASH_OFFSET);
    at(o, "block", ObjectDescriptor.BLOCK_OFFSET);
    at(o, "blockSize", ObjectDescriptor.BLOCK_SIZE_OFFSET);
    at(o, "dataLength", ObjectDescriptor.DATA_LENGTH_OFFSET);
    at(o, "aux", ObjectDescriptor.AUX_OFFSET);
    at(o, "commitSeq", ObjectDescriptor.COMMIT_SEQ_OFFSET);
    assertEquals(PageDescriptor.LENGTH, PageDescriptor.LAYOUT.byteSize());
    at(PageDescriptor.LAYOUT, "link", PageDescriptor.LINK_OFFSET);
    at(PageDescriptor.LAYOUT, "bits", PageDescriptor.BITS_OFFSET);
    at(PageDescriptor.LAYOUT, "hint", PageDescriptor.HINT_OFFSET);
    assertEquals(ClassDescriptor.LENGTH, ClassDescriptor.LAYOUT.byteSize());
    at(ClassDescriptor.LAYOUT, "lock", ClassDescriptor.LOCK_OFFSET);
    at(ClassDescriptor.LAYOUT, "partialHead", ClassDescriptor.PARTIAL_HEAD_OFFSET);
    at(ClassDescriptor.LAYOUT, "used", ClassDescriptor.USED_OFFSET);
    at(BlockHeaderDescriptor.FIXED_LAYOUT, "owner", BlockHeaderDescriptor.OWNER_OFFSET);
    at(
        BlockHeaderDescriptor.FIXED_LAYOUT,
        "headerLength",
        BlockHeaderDescriptor.HEADER_LENGTH_OFFSET);
    at(BlockHeaderDescriptor.FIXED_LAYOUT, "dataLength", BlockHeaderDescriptor.DATA_LENGTH_OFFSET);
    assertEquals(BlockHeaderDescriptor.NAME_OFFSET, BlockHeaderDescriptor.FIXED_LAYOUT.byteSize());
  }

  @Test
  void queueRecords() {
    StructLayout h = QueueDescriptor.HEADER_LAYOUT;
    assertEquals(QueueDescriptor.TRACKS_OFFSET, h.byteSize());
    at(h, "magic", QueueDescriptor.MAGIC_OFFSET);
    at(h, "capacity", QueueDescriptor.CAPACITY_OFFSET);
    at(h, "trackCount", QueueDescriptor.TRACK_COUNT_OFFSET);
    at(h, "entryStride", QueueDescriptor.ENTRY_LENGTH_OFFSET);
    at(h, "queueVersion", QueueDescriptor.QUEUE_VERSION_OFFSET);
    at(h, "overflow", QueueDescriptor.OVERFLOW_OFFSET);
    StructLayout t = QueueDescriptor.TRACK_LAYOUT;
    assertEquals(QueueDescriptor.TRACK_LENGTH, t.byteSize());
    at(t, "nameLength", QueueDescriptor.TRACK_NAME_LENGTH_OFFSET);
    at(t, "kind", QueueDescriptor.TRACK_IS_ARRAY_OFFSET);
    at(t, "dtype", QueueDescriptor.TRACK_DTYPE_OFFSET);
    at(t, "ndim", QueueDescriptor.TRACK_NDIM_OFFSET);
    at(t, "dataOffset", QueueDescriptor.TRACK_DATA_OFFSET_OFFSET);
    at(t, "size", QueueDescriptor.TRACK_SIZE_OFFSET);
    at(t, "shape", QueueDescriptor.TRACK_SHAPE_OFFSET);
    at(t, "name", QueueDescriptor.TRACK_NAME_OFFSET);
    StructLayout s = QueueDescriptor.SLOT_LAYOUT;
    assertEquals(QueueDescriptor.SLOT_LENGTH, s.byteSize());
    at(s, "ctl", QueueDescriptor.SLOT_CTL_OFFSET);
    at(s, "pins", QueueDescriptor.SLOT_PINS_OFFSET);
    StructLayout r = QueueDescriptor.SHAPE_RECORD_LAYOUT;
    assertEquals(QueueDescriptor.SHAPE_RECORD_LENGTH, r.byteSize());
    assertEquals(0, QueueDescriptor.SHAPE_RECORD_LENGTH % 64, "track data stays 64-byte aligned");
    at(r, "extents", 8);
    // the shared words each on lines of their own, in order, the slots after them
    long[] words = {
      QueueDescriptor.headOffset(3),
      QueueDescriptor.tailOffset(3),
      QueueDescriptor.notEmptyOffset(3),
      QueueDescriptor.notFullOffset(3),
      QueueDescriptor.redeliveriesOffset(3),
      QueueDescriptor.publishedOffset(3),
      QueueDescriptor.slotsOffset(3)
    };
    assertTrue(words[0] >= QueueDescriptor.TRACKS_OFFSET + 3L * QueueDescriptor.TRACK_LENGTH);
    for (int i = 0; i < words.length; i++) {
      assertEquals(0, words[i] % QueueDescriptor.LINE, "line " + i);
      if (i > 0) {
        assertEquals(QueueDescriptor.LINE, words[i] - words[i - 1], "line " + i);
      }
    }
    assertEquals(QueueDescriptor.publishedOffset(3) + 8, QueueDescriptor.droppedOffset(3));
    assertEquals(0, QueueDescriptor.entriesOffset(3, 5) % 64);
  }

  @Test
  void ctlWordRoundTrips() {
    long c = ObjectDescriptor.ctl(ObjectDescriptor.GEN_MASK, ObjectDescriptor.ZOMBIE, 0xFFFF_FFFFL);
    assertEquals(ObjectDescriptor.GEN_MASK, ObjectDescriptor.generation(c));
    assertEquals(ObjectDescriptor.ZOMBIE, ObjectDescriptor.state(c));
    assertEquals(0xFFFF_FFFFL, ObjectDescriptor.count(c));
    assertFalse(ObjectDescriptor.recounting(c));
    assertTrue(ObjectDescriptor.recounting(c | ObjectDescriptor.RECOUNT));
    assertEquals(
        ObjectDescriptor.FREEING,
        ObjectDescriptor.state(ObjectDescriptor.with(c, ObjectDescriptor.FREEING, 7)));
    long token = ClientDescriptor.token(4094, (1 << ClientDescriptor.GEN_BITS) - 1);
    assertEquals(4094, ClientDescriptor.slotOf(token));
    assertEquals((1 << ClientDescriptor.GEN_BITS) - 1, ClientDescriptor.generationOf(token));
    long slot = QueueDescriptor.ctl(QueueDescriptor.LAP_MASK, QueueDescriptor.REMOVING, token);
    assertEquals(QueueDescriptor.LAP_MASK, QueueDescriptor.lap(slot));
    assertEquals(QueueDescriptor.REMOVING, QueueDescriptor.state(slot));
    assertEquals(token, QueueDescriptor.token(slot));
  }

  @Test
  void regionsAreOrderedAlignedAndInsideTheFile() {
    StoreLayout l = StoreLayout.forOptions(DepotOptions.builder().capacity(64L << 20).build());
    long[] regions = {
      HeaderDescriptor.HEADER_LENGTH,
      l.clientTableOffset,
      l.journalOffset,
      l.bucketOffset,
      l.descriptorOffset,
      l.descriptorHintOffset,
      l.pageStateOffset,
      l.pageMapOffset,
      l.pageFreeBitsOffset,
      l.classTableOffset,
      l.arenaOffset,
      l.fileLength
    };
    for (int i = 1; i < regions.length; i++) {
      assertTrue(regions[i] >= regions[i - 1], "region " + i + " out of order");
      assertEquals(0, regions[i] % 4096, "region " + i + " not page aligned");
    }
    assertEquals(0, l.arenaOffset % SizeClasses.PAGE_SIZE);
    assertEquals(l.arenaOffset + l.arenaLength, l.fileLength);
    assertEquals(1 << 14, l.maxObjects);
    assertTrue(Integer.bitCount(l.bucketCount) == 1 && l.bucketCount >= l.maxObjects);
  }

  @Test
  void sizeClassesCoverEverySmallSize() {
    for (long size = 1; size <= SizeClasses.MAX_SMALL; size += 37) {
      int c = SizeClasses.classFor(size);
      assertTrue(SizeClasses.size(c) >= size);
      assertTrue(c == 0 || SizeClasses.size(c - 1) < size, "smallest fitting class for " + size);
      assertTrue(SizeClasses.slots(c) >= 8, "a span holds at least 8 slots");
      assertTrue(
          (long) SizeClasses.slots(c) * SizeClasses.size(c) + SizeClasses.inBandBytes(c)
              <= (long) SizeClasses.spanPages(c) * SizeClasses.PAGE_SIZE);
      assertTrue(
          SizeClasses.size(c) <= 512 || SizeClasses.size(c) < 1.26 * size,
          "waste above 512 B under 25%");
    }
    assertEquals(-1, SizeClasses.classFor(SizeClasses.MAX_SMALL + 1));
    assertEquals(44, SizeClasses.COUNT);
  }
}
