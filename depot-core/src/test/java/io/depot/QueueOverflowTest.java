package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.mp.CursorMain;
import io.depot.mp.QueueProducerMain;
import io.depot.testkit.ChildJvm;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Overflow policies (block, fail, overwrite the oldest), cursors that do not consume, and
 * readLatestAfter.
 */
class QueueOverflowTest extends StoreExtension {
  private static final Track V = Track.bytes("v", 8);

  private static MemorySegment v(long x) {
    return MemorySegment.ofArray(new long[] {x});
  }

  private static long v(Entry e) {
    return e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
  }

  @Test
  void overwriteOldestDropsTheOldestUnreadEntry() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 4, Overflow.OVERWRITE_OLDEST, V)) {
      assertEquals(Overflow.OVERWRITE_OLDEST, q.overflow());
      for (int i = 0; i < 10; i++) {
        assertEquals(
            i, q.tryPush(v(i)), "a full overwriting queue never reports FULL while it can drop");
      }
      assertEquals(6, q.dropped());
      assertEquals(4, q.size());
      try (Entry latest = q.readLatest().orElseThrow()) {
        assertEquals(9, v(latest));
      }
      for (int i = 6; i < 10; i++) {
        try (Entry e = q.tryPop().orElseThrow()) {
          assertEquals(i, e.sequence(), "the dropped sequences are skipped");
          assertEquals(i, v(e));
        }
      }
      assertTrue(q.tryPop().isEmpty());
      assertTrue(d.check().consistent(), d.check().toString());
    }
  }

  @Test
  void overwriteWaitsForAnEntryThatIsPoppedOrReadInPlace() throws Exception {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 2, Overflow.OVERWRITE_OLDEST, V)) {
      q.tryPush(v(0));
      q.tryPush(v(1));
      Entry held =
          q.tryPop().orElseThrow(); // position 0 is popped, not released: its slot cannot be reused
      assertEquals(DepotQueue.FULL, q.tryPush(v(2)));
      assertThrows(DepotTimeoutException.class, () -> q.push(Duration.ofMillis(20), v(2)));
      Thread releaser =
          Thread.ofPlatform()
              .start(
                  () -> {
                    sleep(50);
                    held.close();
                  });
      assertEquals(
          2, q.push(Duration.ofSeconds(10), v(2)), "the release lets the waiting producer in");
      releaser.join();
      try (Entry reader = q.read(1)) { // a reader in place holds the oldest entry
        assertEquals(DepotQueue.FULL, q.tryPush(v(3)), "its slot waits for the reader...");
        assertEquals(1, q.dropped(), "...though the entry is dropped for the consumers");
        assertEquals(1, v(reader), "and its bytes stay while the reader holds them");
      }
      assertEquals(3, q.tryPush(v(3)));
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(2, e.sequence(), "the dropped entry is not delivered");
      }
      assertEquals(1, q.dropped());
      assertTrue(d.check().consistent(), d.check().toString());
    }
  }

  @Test
  void failPolicyNeverWaits() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 1, Overflow.FAIL, V)) {
      q.tryPush(v(0));
      long t0 = System.nanoTime();
      assertEquals(DepotQueue.FULL, q.push(Duration.ofSeconds(30), v(1)));
      QueueFullException e =
          assertThrows(QueueFullException.class, () -> q.createEntry(Duration.ofSeconds(30)));
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "no wait for the timeout");
      assertTrue(
          e.getMessage().contains("name=q") && e.getMessage().contains("FAIL"), e.getMessage());
      assertTrue(q.tryCreateEntry().isEmpty(), "the try form reports by its result");
      q.tryPop().orElseThrow().close();
      assertEquals(1, q.push(Duration.ofSeconds(1), v(1)));
    }
  }

  @Test
  void openingWithAnotherPolicyIsRefusedNamingBoth() {
    Depot d = newStore();
    d.createQueue("q", 4, V).close();
    assertEquals(Overflow.BLOCK, d.openQueue("q").overflow());
    TypeMismatchException e =
        assertThrows(
            TypeMismatchException.class, () -> d.openQueue("q", Overflow.OVERWRITE_OLDEST));
    assertTrue(
        e.getMessage().contains("overflow=BLOCK")
            && e.getMessage().contains("overflow=OVERWRITE_OLDEST")
            && e.getMessage().contains("name=q"),
        e.getMessage());
    d.openQueue("q", Overflow.BLOCK).close();
    assertThrows(NullPointerException.class, () -> d.createQueue("r", 4, (Overflow) null, V));
  }

  @Test
  void cursorsSeeEveryEntryWithoutConsuming() {
    Depot d = newStore();
    Depot other = attach(d);
    try (DepotQueue q = d.createQueue("q", 8, V);
        DepotQueue oq = other.openQueue("q");
        QueueCursor a = q.subscribe();
        QueueCursor b = oq.subscribe()) {
      for (int i = 0; i < 5; i++) {
        q.tryPush(v(i));
      }
      for (QueueCursor c : List.of(a, b)) {
        for (int i = 0; i < 5; i++) {
          try (Entry e = c.tryNext().orElseThrow()) {
            assertEquals(i, e.sequence());
            assertEquals(i, v(e));
          }
        }
        assertTrue(c.tryNext().isEmpty());
        assertEquals(5, c.position());
        assertEquals(0, c.missed());
      }
      assertEquals(5, q.size(), "cursors consume nothing");
      try (Entry e = q.tryPop().orElseThrow()) {
        assertEquals(0, v(e));
      }
      try (QueueCursor late = q.subscribe(0)) {
        try (Entry e = late.tryNext().orElseThrow()) {
          assertEquals(1, e.sequence(), "a popped entry is passed");
        }
        assertEquals(1, late.missed());
      }
      assertThrows(InvalidArgumentException.class, () -> q.subscribe(-1));
    }
  }

  @Test
  void aCursorThatFallsALapBehindSkipsAheadAndCountsWhatItMissed() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 4, Overflow.OVERWRITE_OLDEST, V);
        QueueCursor c = q.subscribe()) {
      for (int i = 0; i < 10; i++) {
        q.tryPush(v(i));
      }
      for (int i = 6; i < 10; i++) {
        try (Entry e = c.tryNext().orElseThrow()) {
          assertEquals(i, v(e));
        }
      }
      assertEquals(6, c.missed());
    }
  }

  @Test
  void cursorNextAndReadLatestAfterWakeOnACommit() throws Exception {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 4, Overflow.OVERWRITE_OLDEST, V);
        QueueCursor c = q.subscribe()) {
      assertThrows(DepotTimeoutException.class, () -> c.next(Duration.ofMillis(20)));
      assertThrows(DepotTimeoutException.class, () -> q.readLatestAfter(-1, Duration.ofMillis(20)));
      Thread producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    sleep(50);
                    q.tryPush(v(7));
                  });
      try (Entry e = c.next(Duration.ofSeconds(10))) {
        assertEquals(7, v(e));
      }
      producer.join();
      try (Entry e = q.readLatestAfter(-1, Duration.ZERO)) {
        assertEquals(0, e.sequence());
      }
      assertThrows(
          DepotTimeoutException.class,
          () -> q.readLatestAfter(0, Duration.ofMillis(20)),
          "the latest is not newer than 0");
      producer =
          Thread.ofPlatform()
              .start(
                  () -> {
                    sleep(50);
                    q.tryPush(v(8));
                    q.tryPush(v(9));
                  });
      try (Entry e = q.readLatestAfter(0, Duration.ofSeconds(10))) {
        assertTrue(e.sequence() > 0);
      }
      producer.join();
      Thread.currentThread().interrupt();
      assertThrows(
          DepotInterruptedException.class, () -> q.readLatestAfter(100, Duration.ofSeconds(10)));
      assertTrue(Thread.interrupted());
    }
  }

  @Test
  void aCursorOfARemovedQueueOrAClosedOneSaysSo() {
    Depot d = newStore();
    DepotQueue q = d.createQueue("gone", 4, V);
    QueueCursor c = q.subscribe();
    assertTrue(d.remove("gone"));
    ObjectNotFoundException e = assertThrows(ObjectNotFoundException.class, c::tryNext);
    assertTrue(e.getMessage().contains("name=gone"), e.getMessage());
    assertThrows(ObjectNotFoundException.class, () -> c.next(Duration.ofSeconds(10)));
    c.close();
    assertThrows(HandleClosedException.class, c::tryNext);
    c.close();
    q.close();
    QueueCursor afterQueueClose;
    try (DepotQueue r = d.createQueue("r", 4, V)) {
      afterQueueClose = r.subscribe();
    }
    HandleClosedException closed =
        assertThrows(HandleClosedException.class, afterQueueClose::tryNext);
    assertTrue(closed.getMessage().contains("name=r"), closed.getMessage());
    afterQueueClose.close();
    assertTrue(d.remove("r"));
    assertEquals(
        d.stats().arenaBytes(), d.stats().freeBytes(), "cursors hold no memory once closed");
  }

  @Test
  void cursorsInOtherProcessesSeeEveryEntryOfAStream() throws Exception {
    Depot d = newStore(DepotOptions.builder().capacity(32L << 20).maxObjects(4096).build());
    int count = 3000;
    try (DepotQueue q =
        d.createQueue(
            "q",
            4096,
            Overflow.OVERWRITE_OLDEST,
            Track.bytes("id", 8),
            Track.bytes("payload", 64))) {
      List<ChildJvm> cursors = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          cursors.add(ChildJvm.start(CursorMain.class, d.name(), Integer.toString(count)));
        }
        for (ChildJvm c : cursors) {
          c.awaitLine("READY", 60, TimeUnit.SECONDS);
        }
        try (ChildJvm p =
            ChildJvm.start(QueueProducerMain.class, d.name(), "0", Integer.toString(count))) {
          p.awaitSuccess(120, TimeUnit.SECONDS);
        }
        for (ChildJvm c : cursors) {
          c.awaitSuccess(120, TimeUnit.SECONDS);
          assertTrue(
              c.output().contains("SEEN " + count + " MISSED 0"), c.output() + " " + c.errors());
        }
      } finally {
        cursors.forEach(ChildJvm::close);
      }
      assertEquals(count, q.tailSequence());
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
