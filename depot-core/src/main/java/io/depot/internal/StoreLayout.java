package io.depot.internal;

import static io.depot.internal.HeaderDescriptor.*;

import io.depot.CorruptStoreException;
import io.depot.DepotOptions;
import io.depot.LayoutVersionException;

/**
 * Where every region of a store file is, computed from the few sizes in the header. Attaching
 * recomputes the layout from those sizes and requires the header's offsets and the file length to
 * match exactly, so a hostile or damaged header can never point a region outside the file.
 */
final class StoreLayout {
  private static final int REGION_ALIGN = 4096;

  final long pageCount;
  final int maxClients;
  final int handlesPerClient;
  final int maxObjects;
  final int bucketCount;
  final int classCount;

  final long clientTableOffset;
  final long journalOffset;
  final long bucketOffset;
  final long descriptorOffset;
  final long descriptorHintOffset;
  final long pageStateOffset;
  final long pageMapOffset;
  final long pageFreeBitsOffset;
  final long classTableOffset;
  final long arenaOffset;
  final long arenaLength;
  final long fileLength;

  StoreLayout(long pageCount, int maxClients, int handlesPerClient, int maxObjects) {
    this.pageCount = pageCount;
    this.maxClients = maxClients;
    this.handlesPerClient = handlesPerClient;
    this.maxObjects = maxObjects;
    this.bucketCount = Math.max(1024, Integer.highestOneBit(Math.max(1, maxObjects - 1)) << 1);
    this.classCount = SizeClasses.COUNT;
    long o = HEADER_LENGTH;
    clientTableOffset = o;
    o = align(o + (long) maxClients * ClientDescriptor.LENGTH, REGION_ALIGN);
    journalOffset = o;
    o = align(o + (long) maxClients * handlesPerClient * JournalDescriptor.LENGTH, REGION_ALIGN);
    bucketOffset = o;
    o = align(o + (long) bucketCount * BucketDescriptor.LENGTH, REGION_ALIGN);
    descriptorOffset = o;
    o = align(o + (long) maxObjects * ObjectDescriptor.LENGTH, REGION_ALIGN);
    descriptorHintOffset = o;
    o = align(o + 8L * Bitmaps.words(maxObjects), REGION_ALIGN);
    pageStateOffset = o;
    o = align(o + pageCount * PageDescriptor.STATE_LENGTH, REGION_ALIGN);
    pageMapOffset = o;
    o = align(o + pageCount * PageDescriptor.LENGTH, REGION_ALIGN);
    pageFreeBitsOffset = o;
    o = align(o + 8L * Bitmaps.words(pageCount), REGION_ALIGN);
    classTableOffset = o;
    o = align(o + (long) classCount * ClassDescriptor.LENGTH, SizeClasses.PAGE_SIZE);
    arenaOffset = o;
    arenaLength = pageCount << SizeClasses.PAGE_SHIFT;
    fileLength = arenaOffset + arenaLength;
  }

  /** The layout for a new store. */
  static StoreLayout forOptions(DepotOptions options) {
    long pages = SizeClasses.extentPages(options.capacity());
    if (pages > Integer.MAX_VALUE) {
      throw new io.depot.InvalidArgumentException(
          "capacity too large: capacity=" + io.depot.ByteSize.describe(options.capacity()));
    }
    return new StoreLayout(
        pages, options.maxClients(), options.maxHandlesPerClient(), options.maxObjects());
  }

  static long align(long value, long alignment) {
    return (value + alignment - 1) & -alignment;
  }

