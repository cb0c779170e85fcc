package io.depot.internal;

import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.ObjectHandle;
import io.depot.WriteClaim;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child process for the crash tests: gets into one precise state, prints READY, then waits to be
 * killed. Arguments: the store name, the scenario, and the scenario's parameters.
 *
 * <ul>
 *   <li>{@code claim NAME SIZE}: an uncommitted claim of SIZE bytes (WRITE block, reserved name);
 *   <li>{@code claim-array NAME ELEMENTS}: an uncommitted claim of a float64 array;
 *   <li>{@code claims PREFIX COUNT SIZE}: COUNT uncommitted claims named PREFIX0, PREFIX1, ...;
 *   <li>{@code hold NAME COUNT}: COUNT handles open on object NAME;
 *   <li>{@code hold-all PREFIX COUNT}: one handle open on each of PREFIX0 .. PREFIX(COUNT-1);
 *   <li>{@code entry}: an uncommitted queue entry claimed at the tail of queue {@code q};
 *   <li>{@code pop}: an entry popped from queue {@code q} and held;
 *   <li>{@code read}: entry 0 of queue {@code q} read in place and held;
 *   <li>{@code attach COUNT}: COUNT attachments to the store (each takes a client slot);
 *   <li>{@code class-lock}: in the middle of a slot allocation: class lock held, intent recorded,
 *       slot bit set, descriptor pointing at the block;
 *   <li>{@code page-lock}: in the middle of an extent allocation: page lock held, intent recorded,
 *       pages marked;
 *   <li>{@code bucket-lock}: a bucket lock held with its sequence odd, mid-removal of {@code obj}
 *       (retired, not yet unlinked).
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
    List<Object> keep = new ArrayList<>();
    switch (scenario) {
      case "claim" -> {
        WriteClaim c = depot.claim(args[2], Long.parseLong(args[3]));
        c.segment().fill((byte) 7);
        keep.add(c);
      }
      case "claim-array" ->
          keep.add(depot.claimArray(args[2], DType.FLOAT64, Long.parseLong(args[3])));
      case "claims" -> {
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
          keep.add(depot.claim(args[2] + i, Long.parseLong(args[4])));
        }
      }
      case "hold" -> {
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
          keep.add(depot.get(args[2]));
        }
      }
      case "hold-all" -> {
        for (int i = 0; i < Integer.parseInt(args[3]); i++) {
          ObjectHandle h = depot.get(args[2] + i);
          keep.add(h);
        }
      }
      case "entry" -> {
        DepotQueue q = depot.openQueue("q");
        EntryClaim c = q.tryCreateEntry().orElseThrow();
        keep.add(q);
        keep.add(c);
      }
      case "read" -> {
        DepotQueue q = depot.openQueue("q");
        Entry e = q.read(0);
        keep.add(q);
        keep.add(e);
      }
      case "pop" -> {
        DepotQueue q = depot.openQueue("q");
        Entry e = q.pop(Duration.ofSeconds(10));
        System.out.println("POPPED " + e.sequence());
        keep.add(q);
        keep.add(e);
      }
      case "attach" -> {
        for (int i = 1; i < Integer.parseInt(args[2]); i++) {
          keep.add(Depot.open(storeName));
        }
      }
      case "class-lock" -> {
        // claim a descriptor as a put would, then stop inside the slot allocation, just after
        // setting the bit
        int keeper =
            store.directory
                .claim(); // a block of the same class keeps the span allocated, as it would be
        long kd = store.layout.descriptor(keeper);
        store.blocks.allocate(
            1024,
            kd,
            ObjectDescriptor.ownerTag(
                keeper,
                ObjectDescriptor.generation(mem.getLongAcquire(kd + ObjectDescriptor.CTL_OFFSET))));
        int index = store.directory.claim();
        long d = store.layout.descriptor(index);
        int gen = ObjectDescriptor.generation(mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET));
        long tag = ObjectDescriptor.ownerTag(index, gen);
        int c = SizeClasses.classFor(1024);
        long address =
            store.blocks.allocate(1024, d, tag); // a real allocation first: the slot to take again
        store.blocks.free(d);
        long cls = store.layout.sizeClass(c);
        Locks.acquire(store, cls + ClassDescriptor.LOCK_OFFSET);
        long span = store.layout.pageOf(address);
        int slot =
            (int)
                ((address - store.layout.pageAddress(span) - SizeClasses.inBandBytes(c))
                    / SizeClasses.size(c));
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
          mem.putLong(
              store.layout.pageState(p), PageDescriptor.word(PageDescriptor.LARGE_TAIL, 0, start));
        }
        mem.putLong(store.layout.pageState(start), PageDescriptor.word(PageDescriptor.LARGE, 0, 4));
        mem.putLong(d + ObjectDescriptor.BLOCK_OFFSET, store.layout.pageAddress(start));
      }
      case "bucket-lock" -> {
        byte[] key = Names.encode("obj");
        long hash = Names.hash(key);
        long bucket = store.directory.bucketOf(hash);
        Locks.acquire(store, bucket + BucketDescriptor.LOCK_OFFSET);
        long w = mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
        mem.putLongVolatile(
            bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
            BucketDescriptor.word(BucketDescriptor.seq(w) | 1, BucketDescriptor.head(w)));
        long found = store.directory.lookup(key, hash);
        long d = store.layout.descriptor(ObjectDescriptor.ownerIndex(found));
        long c = mem.getLongAcquire(d + ObjectDescriptor.CTL_OFFSET);
        // retired (no readers: FREEING, owned by this client) but still linked
        mem.compareAndSetLong(
            d + ObjectDescriptor.CTL_OFFSET,
            c,
            ObjectDescriptor.with(c, ObjectDescriptor.FREEING, store.token));
      }
      default -> throw new IllegalArgumentException(scenario);
    }
    System.out.println("READY");
    System.out.flush();
    Thread.sleep(600_000);
    System.out.println(keep); // never reached; keeps the handles reachable
  }
}
