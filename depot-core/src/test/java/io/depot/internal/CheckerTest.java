package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.CheckReport;
import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.ObjectHandle;
import io.depot.TestStores;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The invariant checker finds each kind of damage (injected directly into the mapped file). */
class CheckerTest {

  private static String damaged(Consumer<Store> damage) {
    String name = TestStores.uniqueName("checker");
    try (Depot d = Depot.create(name, TestStores.small().build())) {
      d.put("a", new byte[100]);
      d.put("b", new byte[70_000]);
      try (DepotQueue q = d.createQueue("q", 4, Track.bytes("v", 8))) {
        q.tryPush(MemorySegment.ofArray(new long[] {1}));
      }
      assertTrue(d.check().consistent(), d.check().toString());
      damage.accept(((ShmDepot) d).store());
      CheckReport r = d.check();
      assertFalse(r.consistent(), "damage not detected");
      return String.join("\n", r.problems());
    } finally {
      Depot.destroy(name, TestStores.small().build());
    }
  }

  private static long descriptorOf(Store s, String name) {
    byte[] key = Names.encode(name);
    return s.layout.descriptor((int) s.directory.lookup(key, Names.hash(key)));
  }

  @Test
  void leakedSlot() {
    String p =
        damaged(
            s -> {
              long d = descriptorOf(s, "a");
              long block = s.mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET);
              int c = SizeClasses.classFor(s.mem.getLong(d + ObjectDescriptor.BLOCK_SIZE_OFFSET));
              long span = s.layout.pageOf(block);
              // mark a free slot of the span allocated with no owner
              long bits =
                  SizeClasses.inBandBytes(c) == 0
                      ? s.layout.page(span) + PageDescriptor.BITS_OFFSET
                      : s.layout.pageAddress(span);
              long w = s.mem.getLong(bits);
              s.mem.putLong(bits, w | Long.lowestOneBit(~w));
            });
    assertTrue(p.contains("leaked block") || p.contains("bitmap has"), p);
  }

  @Test
  void blockOwnedTwice() {
    String p =
        damaged(
            s ->
                s.mem.putLong(
                    descriptorOf(s, "b") + ObjectDescriptor.BLOCK_OFFSET,
                    s.mem.getLong(descriptorOf(s, "a") + ObjectDescriptor.BLOCK_OFFSET)));
    assertTrue(p.contains("owned by descriptors"), p);
  }

  @Test
  void readerCountWithoutPins() {
    String p =
        damaged(
            s -> {
              long d = descriptorOf(s, "a");
              s.mem.putLong(
                  d + ObjectDescriptor.CTL_OFFSET,
                  s.mem.getLong(d + ObjectDescriptor.CTL_OFFSET) + 1);
            });
    assertTrue(p.contains("counts 1 readers but journals of live clients hold 0 pins"), p);
  }

  @Test
  void pinsWithoutCount() {
    String name = TestStores.uniqueName("checker");
    try (Depot d = Depot.create(name, TestStores.small().build())) {
      d.put("a", new byte[10]);
      ObjectHandle h = d.get("a");
      assertTrue(d.check().consistent());
      Store s = ((ShmDepot) d).store();
      long desc = descriptorOf(s, "a");
      s.mem.putLong(
          desc + ObjectDescriptor.CTL_OFFSET,
          s.mem.getLong(desc + ObjectDescriptor.CTL_OFFSET) - 1);
      CheckReport r = d.check();
      assertTrue(
          String.join("\n", r.problems())
              .contains("counts 0 readers but journals of live clients hold 1"),
          r.toString());
      s.mem.putLong(
          desc + ObjectDescriptor.CTL_OFFSET,
          s.mem.getLong(desc + ObjectDescriptor.CTL_OFFSET) + 1);
      h.close();
    } finally {
      Depot.destroy(name, TestStores.small().build());
    }
  }

  @Test
  void unreachableObject() {
    String p =
        damaged(
            s -> {
              long d = descriptorOf(s, "a");
              long bucket = s.directory.bucketOf(s.mem.getLong(d + ObjectDescriptor.HASH_OFFSET));
              long w = s.mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
              s.mem.putLong(
                  bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
                  BucketDescriptor.word(BucketDescriptor.seq(w), 0));
            });
    assertTrue(p.contains("is in no bucket chain"), p);
  }

  @Test
  void cyclicChain() {
    String p =
        damaged(
            s -> {
              long d = descriptorOf(s, "a");
              int index = (int) ((d - s.layout.descriptorOffset) / ObjectDescriptor.LENGTH);
              s.mem.putInt(d + ObjectDescriptor.NEXT_OFFSET, index + 1);
            });
    assertTrue(p.contains("linked twice") || p.contains("cyclic"), p);
  }

  @Test
  void freePageBitmapOutOfStep() {
    String p =
        damaged(
            s -> {
              long w = s.layout.pageFreeBitsOffset + 8 * (s.layout.pageCount / 64 - 1);
              s.mem.putLong(w, ~s.mem.getLong(w));
            });
    assertTrue(p.contains("free-page bit"), p);
  }

  @Test
  void spanCountsOutOfStep() {
    String p =
        damaged(
            s -> {
              long cls = s.layout.sizeClass(SizeClasses.classFor(164));
              s.mem.putLong(cls + ClassDescriptor.USED_OFFSET, 99);
            });
    assertTrue(p.contains("counts used=99"), p);
  }

  @Test
  void damagedQueueSlot() {
    String p =
        damaged(
            s -> {
              long slot0 = queueSlot0(s);
              long c = s.mem.getLong(slot0 + QueueDescriptor.SLOT_CTL_OFFSET);
              s.mem.putLong(
                  slot0 + QueueDescriptor.SLOT_CTL_OFFSET,
                  QueueDescriptor.ctl(QueueDescriptor.lap(c), QueueDescriptor.EMPTY, 0));
            });
    assertTrue(p.contains("below the tail but EMPTY"), p);
  }

  @Test
  void readerPinsWithoutJournal() {
    String p =
        damaged(
            s -> {
              long slot0 = queueSlot0(s);
              s.mem.putLong(slot0 + QueueDescriptor.SLOT_PINS_OFFSET, QueueDescriptor.pins(0, 3));
            });
    assertTrue(p.contains("counts 3 readers in lap 0 but journals of live clients hold 0 pins"), p);
  }

  private static long queueSlot0(Store s) {
    byte[] key = Names.encode("q");
    int qi = (int) s.directory.lookup(key, Names.hash(key));
    return s.dataAddress(qi) + QueueDescriptor.slotsOffset(1);
  }

  @Test
  void deadLockHolder() {
    String p =
        damaged(
            s -> s.mem.putLong(HeaderDescriptor.PAGE_LOCK_OFFSET, ClientDescriptor.token(5, 77)));
    assertTrue(p.contains("page allocator lock is held by dead client"), p);
  }

  @Test
  void aDamagedReaderCountIsACorruptStoreNotABareFailure() {
    String name = TestStores.uniqueName("checker");
    try (Depot d = Depot.create(name, TestStores.small().build())) {
      d.put("a", new byte[10]);
      d.createQueue("q", 4, Track.bytes("v", 8)).close();
      Store s = ((ShmDepot) d).store();
      for (String n : new String[] {"a", "q"}) {
        long desc = descriptorOf(s, n);
        long c = s.mem.getLong(desc + ObjectDescriptor.CTL_OFFSET);
        s.mem.putLong(
            desc + ObjectDescriptor.CTL_OFFSET,
            ObjectDescriptor.with(c, ObjectDescriptor.COMMITTED, 3_425_112_128L));
      }
      io.depot.CorruptStoreException e =
          assertThrows(io.depot.CorruptStoreException.class, () -> d.get("a"));
      assertTrue(e.getMessage().contains("3425112128"), e.getMessage());
      // recovery pins every queue to look at its positions: the damaged count is reported the same
      // way
      assertThrows(io.depot.CorruptStoreException.class, d::recoverDeadClients);
    } finally {
      Depot.destroy(name, TestStores.small().build());
    }
  }
}
