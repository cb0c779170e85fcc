package io.depot.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.DType;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.EntryNotFoundException;
import io.depot.InvalidArgumentException;
import io.depot.InvalidNameException;
import io.depot.NDArray;
import io.depot.ObjectExistsException;
import io.depot.ObjectNotFoundException;
import io.depot.ObjectStore;
import io.depot.Overflow;
import io.depot.QueueCursor;
import io.depot.Track;
import io.depot.TypeMismatchException;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link DepotQueue} that every backend passes (shared memory, Redis standalone and
 * cluster): FIFO order with sequence numbers, multi-track entries, capacity and overflow policies,
 * reads in place, waiting with a timeout, at-least-once delivery (an entry popped by a consumer
 * that is closed or SIGKILLed comes back).
 */
public abstract class DepotQueueContractTest extends StoreFixture {
  private static MemorySegment longs(long... v) {
    return MemorySegment.ofArray(v);
  }

  private static long first(Entry e) {
    return e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
  }

  @Test
  void entriesComeOutInOrderWithTheirSequences() {
    try (DepotQueue q = store.createQueue("fifo", 8, Track.bytes("v", 8))) {
      assertEquals("fifo", q.name());
      assertEquals(8, q.capacity());
      assertTrue(q.tryPop().isEmpty());
      for (long i = 0; i < 5; i++) {
        assertEquals(i, q.tryPush(longs(100 + i)));
      }
      assertEquals(5, q.size());
      assertEquals(5, q.tailSequence());
      for (long i = 0; i < 5; i++) {
        try (Entry e = q.pop(Duration.ofSeconds(5))) {
          assertEquals(i, e.sequence());
          assertEquals(100 + i, first(e));
        }
      }
      assertEquals(0, q.size());
      assertThrows(DepotTimeoutException.class, () -> q.pop(Duration.ofMillis(50)));
    }
  }

