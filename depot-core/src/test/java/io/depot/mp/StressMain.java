package io.depot.mp;

import io.depot.Depot;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.ObjectNotFoundException;
import io.depot.StoreFullException;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Child process (or in-process runner) of the stress test: {@code threads} threads each run {@code
 * ops} random operations (put, replace, get + verify, getBytes + verify, hold, remove) over names
 * {@code s0..s<names-1>} shared by every process.
 */
public final class StressMain {
  private StressMain() {}

  public static void main(String[] args) throws Exception {
    String store = args[0];
    int threads = Integer.parseInt(args[1]);
    int ops = Integer.parseInt(args[2]);
    int names = Integer.parseInt(args[3]);
    long seed = Long.parseLong(args[4]);
    try (Depot d = Depot.open(store)) {
      long[] counts = run(d, threads, ops, names, seed);
      System.out.println(
          "STRESS puts=" + counts[0] + " gets=" + counts[1] + " removes=" + counts[2]);
    }
  }

  /** Runs the workload on {@code d}; returns {puts, verified gets, removes}. */
  public static long[] run(Depot d, int threads, int ops, int names, long seed)
      throws InterruptedException {
    AtomicLong puts = new AtomicLong();
    AtomicLong gets = new AtomicLong();
    AtomicLong removes = new AtomicLong();
    Throwable[] failure = new Throwable[1];
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      long threadSeed = seed * 31 + t;
      ts[t] =
          Thread.ofPlatform()
              .start(
                  () -> {
                    SplittableRandom r = new SplittableRandom(threadSeed);
                    ObjectHandle held = null;
                    long heldCrc = 0;
                    try {
                      for (int i = 0; i < ops; i++) {
                        String name = "s" + r.nextInt(names);
                        int op = r.nextInt(100);
                        if (op < 30) {
                          int size =
                              r.nextInt(50) == 0
                                  ? 100_000 + r.nextInt(400_000)
                                  : 24 + r.nextInt(3_000);
                          try {
                            d.put(name, Payloads.make(r.nextLong(), size));
                            puts.incrementAndGet();
                          } catch (ObjectExistsException | StoreFullException expected) {
                            // another writer has the name, or the arena is momentarily full
                          }
                        } else if (op < 40) {
                          try {
                            d.replace(name, Payloads.make(r.nextLong(), 24 + r.nextInt(2_000)));
                            puts.incrementAndGet();
                          } catch (StoreFullException expected) {
                            // momentarily full
                          }
                        } else if (op < 50) {
                          // a copy out without a handle (no pin): checked by its payload alone
                          try {
                            Payloads.verify(MemorySegment.ofArray(d.getBytes(name)), name);
                            gets.incrementAndGet();
                          } catch (ObjectNotFoundException absent) {
                            // not there now
                          }
                        } else if (op < 80) {
                          Optional<ObjectHandle> oh = d.tryGet(name);
                          if (oh.isPresent()) {
                            ObjectHandle h = oh.get();
                            Payloads.verify(h.segment(), name);
                            gets.incrementAndGet();
                            if (held != null) {
                              if (Payloads.crc(held.segment()) != heldCrc) {
                                throw new AssertionError(
                                    "bytes changed under an open handle: " + held.name());
                              }
                              held.close();
                            }
                            held = h; // keep one handle open across other operations: the object is
                            // BUSY
                            heldCrc = Payloads.crc(h.segment());
                          }
                        } else {
                          if (d.remove(name)) {
                            removes.incrementAndGet();
                          }
                        }
                      }
                    } catch (Throwable e) {
                      synchronized (failure) {
                        failure[0] = e;
                      }
                    } finally {
                      if (held != null) {
                        held.close();
                      }
                    }
                  });
    }
    for (Thread t : ts) {
      t.join();
    }
    if (failure[0] != null) {
      throw new AssertionError("stress thread failed", failure[0]);
    }
    return new long[] {puts.get(), gets.get(), removes.get()};
  }
}
