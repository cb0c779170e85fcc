package io.depot.internal;

import static io.depot.internal.ClassDescriptor.*;

/**
 * Allocates blocks: from size-class spans up to {@link SizeClasses#MAX_SMALL} bytes, as page
 * extents above (and as a fallback when a class cannot get a new span). Freed slots are reused by
 * their class; a span whose last slot is freed goes back to the page allocator at once, so a
 * drained store has all its pages free and contiguous again.
 *
 * <pre>
 * Concurrency: each class has its own robust lock (so writers of different sizes never contend) and keeps its
 * intent record next to it. Under the lock: the slot bitmap, the span's used count and the class's partial list
 * change with plain stores; the block's owner is recorded in the descriptor's BLOCK field before the lock is
 * released, so every allocated block is reachable from a descriptor whenever no lock is held. A taker-over undoes
 * an ALLOC (the dead holder's descriptor is being abandoned) or redoes a FREE, then rebuilds the class's counts and
 * partial list from the slot bitmaps, which are the truth. Lock order: class lock, then page lock.
 * </pre>
 */
final class BlockAllocator {
  static final long OP_NONE = 0;
  static final long OP_ALLOC = 1;
  static final long OP_FREE = 2;

  private final Store store;
  private final Mem mem;
  private final StoreLayout layout;
  private final PageAllocator pages;

  BlockAllocator(Store store, PageAllocator pages) {
    this.store = store;
    this.mem = store.mem;
    this.layout = store.layout;
    this.pages = pages;
  }

  /**
   * Allocates a block of at least {@code blockSize} bytes for the descriptor at {@code descriptor},
   * recording its address and size there.
   *
   * @return the block's address, or -1 if the arena has no room
   */
  long allocate(long blockSize, long descriptor, long ownerTag) {
    int c = SizeClasses.classFor(blockSize);
    if (c >= 0) {
      long address = allocateSlot(c, descriptor, ownerTag);
      if (address >= 0) {
        return address;
      }
    }
    return pages.allocateExtent(SizeClasses.extentPages(blockSize), descriptor, ownerTag);
  }

  /** Frees the block recorded in the descriptor at {@code descriptor}; a no-op if it has none. */
  void free(long descriptor) {
    long address = mem.getLong(descriptor + ObjectDescriptor.BLOCK_OFFSET);
    if (address == 0 || !layout.isArenaAddress(address)) {
      return;
    }
    long page = layout.pageOf(address);
    long word = mem.getLong(layout.pageState(page));
    int state = PageDescriptor.state(word);
    if (state == PageDescriptor.SPAN_TAIL) {
      page = PageDescriptor.low(word);
      if (page >= layout.pageCount) {
        throw new io.depot.CorruptStoreException(
            "span tail page points at head page=" + page + " beyond the arena: " + store.path);
      }
      word = mem.getLong(layout.pageState(page));
      state = PageDescriptor.state(word);
    }
    if (state == PageDescriptor.SPAN) {
      freeSlot(PageDescriptor.sizeClass(word), page, address, descriptor);
    } else if (state == PageDescriptor.LARGE) {
      pages.freeExtent(address, descriptor);
    }
  }

  private void lock(int c) {
    if (Locks.acquire(store, layout.sizeClass(c) + LOCK_OFFSET)) {
      repair(c);
    }
  }

  private void unlock(int c) {
    Locks.release(store, layout.sizeClass(c) + LOCK_OFFSET);
  }

  /** Takes over the class locks held by dead clients, repairing each. */
  void repairAbandoned() {
    pages.repairIfAbandoned();
    for (int c = 0; c < layout.classCount; c++) {
      if (Locks.breakIfDead(store, layout.sizeClass(c) + LOCK_OFFSET) != 0) {
        try {
          repair(c);
        } finally {
          unlock(c);
        }
      }
    }
  }