  /** Writes the header fields (everything but the magic, which the creator writes last). */
  void writeHeader(Mem mem, long storeId) {
    mem.putInt(LAYOUT_VERSION_OFFSET, LAYOUT_VERSION);
    mem.putInt(HEADER_LENGTH_OFFSET, HEADER_LENGTH);
    mem.putLong(FILE_LENGTH_OFFSET, fileLength);
    mem.putLong(ARENA_OFFSET_OFFSET, arenaOffset);
    mem.putLong(ARENA_LENGTH_OFFSET, arenaLength);
    mem.putInt(PAGE_SHIFT_OFFSET, SizeClasses.PAGE_SHIFT);
    mem.putInt(PAGE_COUNT_OFFSET, (int) pageCount);
    mem.putInt(MAX_CLIENTS_OFFSET, maxClients);
    mem.putInt(HANDLES_PER_CLIENT_OFFSET, handlesPerClient);
    mem.putInt(MAX_OBJECTS_OFFSET, maxObjects);
    mem.putInt(BUCKET_COUNT_OFFSET, bucketCount);
    mem.putInt(CLASS_COUNT_OFFSET, classCount);
    mem.putInt(FLAGS_OFFSET, 0);
    mem.putLong(CREATOR_PID_OFFSET, ProcessInfo.selfPid());
    mem.putLong(CREATED_MILLIS_OFFSET, System.currentTimeMillis());
    mem.putLong(STORE_ID_OFFSET, storeId);
    mem.putLong(CLIENT_TABLE_OFFSET_OFFSET, clientTableOffset);
    mem.putLong(JOURNAL_OFFSET_OFFSET, journalOffset);
    mem.putLong(BUCKET_OFFSET_OFFSET, bucketOffset);
    mem.putLong(DESCRIPTOR_OFFSET_OFFSET, descriptorOffset);
    mem.putLong(DESCRIPTOR_HINT_OFFSET_OFFSET, descriptorHintOffset);
    mem.putLong(PAGE_MAP_OFFSET_OFFSET, pageMapOffset);
    mem.putLong(PAGE_FREE_BITS_OFFSET_OFFSET, pageFreeBitsOffset);
    mem.putLong(CLASS_TABLE_OFFSET_OFFSET, classTableOffset);
    mem.putLong(PAGE_STATE_OFFSET_OFFSET, pageStateOffset);
  }

