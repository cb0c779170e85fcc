package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectHandle;
import io.depot.StoreExtension;
import io.depot.TestStores;
import io.depot.ValueKind;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A writer killed inside a replacing commit, after its new object became COMMITTED and before it
 * retired the old one (it holds the bucket lock, the bucket's sequence is odd): two committed
 * objects of one name. Whoever repairs the bucket (an operation that takes the lock over, or the
 * recovery of the dead writer) finishes the commit: the new value stays, the old one is retired and
 * its memory comes back. The dead writer is simulated in-process: a second attachment whose commit
 * is stopped at that point by hand, and whose slot word is then rewritten with a pid no process
 * has.
 */
class DeadCommitRepairTest extends StoreExtension {
  @ParameterizedTest
  @ValueSource(strings = {"by-operation", "by-recovery"})
  void aWriterKilledInsideAReplaceLeavesTheNewValueOnly(String repairedBy) {
    DepotOptions opts = TestStores.small().recoveryInterval(Duration.ZERO).build();
    Depot d = newStore(opts);
    long free0 = d.stats().freeBytes();
    d.put("n", bytes("old"));
    Depot other = Depot.open(d.name(), options.toBuilder().recoveryInterval(Duration.ZERO).build());
    Store os = ((ShmDepot) other).store();
    byte[] key = Names.encode("n");
    long hash = Names.hash(key);
    byte[] value = bytes("new");
    int index =
        os.claim(
            Store.ClaimRequest.of(
                "n", ValueKind.BYTES, null, new long[0], null, value.length, true));
    MemorySegment.copy(
        value, 0, os.mem.segment(), ValueLayout.JAVA_BYTE, os.dataAddress(index), value.length);
    // Directory.commit, stopped after the commit CAS: bucket locked, sequence odd, flag set, new
    // object committed
    long bucket = os.directory.bucketOf(hash);
    assertFalse(Locks.acquire(os, bucket + BucketDescriptor.LOCK_OFFSET));
    long w = os.mem.getLong(bucket + BucketDescriptor.SEQ_HEAD_OFFSET);
    os.mem.putLongVolatile(
        bucket + BucketDescriptor.SEQ_HEAD_OFFSET,
        BucketDescriptor.word(BucketDescriptor.seq(w) | 1, BucketDescriptor.head(w)));
    long desc = os.layout.descriptor(index);
    os.mem.putByte(
        desc + ObjectDescriptor.FLAGS_OFFSET,
        os.mem.getByte(desc + ObjectDescriptor.FLAGS_OFFSET) | ObjectDescriptor.FLAG_COMMITTING);
    long c = os.mem.getLongAcquire(desc + ObjectDescriptor.CTL_OFFSET);
    assertTrue(
        os.mem.compareAndSetLong(
            desc + ObjectDescriptor.CTL_OFFSET,
            c,
            ObjectDescriptor.ctl(ObjectDescriptor.generation(c), ObjectDescriptor.COMMITTED, 0)));
    // the writer's process "dies"
    long client = os.layout.client(os.slot);
    long word = os.mem.getLongAcquire(client + ClientDescriptor.STATE_OFFSET);
    os.mem.putLongVolatile(
        client + ClientDescriptor.STATE_OFFSET,
        ClientDescriptor.stateWord(
            ClientDescriptor.STATE_ATTACHED, ClientDescriptor.generation(word), 999_999_999L));
    assertFalse(d.check().consistent(), "two committed objects of one name before the repair");

    if (repairedBy.equals("by-operation")) {
      // a put of another name in the same bucket takes the dead writer's lock over and repairs the
      // chain
      assertEquals("new", read(d, "n"), "readers already see the new value");
      d.remove(
          "n"); // takes the lock over: the repair completes the commit, then the remove retires
      // "new"
      assertFalse(d.contains("n"), "no old value resurfaces after the remove");
      d.put("n", bytes("again"));
      assertEquals("again", read(d, "n"));
      // the lock takeover also had the rest of the dead client recovered, on the recovery thread
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (d.stats().deadClients() > 0 && System.nanoTime() < deadline) {
        d.recoverDeadClients();
        Thread.onSpinWait();
      }
    } else {
      assertEquals(1, d.recoverDeadClients());
      assertEquals("new", read(d, "n"));
    }
    assertEquals(0, d.stats().deadClients());
    assertTrue(d.check().consistent(), d.check().toString());
    assertEquals(1, d.stats().objects(), d.stats().toString());
    d.remove("n");
    assertEquals(free0, d.stats().freeBytes(), "the old value's memory came back: " + d.stats());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String read(Depot d, String name) {
    try (ObjectHandle h = d.get(name)) {
      return new String(h.segment().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
  }
}
