package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.StoreExtension;
import io.depot.TestStores;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Readers' pins on queue slots of a client that died: a PINNED one is released, a pending one (the
 * reader died between its journal write and its count CAS, so the count may or may not include it)
 * is recounted from the live journals; either way the slot is free for the producers again. The
 * dead client is simulated in-process: a second attachment whose slot word is rewritten with a pid
 * no process has.
 */
class SlotPinRecoveryTest extends StoreExtension {
  @Test
  void deadReadersPinsAreReleasedAndPendingOnesRecounted() {
    Depot d = newStore(TestStores.small().recoveryInterval(Duration.ZERO).build());
    try (DepotQueue q = d.createQueue("q", 2, Track.bytes("v", 8))) {
      q.tryPush(MemorySegment.ofArray(new long[] {1}));
      q.tryPush(MemorySegment.ofArray(new long[] {2}));
      Depot other =
          Depot.open(d.name(), options.toBuilder().recoveryInterval(Duration.ZERO).build());
      DepotQueue oq = other.openQueue("q");
      Entry held = oq.read(0); // PINNED on slot 0
      Store os = ((ShmDepot) other).store();
      QueueRing ring = QueueRing.ofDescriptor(os, ObjectDescriptor.ownerIndex(d.version("q")));
      // a pin on slot 1 that got as far as the count CAS but not the PINNED write
      int e = os.journal.acquire();
      os.journal.write(
          e, JournalDescriptor.slotEntry(JournalDescriptor.PIN_PENDING, ring.queueIndex, 1, 0));
      long s1 = ring.slotAt(1);
      os.mem.putLongVolatile(s1 + QueueDescriptor.SLOT_PINS_OFFSET, QueueDescriptor.pins(0, 1));
      // the reader's process "dies"
      long c = os.layout.client(os.slot);
      long word = os.mem.getLongAcquire(c + ClientDescriptor.STATE_OFFSET);
      os.mem.putLongVolatile(
          c + ClientDescriptor.STATE_OFFSET,
          ClientDescriptor.stateWord(
              ClientDescriptor.STATE_ATTACHED, ClientDescriptor.generation(word), 999_999_999L));
      assertEquals(1, d.stats().deadClients());
      // both entries are consumed; their slots wait for the (dead) readers
      q.tryPop().orElseThrow().close();
      q.tryPop().orElseThrow().close();
      // the producer blocked by a consumed slot that readers still pin recovers the dead reader on
      // contact
      assertEquals(2, q.tryPush(MemorySegment.ofArray(new long[] {3})));
      assertEquals(0, d.stats().deadClients());
      assertEquals(
          0, QueueDescriptor.pinsCount(ring.pins(ring.slotAt(0))), "the PINNED pin was released");
      assertEquals(0, QueueDescriptor.pinsCount(ring.pins(s1)), "the pending pin was recounted");
      assertEquals(
          3, q.tryPush(MemorySegment.ofArray(new long[] {4})), "both slots are free again");
      assertTrue(d.check().consistent(), d.check().toString());
      assertTrue(held.isOpen()); // never closed: its client is gone
      q.tryPop().orElseThrow().close();
      q.tryPop().orElseThrow().close();
    }
  }
}
