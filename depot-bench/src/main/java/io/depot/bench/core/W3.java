package io.depot.bench.core;

import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.EntryClaim;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * W3: one producer process and one consumer process at the same time on one queue; each entry one
 * float64 array whose element 0 carries the sequence number: 500 entries of 1 Mi elements (8 MiB)
 * through a queue of capacity 16, and 2,000 of 256 Ki elements (2 MiB) through one of capacity 8.
 * The producer writes each entry in place (one copy from its source array into the claimed entry);
 * the consumer pops, checks the order and releases. Both first run 20,000 small entries through a
 * warm-up queue (so that the code path is compiled before it is timed, as JMH would) and then
 * warm-up entries through the timed queue itself (its entries are touched once, as in a running
 * pipeline). Also small entries: 64 bytes, 1 producer to 1 consumer and 2 to 2.
 *
 * <p>Times are {@link System#nanoTime()} (CLOCK_MONOTONIC on Linux: comparable across processes).
 */
public final class W3 {
  public static final int ENTRIES = 500;
  public static final int WARM = 400;
  public static final int WARM_SMALL = 20_000;
  public static final long WARM_SMALL_ELEMENTS = 8;
  public static final long ELEMENTS = 1L << 20;
  public static final long ENTRY_BYTES = ELEMENTS * 8;
  public static final int SMALL = 64;

  private W3() {}

  /** The store's options: the defaults but for the sizes (no tuned spin). */
  public static DepotOptions options() {
    return DepotOptions.builder()
        .capacity(512L << 20)
        .maxObjects(65_536)
        .maxHandlesPerClient(4096)
        .build();
  }

  static Track bigTrack() {
    return Track.array("x", DType.FLOAT64, ELEMENTS);
  }

  /** Child: the big-entry producer. */
  public static final class Producer {
    private Producer() {}

    /** {@code args: store queue elements entries warm}. */
    public static void main(String[] args) {
      long elements = Long.parseLong(args[2]);
      int entries = Integer.parseInt(args[3]);
      int warm = Integer.parseInt(args[4]);
      double[] source = new double[(int) elements];
      for (int i = 0; i < source.length; i++) {
        source[i] = i * 0.5;
      }
      MemorySegment src = MemorySegment.ofArray(source);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue warmSmall = d.openQueue("warm-small");
          DepotQueue q = d.openQueue(args[1])) {
        produce(warmSmall, src, WARM_SMALL);
        produce(
            q, src,
            warm); // the documented warm-up: the same queue (its entries, its code path), untimed
        long t0 = System.nanoTime();
        long[] split = produce(q, src, entries);

        long t1 = System.nanoTime();
        System.out.println(
            "W3PRODUCER start="
                + t0
                + " end="
                + t1
                + " claim_us="
                + split[0] / 1000 / entries
                + " copy_us="
                + split[1] / 1000 / entries
                + " commit_us="
                + split[2] / 1000 / entries);
      }
    }

    /**
     * Produces {@code n} entries; returns the nanoseconds spent claiming, copying and committing.
     */
    private static long[] produce(DepotQueue q, MemorySegment src, int n) {
      long[] split = new long[3];
      for (int i = 0; i < n; i++) {
        long a = System.nanoTime();
        try (EntryClaim c = q.createEntry(Duration.ofSeconds(60))) {
          long b = System.nanoTime();
          MemorySegment dst = c.track(0);
          MemorySegment.copy(src, 0, dst, 0, dst.byteSize());
          dst.set(ValueLayout.JAVA_DOUBLE, 0, i);
          long e = System.nanoTime();
          c.commit();
          split[0] += b - a;
          split[1] += e - b;
          split[2] += System.nanoTime() - e;
        }
      }
      return split;
    }
  }

  /** Child: the big-entry consumer. */
  public static final class Consumer {
    private Consumer() {}

    /** {@code args: store queue entries warm}. */
    public static void main(String[] args) {
      int entries = Integer.parseInt(args[2]);
      int warm = Integer.parseInt(args[3]);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue warmSmall = d.openQueue("warm-small");
          DepotQueue q = d.openQueue(args[1])) {
        consume(warmSmall, WARM_SMALL);
        consume(q, warm);
        long end = consume(q, entries);
        System.out.println("W3CONSUMER end=" + end);
      }
    }

    private static long consume(DepotQueue q, int n) {
      for (int i = 0; i < n; i++) {
        try (Entry e = q.pop(Duration.ofSeconds(60))) {
          double seq = e.track(0).get(ValueLayout.JAVA_DOUBLE, 0);
          if (seq != i) {
            throw new AssertionError("out of order: got " + seq + " expected " + i);
          }
        }
      }
      return System.nanoTime();
    }
  }

  /** Child: a small-entry producer ({@code args: store queue id count}). */
  public static final class SmallProducer {
    private SmallProducer() {}

    public static void main(String[] args) {
      long id = Long.parseLong(args[2]);
      int count = Integer.parseInt(args[3]);
      MemorySegment value = MemorySegment.ofArray(new long[SMALL / 8]);
      int warm = Integer.parseInt(args[4]);
      try (Depot d = Depot.open(args[0], options());
          DepotQueue q = d.openQueue(args[1])) {
        ready(d, "ready-p" + id);
        // the documented warm-up: the same code path (push, pop, release) through the same queue,
        // untimed, so that
        // the timed part runs compiled code as a long-running process does
        for (int i = 0; i < warm; i++) {
          value.set(ValueLayout.JAVA_LONG, 0, id << 32 | i);
          q.push(Duration.ofSeconds(60), value);
        }
        long t0 = System.nanoTime();
        for (int i = warm; i < warm + count; i++) {
          value.set(ValueLayout.JAVA_LONG, 0, id << 32 | i);
          q.push(Duration.ofSeconds(60), value);
        }
        System.out.println("SMALLPRODUCER start=" + t0 + " end=" + System.nanoTime());
      }
    }
  }

  /**
   * Child: a small-entry consumer ({@code args: store queue total-to-pop-by-all stop-after-ms}).
   */
  public static final class SmallConsumer {
    private SmallConsumer() {}

    public static void main(String[] args) {
      int expectedTotal = Integer.parseInt(args[2]);
      int producers = Integer.parseInt(args[3]);
      long[] last = new long[producers];
      java.util.Arrays.fill(last, -1);
      long n = 0;
      long end = 0;
      try (Depot d = Depot.open(args[0], options());
          DepotQueue q = d.openQueue(args[1])) {
        ready(d, "ready-c" + ProcessHandle.current().pid());
        while (true) {
          java.util.Optional<Entry> e;
          try {
            e = java.util.Optional.of(q.pop(Duration.ofMillis(500)));
          } catch (io.depot.DepotTimeoutException timeout) {
            if (q.tailSequence() >= expectedTotal && q.size() == 0) {
              break;
            }
            continue;
          }
          try (Entry entry = e.get()) {
            long v = entry.track(0).get(ValueLayout.JAVA_LONG, 0);
            int p = (int) (v >>> 32);
            long i = v & 0xFFFF_FFFFL;
            if (i <= last[p]) {
              throw new AssertionError("producer " + p + " out of order");
            }
            last[p] = i;
          }
          n++;
          end = System.nanoTime();
        }
      }
      System.out.println("SMALLCONSUMER count=" + n + " end=" + end);
    }
  }

  private static void ready(Depot d, String name) {
    d.put(name, new byte[0]);
  }
}