  /**
   * Reads and checks the header of a mapped file of {@code actualLength} bytes: magic, version,
   * then every size against its limit, then every offset and the file length against the layout
   * those sizes give.
   *
   * @throws CorruptStoreException naming the first field that is wrong
   */
  static StoreLayout readHeader(Mem mem, long actualLength, String path) {
    if (actualLength < HEADER_LENGTH) {
      throw new CorruptStoreException(
          "not a Depot store (truncated: "
              + actualLength
              + " bytes, header needs "
              + HEADER_LENGTH
              + "): "
              + path);
    }
    long magic = mem.getLongAcquire(MAGIC_OFFSET);
    if (magic != MAGIC) {
      throw new CorruptStoreException(
          "not a Depot store (magic=0x" + Long.toHexString(magic) + "): " + path);
    }
    int version = mem.getInt(LAYOUT_VERSION_OFFSET);
    if (version != LAYOUT_VERSION) {
      throw new LayoutVersionException(
          "store layout version="
              + version
              + ", this library reads version "
              + LAYOUT_VERSION
              + ": "
              + path);
    }
    check(
        mem.getInt(HEADER_LENGTH_OFFSET) == HEADER_LENGTH,
        "headerLength",
        mem.getInt(HEADER_LENGTH_OFFSET),
        path);
    check(
        mem.getInt(PAGE_SHIFT_OFFSET) == SizeClasses.PAGE_SHIFT,
        "pageShift",
        mem.getInt(PAGE_SHIFT_OFFSET),
        path);
    check(
        mem.getInt(CLASS_COUNT_OFFSET) == SizeClasses.COUNT,
        "classCount",
        mem.getInt(CLASS_COUNT_OFFSET),
        path);
    int pageCount = mem.getInt(PAGE_COUNT_OFFSET);
    int maxClients = mem.getInt(MAX_CLIENTS_OFFSET);
    int handles = mem.getInt(HANDLES_PER_CLIENT_OFFSET);
    int maxObjects = mem.getInt(MAX_OBJECTS_OFFSET);
    check(pageCount >= 1, "pageCount", pageCount, path);
    check(
        maxClients >= 1 && maxClients <= DepotOptions.MAX_CLIENTS, "maxClients", maxClients, path);
    check(handles >= 16 && handles <= DepotOptions.MAX_HANDLES, "handlesPerClient", handles, path);
    check(
        maxObjects >= 1 && maxObjects <= DepotOptions.MAX_OBJECTS, "maxObjects", maxObjects, path);
    StoreLayout l = new StoreLayout(pageCount, maxClients, handles, maxObjects);
    check(
        mem.getInt(BUCKET_COUNT_OFFSET) == l.bucketCount,
        "bucketCount",
        mem.getInt(BUCKET_COUNT_OFFSET),
        path);
    check(
        mem.getLong(FILE_LENGTH_OFFSET) == l.fileLength,
        "fileLength",
        mem.getLong(FILE_LENGTH_OFFSET),
        path);
    if (actualLength < l.fileLength) {
      throw new CorruptStoreException(
          "store file truncated: "
              + actualLength
              + " bytes, header says fileLength="
              + l.fileLength
              + ": "
              + path);
    }
    check(
        mem.getLong(ARENA_OFFSET_OFFSET) == l.arenaOffset,
        "arenaOffset",
        mem.getLong(ARENA_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(ARENA_LENGTH_OFFSET) == l.arenaLength,
        "arenaLength",
        mem.getLong(ARENA_LENGTH_OFFSET),
        path);
    check(
        mem.getLong(CLIENT_TABLE_OFFSET_OFFSET) == l.clientTableOffset,
        "clientTableOffset",
        mem.getLong(CLIENT_TABLE_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(JOURNAL_OFFSET_OFFSET) == l.journalOffset,
        "journalOffset",
        mem.getLong(JOURNAL_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(BUCKET_OFFSET_OFFSET) == l.bucketOffset,
        "bucketOffset",
        mem.getLong(BUCKET_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(DESCRIPTOR_OFFSET_OFFSET) == l.descriptorOffset,
        "descriptorOffset",
        mem.getLong(DESCRIPTOR_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(DESCRIPTOR_HINT_OFFSET_OFFSET) == l.descriptorHintOffset,
        "descriptorHintOffset",
        mem.getLong(DESCRIPTOR_HINT_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(PAGE_MAP_OFFSET_OFFSET) == l.pageMapOffset,
        "pageMapOffset",
        mem.getLong(PAGE_MAP_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(PAGE_FREE_BITS_OFFSET_OFFSET) == l.pageFreeBitsOffset,
        "pageFreeBitsOffset",
        mem.getLong(PAGE_FREE_BITS_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(CLASS_TABLE_OFFSET_OFFSET) == l.classTableOffset,
        "classTableOffset",
        mem.getLong(CLASS_TABLE_OFFSET_OFFSET),
        path);
    check(
        mem.getLong(PAGE_STATE_OFFSET_OFFSET) == l.pageStateOffset,
        "pageStateOffset",
        mem.getLong(PAGE_STATE_OFFSET_OFFSET),
        path);
    return l;
  }

  private static void check(boolean ok, String field, long value, String path) {
    if (!ok) {
      throw new CorruptStoreException("corrupt store header: " + field + "=" + value + ": " + path);
    }
  }

  long client(int slot) {
    return clientTableOffset + (long) slot * ClientDescriptor.LENGTH;
  }

  long journal(int slot, int entry) {
    return journalOffset + ((long) slot * handlesPerClient + entry) * JournalDescriptor.LENGTH;
  }

  long bucket(int index) {
    return bucketOffset + (long) index * BucketDescriptor.LENGTH;
  }

  long descriptor(int index) {
    return descriptorOffset + (long) index * ObjectDescriptor.LENGTH;
  }

  /** The page map entry of {@code page} (link, bits, hint: used for a run's head page). */
  long page(long page) {
    return pageMapOffset + page * PageDescriptor.LENGTH;
  }

  /** The state word of {@code page}. */
  long pageState(long page) {
    return pageStateOffset + page * PageDescriptor.STATE_LENGTH;
  }

  long pageAddress(long page) {
    return arenaOffset + (page << SizeClasses.PAGE_SHIFT);
  }

  long pageOf(long address) {
    return (address - arenaOffset) >>> SizeClasses.PAGE_SHIFT;
  }

  long sizeClass(int sizeClass) {
    return classTableOffset + (long) sizeClass * ClassDescriptor.LENGTH;
  }

  boolean isArenaAddress(long address) {
    return address >= arenaOffset && address < fileLength;
  }
}