  private long allocateSlot(int c, long descriptor, long ownerTag) {
    long cls = layout.sizeClass(c);
    lock(c);
    try {
      int head = (int) mem.getLong(cls + PARTIAL_HEAD_OFFSET);
      long span;
      if (head == 0) {
        span = pages.allocateSpan(c);
        if (span < 0) {
          return -1;
        }
        linkPartial(c, span);
        mem.putLong(cls + SPANS_OFFSET, mem.getLong(cls + SPANS_OFFSET) + 1);
      } else {
        span = head - 1L;
      }
      long pe = layout.page(span);
      int slots = SizeClasses.slots(c);
      int slot = findClearBit(c, span, (int) mem.getLong(pe + PageDescriptor.HINT_OFFSET), slots);
      long address = slotAddress(c, span, slot);
      intend(cls, OP_ALLOC, span, slot, ownerTag);
      setBit(c, span, slot, true);
      long word = mem.getLong(layout.pageState(span));
      long used = PageDescriptor.low(word) + 1;
      mem.putLong(layout.pageState(span), PageDescriptor.word(PageDescriptor.SPAN, c, used));
      mem.putLong(pe + PageDescriptor.HINT_OFFSET, slot + 1);
      if (used == slots) {
        unlinkPartial(c, span);
      }
      mem.putLong(cls + USED_OFFSET, mem.getLong(cls + USED_OFFSET) + 1);
      mem.putLong(address + BlockHeaderDescriptor.OWNER_OFFSET, ownerTag);
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_SIZE_OFFSET, SizeClasses.size(c));
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_OFFSET, address);
      intendNothing(cls);
      return address;
    } finally {
      unlock(c);
    }
  }

  private void freeSlot(int c, long span, long address, long descriptor) {
    long cls = layout.sizeClass(c);
    lock(c);
    try {
      long pe = layout.page(span);
      long word = mem.getLong(layout.pageState(span));
      if (mem.getLong(descriptor + ObjectDescriptor.BLOCK_OFFSET) != address
          || PageDescriptor.state(word) != PageDescriptor.SPAN
          || PageDescriptor.sizeClass(word) != c) {
        return; // already freed by a recovery
      }
      int slot =
          (int)
              ((address - layout.pageAddress(span) - SizeClasses.inBandBytes(c))
                  / SizeClasses.size(c));
      intend(cls, OP_FREE, span, slot, mem.getLong(address + BlockHeaderDescriptor.OWNER_OFFSET));
      if (!getBit(c, span, slot)) {
        mem.putLong(descriptor + ObjectDescriptor.BLOCK_OFFSET, 0);
        intendNothing(cls);
        return;
      }
      setBit(c, span, slot, false);
      mem.putLong(descriptor + ObjectDescriptor.BLOCK_OFFSET, 0);
      int slots = SizeClasses.slots(c);
      long used = PageDescriptor.low(word) - 1;
      mem.putLong(layout.pageState(span), PageDescriptor.word(PageDescriptor.SPAN, c, used));
      if (slot < mem.getLong(pe + PageDescriptor.HINT_OFFSET)) {
        mem.putLong(pe + PageDescriptor.HINT_OFFSET, slot);
      }
      mem.putLong(cls + USED_OFFSET, mem.getLong(cls + USED_OFFSET) - 1);
      if (used + 1 == slots) {
        linkPartial(c, span);
      }
      if (used == 0) {
        unlinkPartial(c, span);
        mem.putLong(cls + SPANS_OFFSET, mem.getLong(cls + SPANS_OFFSET) - 1);
        pages.freeSpan(span, c);
      }
      intendNothing(cls);
    } finally {
      unlock(c);
    }
  }

  long slotAddress(int c, long span, int slot) {
    return layout.pageAddress(span)
        + SizeClasses.inBandBytes(c)
        + (long) slot * SizeClasses.size(c);
  }

  private void intend(long cls, long op, long span, long slot, long owner) {
    mem.putLong(cls + INTENT_SPAN_OFFSET, span);
    mem.putLong(cls + INTENT_SLOT_OFFSET, slot);
    mem.putLong(cls + INTENT_OWNER_OFFSET, owner);
    mem.putLongRelease(cls + INTENT_OP_OFFSET, op);
    // The intent must be visible before the bitmap changes: a taker-over reads it to undo or redo.
    java.lang.invoke.VarHandle.releaseFence();
  }

  private void intendNothing(long cls) {
    mem.putLongRelease(cls + INTENT_OP_OFFSET, OP_NONE);
  }

  // ---- slot bitmaps (in-band at the span's start, or word 2 of the head page entry)

  /**
   * Where a span's slot bitmap starts: word 2 of its head page entry (at most 64 slots), or the
   * span's start.
   */
  private long bitmap(int c, long span) {
    return SizeClasses.inBandBytes(c) == 0
        ? layout.page(span) + PageDescriptor.BITS_OFFSET
        : layout.pageAddress(span);
  }

  boolean getBit(int c, long span, int slot) {
    return Bitmaps.get(mem, bitmap(c, span), slot);
  }

  private void setBit(int c, long span, int slot, boolean value) {
    Bitmaps.put(mem, bitmap(c, span), slot, value);
  }

  private int findClearBit(int c, long span, int hint, int slots) {
    int from = hint >= 0 && hint < slots ? hint : 0;
    int slot = clearBitIn(c, span, from, slots);
    if (slot < 0) {
      slot = clearBitIn(c, span, 0, from);
    }
    if (slot < 0) {
      throw new InvariantViolation(
          "span " + span + " of class " + c + " on the partial list is full");
    }
    return slot;
  }

  /** The first clear slot bit in {@code [from, to)}, or -1. */
  private int clearBitIn(int c, long span, int from, int to) {
    return (int) Bitmaps.nextClear(mem, bitmap(c, span), from, to);
  }

  /** Used slots of a span, counted from its bitmap. */
  int countBits(int c, long span) {
    return (int) Bitmaps.count(mem, bitmap(c, span), SizeClasses.slots(c));
  }

  // ---- partial list (doubly linked through the head pages' link words)

  private void linkPartial(int c, long span) {
    long cls = layout.sizeClass(c);
    int head = (int) mem.getLong(cls + PARTIAL_HEAD_OFFSET);
    mem.putLong(layout.page(span) + PageDescriptor.LINK_OFFSET, PageDescriptor.link(0, head));
    if (head != 0) {
      long he = layout.page(head - 1) + PageDescriptor.LINK_OFFSET;
      mem.putLong(he, PageDescriptor.link((int) span + 1, PageDescriptor.next(mem.getLong(he))));
    }
    mem.putLong(cls + PARTIAL_HEAD_OFFSET, span + 1);
  }

  private void unlinkPartial(int c, long span) {
    long cls = layout.sizeClass(c);
    long link = mem.getLong(layout.page(span) + PageDescriptor.LINK_OFFSET);
    int prev = PageDescriptor.prev(link);
    int next = PageDescriptor.next(link);
    if (prev != 0) {
      long pe = layout.page(prev - 1) + PageDescriptor.LINK_OFFSET;
      mem.putLong(pe, PageDescriptor.link(PageDescriptor.prev(mem.getLong(pe)), next));
    } else if (mem.getLong(cls + PARTIAL_HEAD_OFFSET) == span + 1) {
      mem.putLong(cls + PARTIAL_HEAD_OFFSET, next);
    }
    if (next != 0) {
      long ne = layout.page(next - 1) + PageDescriptor.LINK_OFFSET;
      mem.putLong(ne, PageDescriptor.link(prev, PageDescriptor.next(mem.getLong(ne))));
    }
    mem.putLong(layout.page(span) + PageDescriptor.LINK_OFFSET, 0);
  }

  /**
   * Undo an ALLOC or redo a FREE of a dead holder, then rebuild the class from its bitmaps. Holding
   * the lock.
   */
  private void repair(int c) {
    pages.lock(); // repairs the page allocator first if its holder died too
    pages.unlock();
    long cls = layout.sizeClass(c);
    long op = mem.getLongAcquire(cls + INTENT_OP_OFFSET);
    long span = mem.getLong(cls + INTENT_SPAN_OFFSET);
    long slot = mem.getLong(cls + INTENT_SLOT_OFFSET);
    long owner = mem.getLong(cls + INTENT_OWNER_OFFSET);
    if ((op == OP_ALLOC || op == OP_FREE)
        && span >= 0
        && span < layout.pageCount
        && slot >= 0
        && slot < SizeClasses.slots(c)) {
      long word = mem.getLong(layout.pageState(span));
      if (PageDescriptor.state(word) == PageDescriptor.SPAN
          && PageDescriptor.sizeClass(word) == c) {
        setBit(c, span, (int) slot, false);
        long address = slotAddress(c, span, (int) slot);
        int index = (int) owner;
        if (owner >= 0 && index >= 0 && index < layout.maxObjects) {
          long d = layout.descriptor(index);
          if (mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET) == address) {
            mem.putLong(d + ObjectDescriptor.BLOCK_OFFSET, 0);
          }
        }
      }
    }
    intendNothing(cls);
    rebuild(c);
    store.counters.lockRepairs.increment();
  }

  /**
   * Recomputes a class's used counts, span count and partial list from the page map and the
   * bitmaps.
   */
  private void rebuild(int c) {
    long cls = layout.sizeClass(c);
    mem.putLong(cls + PARTIAL_HEAD_OFFSET, 0);
    long spans = 0;
    long usedTotal = 0;
    int slots = SizeClasses.slots(c);
    for (long p = 0; p < layout.pageCount; p++) {
      long e = layout.page(p);
      long word = mem.getLong(layout.pageState(p));
      if (PageDescriptor.state(word) != PageDescriptor.SPAN
          || PageDescriptor.sizeClass(word) != c) {
        continue;
      }
      int used = countBits(c, p);
      mem.putLong(layout.pageState(p), PageDescriptor.word(PageDescriptor.SPAN, c, used));
      mem.putLong(e + PageDescriptor.LINK_OFFSET, 0);
      mem.putLong(e + PageDescriptor.HINT_OFFSET, 0);
      spans++;
      usedTotal += used;
      if (used < slots) {
        linkPartial(c, p);
      }
    }
    mem.putLong(cls + SPANS_OFFSET, spans);
    mem.putLong(cls + USED_OFFSET, usedTotal);
  }

  /** Free bytes inside spans (free slots), read without locks. */
  long freeSlotBytes() {
    long bytes = 0;
    for (int c = 0; c < layout.classCount; c++) {
      long cls = layout.sizeClass(c);
      long spans = mem.getLongOpaque(cls + SPANS_OFFSET);
      long used = mem.getLongOpaque(cls + USED_OFFSET);
      bytes += Math.max(0, spans * SizeClasses.slots(c) - used) * SizeClasses.size(c);
    }
    return bytes;
  }
}