  @Test
  void multiTrackEntriesKeepBytesArraysAndShapes() {
    try (DepotQueue q =
        store.createQueue(
            "tracks",
            4,
            Track.array("obs", DType.FLOAT32, 2, 3),
            Track.bytes("note", 16),
            Track.arrayUpTo("var", DType.INT64, 10))) {
      assertEquals(1, q.trackIndex("note"));
      assertThrows(InvalidNameException.class, () -> q.trackIndex("nope"));
      q.tryPush(
          MemorySegment.ofArray(new float[] {1, 2, 3, 4, 5, 6}),
          MemorySegment.ofArray(new byte[] {7, 8}),
          longs(1, 2, 3, 4));
      try (EntryClaim c = q.createEntry(Duration.ofSeconds(5))) {
        c.array("obs").setFloat(5, 9f);
        c.track("note").set(ValueLayout.JAVA_BYTE, 0, (byte) 'h');
        c.setLength("note", 1);
        c.array("var", 3).setLong(2, 33);
        c.commit();
      }
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        NDArray obs = e.array("obs");
        assertArrayEquals(new long[] {2, 3}, obs.shape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, obs.toFloatArray());
        assertEquals(2, e.track("note").byteSize());
        assertArrayEquals(new long[] {4}, e.array("var").shape());
        assertArrayEquals(new long[] {1, 2, 3, 4}, e.array(2).toLongArray());
        assertThrows(TypeMismatchException.class, () -> e.array("note"));
        assertEquals(3, e.trackCount());
      }
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(9f, e.array("obs").getFloat(5));
        assertEquals(1, e.track("note").byteSize());
        assertArrayEquals(new long[] {3}, e.array("var").shape());
        assertEquals(33, e.array("var").getLong(2));
      }
    }
  }

  @Test
  void aFullQueueBlocksFailsOrOverwritesByItsPolicy() {
    try (DepotQueue q = store.createQueue("block", 2, Track.bytes("v", 8))) {
      q.tryPush(longs(1));
      q.tryPush(longs(2));
      assertEquals(DepotQueue.FULL, q.tryPush(longs(3)));
      assertThrows(DepotTimeoutException.class, () -> q.push(Duration.ofMillis(50), longs(3)));
      assertTrue(q.tryCreateEntry().isEmpty());
    }
    try (DepotQueue q = store.createQueue("fail", 1, Overflow.FAIL, Track.bytes("v", 8))) {
      q.tryPush(longs(1));
      assertEquals(DepotQueue.FULL, q.push(Duration.ofSeconds(5), longs(2)));
      assertEquals(Overflow.FAIL, q.overflow());
    }
    try (DepotQueue q =
        store.createQueue("latest", 2, Overflow.OVERWRITE_OLDEST, Track.bytes("v", 8))) {
      for (long i = 0; i < 5; i++) {
        q.push(Duration.ofSeconds(5), longs(i));
      }
      assertEquals(3, q.dropped());
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(3, first(e));
      }
    }
  }

  @Test
  void aBlockedPopIsWokenByAPushFromAnotherClient() throws Exception {
    try (DepotQueue q = store.createQueue("wake", 4, Track.bytes("v", 8))) {
      ObjectStore other = attach();
      CompletableFuture<Long> got =
          CompletableFuture.supplyAsync(
              () -> {
                try (DepotQueue oq = other.openQueue("wake");
                    Entry e = oq.pop(Duration.ofSeconds(20))) {
                  return first(e);
                }
              });
      Thread.sleep(200);
      q.push(Duration.ofSeconds(5), longs(42));
      assertEquals(42L, got.get(30, TimeUnit.SECONDS));
    }
  }

  @Test
  void readsInPlaceLeaveEntriesInTheQueue() {
    try (DepotQueue q = store.createQueue("read", 8, Track.bytes("v", 8))) {
      assertTrue(q.readLatest().isEmpty());
      for (long i = 0; i < 4; i++) {
        q.tryPush(longs(10 + i));
      }
      try (Entry e = q.read(2)) {
        assertEquals(12, first(e));
      }
      try (Entry e = q.readLatest().orElseThrow()) {
        assertEquals(3, e.sequence());
      }
      List<Entry> batch = q.batchRead(0, 1, 3);
      assertEquals(
          List.of(10L, 11L, 13L), batch.stream().map(DepotQueueContractTest::first).toList());
      DepotQueue.release(batch);
      assertThrows(EntryNotFoundException.class, () -> q.read(99));
      assertThrows(EntryNotFoundException.class, () -> q.batchRead(0, 99));
      assertEquals(4, q.size());
      try (Entry e = q.readLatestAfter(-1, Duration.ofMillis(10))) {
        assertEquals(3, e.sequence());
      }
      assertThrows(DepotTimeoutException.class, () -> q.readLatestAfter(3, Duration.ofMillis(10)));
      assertTrue(q.deleteEntry(1));
      assertFalse(q.deleteEntry(1));
      assertThrows(EntryNotFoundException.class, () -> q.read(1));
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(0, e.sequence());
      }
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(2, e.sequence(), "a deleted entry is never popped");
      }
      assertTrue(q.forcePop());
      assertFalse(q.forcePop());
    }
  }

  @Test
  void aCursorSeesEveryEntryFromWhereItStarted() {
    try (DepotQueue q = store.createQueue("cursor", 8, Track.bytes("v", 8))) {
      q.tryPush(longs(1));
      try (QueueCursor c = q.subscribe()) {
        assertTrue(c.tryNext().isEmpty());
        q.tryPush(longs(2));
        q.tryPush(longs(3));
        try (Entry e = c.next(Duration.ofSeconds(5))) {
          assertEquals(2, first(e));
        }
        try (Entry e = c.next(Duration.ofSeconds(5))) {
          assertEquals(3, first(e));
        }
        assertEquals(3, c.position());
        assertEquals(3, q.size(), "a cursor consumes nothing");
      }
    }
  }

  @Test
  void anEntryPoppedAndNotReleasedIsDeliveredAgainWhenItsHolderCloses() {
    try (DepotQueue q = store.createQueue("again", 4, Track.bytes("v", 8))) {
      q.tryPush(longs(5));
      ObjectStore other = attach();
      DepotQueue oq = other.openQueue("again");
      Entry held = oq.pop(Duration.ofSeconds(5));
      assertEquals(5, first(held));
      assertTrue(
          q.tryPop().isEmpty(), "a popped entry is not delivered twice while its consumer lives");
      other.close();
      try (Entry e = q.pop(recoveryBound())) {
        assertEquals(0, e.sequence());
        assertEquals(5, first(e));
      }
      assertTrue(q.tryPop().isEmpty(), "released: never delivered again");
    }
  }

  @Test
  void aConsumerKilledHoldingAnEntryHasItDeliveredAgain() throws Exception {
    try (DepotQueue q = store.createQueue("killed", 4, Track.bytes("v", 8))) {
      q.tryPush(longs(77));
      q.tryPush(longs(78));
      try (ChildJvm child = ChildJvm.start(HoldingConsumerMain.class, uri.toString(), "killed")) {
        String got = child.awaitLine("GOT ", 60, TimeUnit.SECONDS);
        assertEquals("GOT 0 77", got);
        child.kill();
      }
      try (Entry e = q.pop(Duration.ofSeconds(5))) {
        assertEquals(78, first(e), "the next entry is not held back");
      }
      long start = System.nanoTime();
      try (Entry e = q.pop(recoveryBound())) {
        assertEquals(0, e.sequence());
        assertEquals(77, first(e));
      }
      assertTrue(System.nanoTime() - start < recoveryBound().toNanos());
    }
  }

  @Test
  void badInputIsASpecificExceptionNamingTheValue() {
    assertThrows(
        InvalidArgumentException.class, () -> store.createQueue("q0", 0, Track.bytes("v", 8)));
    assertThrows(InvalidArgumentException.class, () -> store.createQueue("q1", 4));
    assertThrows(
        InvalidArgumentException.class,
        () -> store.createQueue("q2", 4, Track.bytes("same", 1), Track.bytes("same", 2)));
    assertThrows(ObjectNotFoundException.class, () -> store.openQueue("absent"));
    store.put("plain", "not a queue");
    assertThrows(TypeMismatchException.class, () -> store.openQueue("plain"));
    try (DepotQueue q = store.createQueue("q", 4, Track.bytes("v", 8))) {
      assertThrows(
          ObjectExistsException.class, () -> store.createQueue("q", 4, Track.bytes("v", 8)));
      assertThrows(InvalidArgumentException.class, () -> q.tryPush(longs(1), longs(2)));
      InvalidArgumentException e =
          assertThrows(InvalidArgumentException.class, () -> q.tryPush(longs(1, 2)));
      assertTrue(e.getMessage().contains("16"), e.getMessage());
      assertThrows(TypeMismatchException.class, () -> store.openQueue("q", Overflow.FAIL));
    }
    try (DepotQueue q = store.openQueue("q")) {
      assertEquals(List.of(Track.bytes("v", 8)), q.tracks());
      assertTrue(store.remove("q"));
      assertThrows(ObjectNotFoundException.class, () -> store.openQueue("q"));
    }
  }
}
