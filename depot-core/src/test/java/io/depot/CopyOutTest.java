package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.mp.Payloads;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@link ObjectStore#getBytes} and {@link ObjectStore#getString} copy a small value out without a
 * handle (a seqlock read, no pin): they return what a handle would show, take no handle, and never
 * return a torn value or another object's value while writers replace, remove and reuse the blocks.
 */
class CopyOutTest extends StoreExtension {
  @Test
  void returnsTheCommittedValueAtEverySize() {
    Depot d = newStore(TestStores.small().capacity(32L << 20).build());
    SplittableRandom r = new SplittableRandom(7);
    // 64 KiB is the largest value copied out without a handle; one byte more goes through one
    for (int size : new int[] {0, 1, 63, 64, 4096, 64 * 1024, 64 * 1024 + 1, 1 << 20}) {
      byte[] v = new byte[size];
      r.nextBytes(v);
      d.put("v" + size, v);
      assertArrayEquals(v, d.getBytes("v" + size), "size " + size);
    }
    d.put("s", "héllo wörld");
    assertEquals("héllo wörld", d.getString("s"));
    assertArrayEquals("héllo wörld".getBytes(StandardCharsets.UTF_8), d.getBytes("s"));
    String big = "x".repeat(100_000);
    d.put("big", big);
    assertEquals(big, d.getString("big"));
  }

  @Test
  void namesWhatIsWrong() {
    Depot d = newStore();
    ObjectNotFoundException missing =
        assertThrows(ObjectNotFoundException.class, () -> d.getBytes("nothing-here"));
    assertTrue(missing.getMessage().contains("name=nothing-here"), missing.getMessage());
    assertThrows(ObjectNotFoundException.class, () -> d.getString("nothing-here"));
    d.put("bytes", new byte[] {1, 2, 3});
    TypeMismatchException kind =
        assertThrows(TypeMismatchException.class, () -> d.getString("bytes"));
    assertTrue(kind.getMessage().contains("BYTES"), kind.getMessage());
    assertTrue(kind.getMessage().contains("name=bytes"), kind.getMessage());
    assertThrows(InvalidNameException.class, () -> d.getBytes(""));
  }

  @Test
  void aQueueReadsAsThroughItsHandle() {
    Depot d = newStore();
    try (DepotQueue q = d.createQueue("q", 4, Track.bytes("b", 8))) {
      q.push(java.time.Duration.ofSeconds(5), MemorySegment.ofArray(new byte[8]));
      byte[] raw;
      try (ObjectHandle h = d.get("q")) {
        raw = h.toByteArray();
      }
      assertEquals(raw.length, d.getBytes("q").length);
    }
  }

  @Test
  void takesNoHandle() {
    Depot d = newStore(TestStores.small().maxHandlesPerClient(16).build());
    d.put("small", new byte[] {9});
    d.put("large", new byte[100_000]);
    List<ObjectHandle> held = new ArrayList<>();
    try {
      for (int i = 0; i < 16; i++) {
        held.add(d.get("small"));
      }
      assertThrows(TooManyHandlesException.class, () -> d.get("small"));
      for (int i = 0; i < 1000; i++) {
        assertArrayEquals(new byte[] {9}, d.getBytes("small"));
      }
      // a value over 64 KiB is read through a handle
      assertThrows(TooManyHandlesException.class, () -> d.getBytes("large"));
    } finally {
      held.forEach(ObjectHandle::close);
    }
    assertEquals(100_000, d.getBytes("large").length);
  }

  /**
   * Writers replace, remove and put names with self-verifying payloads of mixed sizes (so freed
   * blocks are soon reused by other names) while readers in another attachment copy them out; each
   * payload's seed carries its name's number, so a value read from a block reused by another name
   * fails the check as a torn one does.
   */
  @Test
  void neverTornNorAnotherObjectsValue() throws Exception {
    Depot d = newStore(TestStores.small().capacity(16L << 20).maxObjects(1024).build());
    Depot reader = attach(d);
    int names = 16;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    AtomicLong writes = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      threads.add(
          loop(
              100L + t,
              stop,
              failure,
              r -> {
                int n = r.nextInt(names);
                if (r.nextInt(4) == 0) {
                  d.remove("n" + n);
                } else {
                  d.replace(
                      "n" + n,
                      Payloads.make(
                          ((long) n << 48) | (r.nextLong() >>> 16), 24 + r.nextInt(2_000)));
                }
                writes.incrementAndGet();
              }));
      threads.add(
          loop(
              200L + t,
              stop,
              failure,
              r -> {
                int n = r.nextInt(names);
                byte[] b;
                try {
                  b = reader.getBytes("n" + n);
                } catch (ObjectNotFoundException removed) {
                  return;
                }
                long s = Payloads.verify(MemorySegment.ofArray(b), "n" + n);
                if (s >>> 48 != n) {
                  throw new AssertionError("n" + n + " read the value of n" + (s >>> 48));
                }
                reads.incrementAndGet();
              }));
    }
    long until = System.nanoTime() + 1_500_000_000L;
    while (System.nanoTime() < until && failure.get() == null) {
      Thread.sleep(20);
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("after " + reads + " reads", failure.get());
    }
    assertTrue(reads.get() > 1000, "reads=" + reads);
    assertTrue(writes.get() > 1000, "writes=" + writes);
    assertEquals(0, d.check().problems().size(), () -> d.check().toString());
  }

  /** One step of a {@link #loop}. */
  @FunctionalInterface
  private interface Step {
    void run(SplittableRandom r);
  }

  /** A thread that runs {@code step} until {@code stop}, recording its first failure. */
  private static Thread loop(
      long seed, AtomicBoolean stop, AtomicReference<Throwable> failure, Step step) {
    return Thread.ofPlatform()
        .start(
            () -> {
              SplittableRandom r = new SplittableRandom(seed);
              try {
                while (!stop.get()) {
                  step.run(r);
                }
              } catch (Throwable e) {
                failure.compareAndSet(null, e);
              }
            });
  }
}
