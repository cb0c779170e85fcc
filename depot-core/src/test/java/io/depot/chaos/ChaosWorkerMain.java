package io.depot.chaos;

import io.depot.Depot;
import io.depot.DepotException;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.StoreFullException;
import io.depot.WriteClaim;
import io.depot.mp.Payloads;
import java.io.PrintStream;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * A chaos worker: runs a mixed workload until it is killed. Before an operation whose effect the
 * parent must not take for granted it prints an intent line; after an operation it may rely on, an
 * acknowledgement:
 *
 * <ul>
 *   <li>{@code ACK name} after a put or an in-place commit returned (the object must exist and
 *       verify from then on, unless a later {@code DEL} or {@code REP} names it);
 *   <li>{@code DEL name} before a remove, {@code REP name} before a replace (the object may then be
 *       either way);
 *   <li>{@code PUSH id} after a queue push returned, {@code POP id} after a pop returned, {@code
 *       RELEASING id} before a popped entry is closed (released: consumed) and {@code REL id}
 *       after.
 * </ul>
 *
 * Every value is self-verifying ({@link Payloads}); every read is verified, and a failure exits
 * with status 3.
 */
public final class ChaosWorkerMain {
  private ChaosWorkerMain() {}

  public static void main(String[] args) {
    String store = args[0];
    int worker = Integer.parseInt(args[1]);
    long seed = Long.parseLong(args[2]);
    PrintStream out = System.out;
    SplittableRandom r = new SplittableRandom(seed);
    ArrayDeque<String> mine = new ArrayDeque<>();
    List<ObjectHandle> held = new ArrayList<>();
    List<Entry> heldEntries = new ArrayList<>();
    long n = 0;
    try (Depot d = Depot.open(store);
        DepotQueue q = d.openQueue("cq")) {
      out.println("READY");
      out.flush();
      long stopAt =
          args.length > 3
              ? System.nanoTime() + Long.parseLong(args[3]) * 1_000_000L
              : Long.MAX_VALUE;
      while (System.nanoTime() < stopAt) {
        n++;
        String name = "w" + worker + "-" + seed + "-" + n;
        int op = r.nextInt(100);
        try {
          if (op < 25) {
            int size = r.nextInt(30) == 0 ? 100_000 + r.nextInt(300_000) : 24 + r.nextInt(2_000);
            d.put(name, Payloads.make(r.nextLong(), size));
            ack(out, "ACK " + name);
            mine.add(name);
          } else if (op < 32) {
            int size = 24 + r.nextInt(50_000);
            byte[] payload = Payloads.make(r.nextLong(), size);
            try (WriteClaim c = d.claim(name, size)) {
              MemorySegment.copy(MemorySegment.ofArray(payload), 0, c.segment(), 0, size);
              c.commit();
            }
            ack(out, "ACK " + name);
            mine.add(name);
          } else if (op < 45 && !mine.isEmpty()) {
            String victim = mine.poll();
            ack(out, "DEL " + victim);
            d.remove(victim);
          } else if (op < 50 && !mine.isEmpty()) {
            String target = mine.peekLast();
            ack(out, "REP " + target);
            d.replace(target, Payloads.make(r.nextLong(), 24 + r.nextInt(3_000)));
          } else if (op < 70) {
            // read someone's object (any worker's) and verify it
            List<io.depot.ObjectInfo> some = d.list("w" + r.nextInt(4) + "-");
            if (!some.isEmpty()) {
              String other = some.get(r.nextInt(some.size())).name();
              Optional<ObjectHandle> h = d.tryGet(other);
              if (h.isPresent()) {
                Payloads.verify(h.get().segment(), other);
                if (r.nextInt(4) == 0 && held.size() < 8) {
                  held.add(h.get()); // keep it BUSY across other operations
                } else {
                  h.get().close();
                }
              }
            }
          } else if (op < 80) {
            // unique across rounds and workers: the round (seed >>> 20, see ChaosTest.workerSeed),
            // worker, counter
            long id = (seed >>> 20) << 40 | (long) worker << 36 | n;
            Optional<EntryClaim> c = q.tryCreateEntry();
            if (c.isPresent()) {
              try (EntryClaim claim = c.get()) {
                MemorySegment.copy(
                    MemorySegment.ofArray(Payloads.make(id, 256)), 0, claim.track(0), 0, 256);
                claim.commit();
              }
              ack(out, "PUSH " + Long.toHexString(id));
            }
          } else if (op < 90) {
            Optional<Entry> e = q.tryPop();
            if (e.isPresent()) {
              long id = Payloads.verify(e.get().track(0), "queue entry");
              ack(out, "POP " + Long.toHexString(id));
              if (r.nextInt(3) == 0 && heldEntries.size() < 4) {
                heldEntries.add(e.get());
              } else {
                release(out, e.get());
              }
            }
          } else if (op < 93) {
            Optional<Entry> latest = q.readLatest();
            if (latest.isPresent()) {
              try (Entry e = latest.get()) {
                Payloads.verify(e.track(0), "latest entry");
              }
            }
          } else {
            if (!held.isEmpty()) {
              held.remove(r.nextInt(held.size())).close();
            }
            if (!heldEntries.isEmpty()) {
              release(out, heldEntries.remove(0));
            }
          }
        } catch (StoreFullException | ObjectExistsException | DepotTimeoutException full) {
          // expected under load: make room
          if (!mine.isEmpty()) {
            String victim = mine.poll();
            ack(out, "DEL " + victim);
            d.remove(victim);
          }
        } catch (io.depot.DirectoryFullException full) {
          if (!mine.isEmpty()) {
            String victim = mine.poll();
            ack(out, "DEL " + victim);
            d.remove(victim);
          }
        }
      }
      held.forEach(ObjectHandle::close);
      heldEntries.forEach(e -> release(out, e));
    } catch (DepotException | AssertionError e) {
      e.printStackTrace();
      System.exit(3);
    }
    out.println("DONE");
  }

  /** Closes a popped entry (which consumes it), saying so before and after. */
  private static void release(PrintStream out, Entry e) {
    String id =
        Long.toHexString(e.track(0).get(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0));
    ack(out, "RELEASING " + id);
    e.close();
    ack(out, "REL " + id);
  }

  private static void ack(PrintStream out, String line) {
    out.println(line);
    out.flush();
  }
}
