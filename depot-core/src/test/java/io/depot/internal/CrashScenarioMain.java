package io.depot.internal;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.ObjectHandle;
import io.depot.WriteClaim;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * Child process for the crash tests: gets into one precise state, prints READY, then waits to be killed.
 *
 * <ul>
 *   <li>{@code claim}: an uncommitted claim (WRITE block, reserved name);
 *   <li>{@code hold}: two handles open on object {@code obj};
 *   <li>{@code entry}: an uncommitted queue entry claimed at the head of queue {@code q};
 *   <li>{@code pop}: an entry popped from queue {@code q} and held;
 *   <li>{@code class-lock}: in the middle of a slot allocation: class lock held, intent recorded, slot bit set,
 *       descriptor pointing at the block;
 *   <li>{@code page-lock}: in the middle of an extent allocation: page lock held, intent recorded, pages marked;
 *   <li>{@code bucket-lock}: a bucket lock held with its sequence odd, mid-removal of {@code obj} (retired, not yet
 *       unlinked).
 * </ul>
 */
public final class CrashScenarioMain {
  private CrashScenarioMain() {}

  public static void main(String[] args) throws Exception {
    String storeName = args[0];
    String scenario = args[1];
    Depot depot = Depot.open(storeName);
    Store store = ((ShmDepot) depot).store();
    Mem mem = store.mem;
    Object keep = null;
    switch (scenario) {
      case "claim" -> {
        WriteClaim c = depot.claim("half", 500_000);
        c.segment().fill((byte) 7);
        keep = c;
      }
      case "hold" -> {
        ObjectHandle a = depot.get("obj");
        ObjectHandle b = depot.get("obj");
        keep = new Object[] {a, b};
      }
      case "entry" -> {
        DepotQueue q = depot.openQueue("q");
        EntryClaim c = q.tryCreateEntry().orElseThrow();
        keep = new Object[] {q, c};
      }
      case "pop" -> {
        DepotQueue q = depot.openQueue("q");
        Entry e = q.pop(Duration.ofSeconds(10));
        keep = new Object[] {q, e};
      }
      case "class-lock" -> {
        // claim a descriptor as a put would, then stop inside the slot allocation, just after setting the bit
        int keeper = store.directory.claim(); // a block of the same class keeps the span allocated, as it would be
        long kd = store.layout.descriptor(keeper);
        store.blocks.allocate(1024, kd, ObjectDescriptor.ownerTag(keeper,
            ObjectDescriptor.generation(mem.getLongAcquire(kd + ObjectDescriptor.CTL_OFFSET))));
        int index = store.directory.claim();
        long d = store.layout.descriptor(index);
        int gen = ObjectDescriptor.generation(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
        long tag = ObjectDescriptor.ownerTag(index, gen);
        int c = SizeClasses.classFor(1024);
        long address = store.blocks.allocate(1024, d, tag); // a real allocation first: the slot to take again
        store.blocks.free(d);
        long cls = store.layout.sizeClass(c);
        Locks.acquire(store, cls + ClassDescriptor.LOCK_OFFSET);
        long span = store.layout.pageOf(address);
        int slot = (int) ((address - store.layout.pageAddress(span) - SizeClasses.inBandBytes(c)) / SizeClasses.size(c));
        mem.putLong(cls + ClassDescriptor.INTENT_SPAN_OFFSET, span);
        mem.putLong(cls + ClassDescriptor.INTENT_SLOT_OFFSET, slot);
        mem.putLong(cls + ClassDescriptor.INTENT_OWNER_OFFSET, tag);
        mem.putLongRelease(cls + ClassDescriptor.INTENT_OP_OFFSET, BlockAllocator.OP_ALLOC);
        long bits = store.layout.page(span) + PageDescriptor.BITS_OFFSET;
        if (SizeClasses.inBandBytes(c) == 0) {
          mem.putLong(bits, mem.getLong(bits) | (1L << slot));
        }
        mem.putLong(d + ObjectDescriptor.BLOCK_OFFSET, address);
      }
      case "page-lock" -> {
        int index = store.directory.claim();
        long d = store.layout.descriptor(index);
        int gen = ObjectDescriptor.generation(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
        long tag = ObjectDescriptor.ownerTag(index, gen);
        Locks.acquire(store, HeaderDescriptor.PAGE_LOCK_OFFSET);
        long start = 3; // pages 3..6 are free in the test's store
        mem.putLong(HeaderDescriptor.PAGE_INTENT_START_OFFSET, start);
        mem.putLong(HeaderDescriptor.PAGE_INTENT_COUNT_OFFSET, 4);
        mem.putLong(HeaderDescriptor.PAGE_INTENT_OWNER_OFFSET, tag);
        mem.putLongRelease(HeaderDescriptor.PAGE_INTENT_OP_OFFSET, PageAllocator.OP_ALLOC);
        for (long p = start + 1; p < start + 4; p++) {
          mem.putLong(store.layout.pageState(p),
              PageDescriptor.word(PageDescriptor.LARGE_TAIL, 0, start));
        }
        mem.putLong(store.layout.pageState(start),
            PageDescriptor.word(PageDescriptor.LARGE, 0, 4));
        mem.putLong(d + ObjectDescriptor.BLOCK_OFFSET, store.layout.pageAddress(start));
      }
      case "bucket-lock" -> {
        byte[] key = Names.encode("obj");
        long hash = Names.hash(key);
        long bucket = store.directory.bucketOf(hash);
        Locks.acquire(store, bucket + BucketDescriptor.LOCK_OFFSET);
        long w = mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
        mem.putLongVolatile(bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
            BucketDescriptor.word(BucketDescriptor.seq(w) | 1, BucketDescriptor.head(w)));
        long found = store.directory.lookup(key, hash);
        long d = store.layout.descriptor((int) found);
        long c = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
        // retired (no readers: FREEING, owned by this client) but still linked
        mem.compareAndSetLong(d + ObjectDescriptor.CTL_OFFSET, c,
            ObjectDescriptor.with(c, ObjectDescriptor.FREEING, store.token));
      }
      default -> throw new IllegalArgumentException(scenario);
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(600_000);
    System.out.println(keep); // never reached; keeps the handles reachable
    MemorySegment.ofArray(new byte[0]);
  }
}
