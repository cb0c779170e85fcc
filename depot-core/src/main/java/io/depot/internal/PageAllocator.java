package io.depot.internal;

import static io.depot.internal.HeaderDescriptor.*;

/**
 * Allocates runs of 64 KiB pages: large extents (one block each) and size-class spans.
 *
 * <p>The page map is the truth; the free-page bitmap (one bit per page, set = free) is an index
 * over it used for an address-ordered first-fit search, and the free-page count a statistic. Both
 * are rebuilt from the page map when the lock is taken over from a dead holder.
 *
 * <pre>
 * Concurrency: every method runs under the page lock (a robust lock in the header), which is short: a bitmap
 * search and a few stores. The holder records its operation (ALLOC or FREE, start, count, owner) in the intent
 * record before touching the page map, with a release fence in between, so that a taker-over can undo an ALLOC
 * or redo a FREE. Page map words are written with plain stores under the lock; lock-free readers (free() of a
 * block, stats) only read words of runs they own or tolerate stale values.
 * </pre>
 */
final class PageAllocator {
  static final long OP_NONE = 0;
  static final long OP_ALLOC = 1;
  static final long OP_FREE = 2;

  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;

  PageAllocator(Store store) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
  }

  void lock() {
    if (Locks.acquire(store, PAGE_LOCK_OFFSET)) {
      repair();
    }
  }

  void unlock() {
    Locks.release(store, PAGE_LOCK_OFFSET);
  }

  /** Takes the lock over from a dead holder if there is one, repairs, releases. */
  void repairIfAbandoned() {
    if (Locks.breakIfDead(store, PAGE_LOCK_OFFSET) != 0) {
      try {
        repair();
      } finally {
        unlock();
      }
    }
  }

  long freePages() {
    return mem.getLongOpaque(FREE_PAGES_OFFSET);
  }

  /**
   * Allocates an extent of {@code pages} pages for the descriptor at {@code descriptor} ({@code
   * ownerTag}), and records it in the descriptor's block fields before the lock is released.
   *
   * @return the extent's address, or -1 if no run of that length is free
   */
  long allocateExtent(long pages, long descriptor, long ownerTag) {
    lock();
    try {
      long start = findRun(pages);
      if (start < 0) {
        return -1;
      }
      intend(OP_ALLOC, start, pages, ownerTag);
      for (long p = start + 1; p < start + pages; p++) {
        mem.putLong(layout.pageState(p), PageDescriptor.word(PageDescriptor.LARGE_TAIL, 0, start));
      }
      long head = layout.page(start);
      mem.putLong(head + PageDescriptor.LINK_OFFSET, ownerTag);
      mem.putLong(layout.pageState(start), PageDescriptor.word(PageDescriptor.LARGE, 0, pages));
      takeRun(start, pages);
      long address = layout.pageAddress(start);
      mem.putLong(address + BlockHeaderDescriptor.OWNER_OFFSET, ownerTag);
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_SIZE_OFFSET, pages << SizeClasses.PAGE_SHIFT);
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_OFFSET, address);
      intendNothing();
      return address;
    } finally {
      unlock();
    }
  }

  /**
   * Frees the extent at {@code address}, owned by the descriptor at {@code descriptor}, and clears
   * the descriptor's block field before the lock is released (so a repeated free after a crash
   * finds nothing to free).
   */
  void freeExtent(long address, long descriptor) {
    long start = layout.pageOf(address);
    lock();
    try {
      long word = mem.getLong(layout.pageState(start));
      if (mem.getLong(descriptor + ObjectDescriptor.BLOCK_OFFSET) != address
          || PageDescriptor.state(word) != PageDescriptor.LARGE) {
        return; // already freed by a recovery
      }
      long pages = PageDescriptor.low(word);
      intend(OP_FREE, start, pages, mem.getLong(layout.page(start) + PageDescriptor.LINK_OFFSET));
      markFree(start, pages);
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_OFFSET, 0);
      intendNothing();
    } finally {
      unlock();
    }
  }

  /**
   * Allocates a span of {@code sizeClass}: the page words are written and the in-band bitmap zeroed
   * before the head page says SPAN. Called with the class lock held.
   *
   * @return the span's first page, or -1 if no run is free
   */
  long allocateSpan(int sizeClass) {
    long pages = SizeClasses.spanPages(sizeClass);
    lock();
    try {
      long start = findRun(pages);
      if (start < 0) {
        return -1;
      }
      intend(OP_ALLOC, start, pages, -1 - sizeClass);
      int inBand = SizeClasses.inBandBytes(sizeClass);
      if (inBand > 0) {
        mem.segment().asSlice(layout.pageAddress(start), inBand).fill((byte) 0);
      }
      for (long p = start + 1; p < start + pages; p++) {
        mem.putLong(layout.pageState(p), PageDescriptor.word(PageDescriptor.SPAN_TAIL, 0, start));
      }
      long head = layout.page(start);
      mem.putLong(head + PageDescriptor.LINK_OFFSET, 0);
      mem.putLong(head + PageDescriptor.BITS_OFFSET, 0);
      mem.putLong(head + PageDescriptor.HINT_OFFSET, 0);
      mem.putLong(layout.pageState(start), PageDescriptor.word(PageDescriptor.SPAN, sizeClass, 0));
      takeRun(start, pages);
      intendNothing();
      return start;
    } finally {
      unlock();
    }
  }

  /** Frees an empty span. Called with its class lock held. */
  void freeSpan(long start, int sizeClass) {
    long pages = SizeClasses.spanPages(sizeClass);
    lock();
    try {
      intend(OP_FREE, start, pages, -1 - sizeClass);
      markFree(start, pages);
      intendNothing();
    } finally {
      unlock();
    }
  }

  private void intend(long op, long start, long count, long owner) {
    mem.putLong(PAGE_INTENT_START_OFFSET, start);
    mem.putLong(PAGE_INTENT_COUNT_OFFSET, count);
    mem.putLong(PAGE_INTENT_OWNER_OFFSET, owner);
    mem.putLongRelease(PAGE_INTENT_OP_OFFSET, op);
    // The intent must be visible before any page word changes: a taker-over reads it to undo or
    // redo.
    java.lang.invoke.VarHandle.releaseFence();
  }

  private void intendNothing() {
    mem.putLongRelease(PAGE_INTENT_OP_OFFSET, OP_NONE);
  }

  private void markFree(long start, long pages) {
    // Only the head's link matters (spans' partial-list links, extents' owner); tails' links are
    // never read.
    mem.putLong(layout.page(start) + PageDescriptor.LINK_OFFSET, 0);
    for (long p = start; p < start + pages; p++) {
      mem.putLong(layout.pageState(p), PageDescriptor.word(PageDescriptor.FREE, 0, 0));
      setFreeBit(p, true);
    }
    mem.putLongOpaque(FREE_PAGES_OFFSET, mem.getLong(FREE_PAGES_OFFSET) + pages);
    if (start < mem.getLong(PAGE_CURSOR_OFFSET)) {
      mem.putLong(PAGE_CURSOR_OFFSET, start);
    }
  }

  private void takeRun(long start, long pages) {
    for (long p = start; p < start + pages; p++) {
      setFreeBit(p, false);
    }
    mem.putLongOpaque(FREE_PAGES_OFFSET, mem.getLong(FREE_PAGES_OFFSET) - pages);
    if (start == mem.getLong(PAGE_CURSOR_OFFSET)) {
      mem.putLong(
          PAGE_CURSOR_OFFSET, start + pages); // may be pageCount: the arena is full up to its end
    }
  }

  private void setFreeBit(long page, boolean free) {
    Bitmaps.put(mem, layout.pageFreeBitsOffset, page, free);
  }

  /**
   * Address-ordered first fit: the lowest run of {@code pages} free pages. First fit keeps
   * fragmentation low and hands a just-freed extent to the next allocation of its size, whose pages
   * are then likely still in the CPU caches (a queue whose consumer keeps up recycles a few extents
   * instead of sweeping the arena). The search starts at the cursor, the lowest page that may be
   * free (every page below it is taken; the cursor moves down on free and up when its page is
   * taken), so a full low part of the arena is not rescanned.
   */
  private long findRun(long pages) {
    if (pages > layout.pageCount || pages > mem.getLong(FREE_PAGES_OFFSET)) {
      return -1;
    }
    long cursor = mem.getLong(PAGE_CURSOR_OFFSET);
    if (cursor < 0 || cursor > layout.pageCount) {
      cursor =
          0; // damaged hint: it only narrows the search, so scanning from the start is always right
    }
    long found = findRun(cursor, layout.pageCount, pages);
    if (found < 0 && cursor > 0) {
      cursor = 0; // a hint left wrong by damage must not make a store that has room report full
      found = findRun(0, layout.pageCount, pages);
    }
    if (found >= 0) {
      long lowest = nextFree(cursor, layout.pageCount);
      mem.putLong(PAGE_CURSOR_OFFSET, lowest < 0 ? layout.pageCount : lowest);
    }
    return found;
  }

  private long findRun(long from, long to, long pages) {
    long p = from;
    while (p < to) {
      p = nextFree(p, to);
      if (p < 0) {
        return -1;
      }
      long end = nextTaken(p, Math.min(to, p + pages));
      if (end - p >= pages) {
        return p;
      }
      p = end;
    }
    return -1;
  }

  /** First free page in [from, to), or -1. */
  private long nextFree(long from, long to) {
    return Bitmaps.nextSet(mem, layout.pageFreeBitsOffset, from, to);
  }

  /** First taken page in [from, to), or {@code to}. */
  private long nextTaken(long from, long to) {
    long p = Bitmaps.nextClear(mem, layout.pageFreeBitsOffset, from, to);
    return p < 0 ? to : p;
  }

  /**
   * Undo an ALLOC or redo a FREE left by a dead holder, then rebuild the index. Called holding the
   * lock.
   */
  void repair() {
    long op = mem.getLongAcquire(PAGE_INTENT_OP_OFFSET);
    long start = mem.getLong(PAGE_INTENT_START_OFFSET);
    long count = mem.getLong(PAGE_INTENT_COUNT_OFFSET);
    long owner = mem.getLong(PAGE_INTENT_OWNER_OFFSET);
    if ((op == OP_ALLOC || op == OP_FREE)
        && start >= 0
        && count > 0
        && count <= layout.pageCount - start) {
      if (op == OP_ALLOC && owner >= 0) {
        // An extent for a WRITE descriptor of the dead holder: forget the block so its recovery
        // does not free it.
        int index = (int) owner;
        if (index >= 0 && index < layout.maxObjects) {
          long d = layout.descriptor(index);
          if (mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET) == layout.pageAddress(start)) {
            mem.putLong(d + ObjectDescriptor.BLOCK_OFFSET, 0);
          }
        }
      }
      mem.putLong(layout.page(start) + PageDescriptor.LINK_OFFSET, 0);
      for (long p = start; p < start + count; p++) {
        mem.putLong(layout.pageState(p), PageDescriptor.word(PageDescriptor.FREE, 0, 0));
      }
    }
    intendNothing();
    rebuildIndex();
    store.counters.lockRepairs.increment();
  }

  /** Rebuilds the free-page bitmap and count from the page map. */
  void rebuildIndex() {
    rebuildIndex(mem, layout);
  }

  /**
   * Rebuilds the free-page bitmap and count of the store mapped at {@code mem} from its page map.
   */
  static void rebuildIndex(Mem mem, StoreLayout layout) {
    long free = 0;
    long words = Bitmaps.words(layout.pageCount);
    for (long w = 0; w < words; w++) {
      long bits = 0;
      for (int b = 0; b < 64; b++) {
        long p = (w << 6) + b;
        if (p >= layout.pageCount) {
          break;
        }
        if (PageDescriptor.state(mem.getLong(layout.pageState(p))) == PageDescriptor.FREE) {
          bits |= 1L << b;
          free++;
        }
      }
      mem.putLong(layout.pageFreeBitsOffset + w * 8, bits);
    }
    mem.putLongOpaque(FREE_PAGES_OFFSET, free);
    mem.putLong(PAGE_CURSOR_OFFSET, 0);
  }

  /** The longest run of free pages (a statistic; read without the lock). */
  long largestFreeRun() {
    long best = 0;
    long run = 0;
    for (long p = 0; p < layout.pageCount; p++) {
      if (Bitmaps.getOpaque(mem, layout.pageFreeBitsOffset, p)) {
        run++;
        best = Math.max(best, run);
      } else {
        run = 0;
      }
    }
    return best;
  }
}
