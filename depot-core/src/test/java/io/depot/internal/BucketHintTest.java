package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.TestStores;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The bucket's hint (the block of its chain's head, see {@link BucketDescriptor}): every change of
 * a head stores it, and a wrong one changes no answer of a lookup.
 */
class BucketHintTest {

  private static DepotOptions options() {
    return TestStores.small().maxObjects(1024).build();
  }

  /** {@code count} names of at least {@code minLength} bytes that hash to one bucket. */
  private static List<String> sameBucket(Store s, int count, int minLength) {
    List<String> names = new ArrayList<>();
    long target = -1;
    String pad = "x".repeat(Math.max(0, minLength - 4));
    for (int i = 0; names.size() < count; i++) {
      String n = pad + i;
      long bucket = s.directory.bucketOf(Names.hash(Names.encode(n)));
      if (target < 0) {
        target = bucket;
      }
      if (bucket == target) {
        names.add(n);
      }
    }
    return names;
  }

  private static long bucketOf(Store s, String name) {
    return s.directory.bucketOf(Names.hash(Names.encode(name)));
  }

  private static long hint(Store s, String name) {
    return s.mem.getLong(bucketOf(s, name) + BucketDescriptor.HEAD_BLOCK_OFFSET);
  }

  private static long head(Store s, String name) {
    return BucketDescriptor.head(
        s.mem.getLong(bucketOf(s, name) + BucketDescriptor.SEQ_HEAD_OFFSET));
  }

  private static long blockOf(Store s, String name) {
    byte[] key = Names.encode(name);
    long found = s.directory.lookup(key, Names.hash(key));
    assertTrue(found >= 0, name);
    return s.mem.getLong(s.layout.descriptor((int) found) + ObjectDescriptor.BLOCK_OFFSET);
  }

  @Test
  void everyChangeOfTheHeadStoresItsBlock() {
    String store = TestStores.uniqueName("hint");
    try (Depot d = Depot.create(store, options())) {
      Store s = ((ShmDepot) d).store();
      List<String> names = sameBucket(s, 3, 1);
      String a = names.get(0);
      String b = names.get(1);
      String c = names.get(2);
      assertEquals(0, hint(s, a), "an empty bucket has no hint");
      d.put(a, new byte[] {1});
      assertEquals(blockOf(s, a), hint(s, a));
      d.put(b, new byte[] {2});
      d.put(c, new byte[] {3});
      assertEquals(blockOf(s, c), hint(s, a), "the last linked is the head");
      d.replace(c, new byte[] {4}); // a new object of the name becomes the head
      assertEquals(blockOf(s, c), hint(s, a));
      assertTrue(d.remove(c));
      assertEquals(blockOf(s, b), hint(s, a), "removing the head hints its successor");
      assertTrue(d.remove(a)); // not the head: the hint stays
      assertEquals(blockOf(s, b), hint(s, a));
      assertTrue(d.remove(b));
      assertEquals(0, head(s, a));
      assertEquals(0, hint(s, a), "an emptied bucket has no hint");
      assertTrue(d.check().consistent(), d.check().toString());
    } finally {
      Depot.destroy(store, options());
    }
  }

  @Test
  void aWrongHintChangesNoAnswer() {
    String store = TestStores.uniqueName("hint");
    try (Depot d = Depot.create(store, options())) {
      Store s = ((ShmDepot) d).store();
      for (int minLength : new int[] {1, 8, 40}) {
        List<String> names = sameBucket(s, 4, minLength);
        List<String> present = names.subList(0, 3);
        String absent = names.get(3);
        for (String n : present) {
          d.put(n, n.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        long bucket = bucketOf(s, absent);
        long right = hint(s, absent);
        long[] wrong = {
          0,
          -1,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          s.layout.arenaOffset - 8,
          s.mem.segment().byteSize() - 8, // in the file, but too near its end for a name
          blockOf(s, present.get(0)), // another object of the chain
          blockOf(s, present.get(1)),
          right + 8, // misaligned inside the head's block
        };
        for (long h : wrong) {
          s.mem.putLong(bucket + BucketDescriptor.HEAD_BLOCK_OFFSET, h);
          for (String n : present) {
            assertTrue(d.contains(n), n + " with hint " + h);
            assertArrayEquals(
                n.getBytes(java.nio.charset.StandardCharsets.UTF_8), d.getBytes(n), n);
          }
          assertFalse(d.contains(absent), absent + " with hint " + h);
        }
        s.mem.putLong(bucket + BucketDescriptor.HEAD_BLOCK_OFFSET, right);
        for (String n : present) {
          assertTrue(d.remove(n), n);
        }
      }
      assertTrue(d.check().consistent(), d.check().toString());
    } finally {
      Depot.destroy(store, options());
    }
  }
}
