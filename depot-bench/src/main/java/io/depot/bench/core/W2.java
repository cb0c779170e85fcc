package io.depot.bench.core;

import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.bench.Memcpy;
import io.depot.bench.Stats;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * W2: a writer process puts one float64 array of 64 Mi elements (512 MiB) from a Java array; a
 * separate reader process gets it (time to a usable view) and sums it through {@link
 * NDArray#sum()}, the bulk path, right after {@code open} and again on touched pages, then with an
 * element loop over the segment (every sum is checked). The writer also measures memcpy of the same
 * bytes (heap array to touched native memory) in the same process.
 */
public final class W2 {
  public static final long ELEMENTS = 64L << 20;
  public static final long BYTES = ELEMENTS * 8;

  private W2() {}

  public static DepotOptions options() {
    return DepotOptions.builder().capacity(BYTES + (4L << 20)).maxObjects(1024).build();
  }

  /** Child: writer. */
  public static final class Writer {
    private Writer() {}

    public static void main(String[] args) {
      double memcpy = Memcpy.heapToNativeGiBs(BYTES, 5);
      double[] values = new double[(int) ELEMENTS];
      for (int i = 0; i < values.length; i++) {
        values[i] = i;
      }
      // args[1]: how this process pre-faults its mapping (the library's default, AUTO: in the
      // background after open)
      io.depot.Prefault prefault =
          args.length > 1 ? io.depot.Prefault.valueOf(args[1]) : io.depot.Prefault.AUTO;
      long o0 = System.nanoTime();
      try (Depot d = Depot.open(args[0], options().toBuilder().prefault(prefault).build())) {
        long open = System.nanoTime() - o0;
        d.remove("w2"); // left by an earlier writer of the run
        for (int r = 0; r < 3; r++) { // warm-up of the put path on a small array
          d.put("warm", NDArray.of(new double[1024]));
          d.remove("warm");
        }
        // the workload's put, then four more put/remove cycles for a steadier figure
        long[] times = new long[5];
        for (int r = 0; r < times.length; r++) {
          long t0 = System.nanoTime();
          d.put("w2", NDArray.of(values, ELEMENTS));
          times[r] = System.nanoTime() - t0;
          if (r < times.length - 1) {
            d.remove("w2");
          }
        }
        long first = times[0];
        long[] sorted = times.clone();
        java.util.Arrays.sort(sorted);
        long median = sorted[sorted.length / 2];
        double gibs = BYTES / (median / 1e9) / (1L << 30);
        double firstGibs = BYTES / (first / 1e9) / (1L << 30);
        System.out.printf(
            "W2PUT seconds=%.4f gibs=%.3f memcpy=%.3f ratio=%.3f first_gibs=%.3f first_ratio=%.3f "
                + "open_s=%.3f open_plus_first_put_s=%.3f%n",
            median / 1e9,
            gibs,
            memcpy,
            gibs / memcpy,
            firstGibs,
            firstGibs / memcpy,
            open / 1e9,
            (open + first) / 1e9);
      }
    }
  }

  /** Child: reader. */
  public static final class Reader {
    private Reader() {}

    public static void main(String[] args) {
      io.depot.Prefault prefault =
          args.length > 1 ? io.depot.Prefault.valueOf(args[1]) : io.depot.Prefault.AUTO;
      long o0 = System.nanoTime();
      try (Depot d = Depot.open(args[0], options().toBuilder().prefault(prefault).build())) {
        long open = System.nanoTime() - o0;
        d.remove("probe");
        d.put("probe", NDArray.of(new double[8]));
        long c0 = System.nanoTime();
        ObjectHandle first = d.get("w2");
        NDArray firstView = first.asArray();
        long cold = System.nanoTime() - c0;
        if (firstView.size() != ELEMENTS) {
          throw new AssertionError("size " + firstView.size());
        }
        first.close();
        for (int i = 0; i < 20_000; i++) { // warm the get path
          try (ObjectHandle h = d.get("probe")) {
            h.asArray();
          }
        }
        Stats get = new Stats(1000);
        for (int i = 0; i < 1000; i++) {
          long t0 = System.nanoTime();
          ObjectHandle h = d.get("w2");
          NDArray a = h.asArray();
          get.add(System.nanoTime() - t0);
          if (a.dtype() != DType.FLOAT64) {
            throw new AssertionError();
          }
          h.close();
        }
        try (ObjectHandle h = d.get("w2")) {
          NDArray a = h.asArray();
          double expected = (double) ELEMENTS * (ELEMENTS - 1) / 2;
          // the bulk path, first right after open (the pages this process has not touched yet cost
          // this VM's
          // first-access time), then again on touched pages (steady state)
          long t0 = System.nanoTime();
          double firstSum = a.sum();
          long t = System.nanoTime() - t0;
          long w0 = System.nanoTime();
          double warm = a.sum();
          long tw = System.nanoTime() - w0;
          // the element loop through the typed accessor of the segment, for comparison
          MemorySegment s = a.segment();
          long e0 = System.nanoTime();
          double s0 = 0;
          double s1 = 0;
          double s2 = 0;
          double s3 = 0;
          for (long i = 0; i < ELEMENTS; i += 4) {
            s0 += s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            s1 += s.getAtIndex(ValueLayout.JAVA_DOUBLE, i + 1);
            s2 += s.getAtIndex(ValueLayout.JAVA_DOUBLE, i + 2);
            s3 += s.getAtIndex(ValueLayout.JAVA_DOUBLE, i + 3);
          }
          double loop = (s0 + s1) + (s2 + s3);
          long te = System.nanoTime() - e0;
          if (firstSum != expected || warm != expected || loop != expected) {
            throw new AssertionError(
                "sum " + firstSum + " / " + warm + " / " + loop + " != " + expected);
          }
          System.out.printf("W2GET cold_us=%.1f %s%n", cold / 1e3, get.summary());
          System.out.printf(
              "W2SUM seconds=%.4f gibs=%.3f warm_gibs=%.3f element_loop_gibs=%.3f sum_ok=true "
                  + "open_s=%.3f%n",
              t / 1e9,
              BYTES / (t / 1e9) / (1L << 30),
              BYTES / (tw / 1e9) / (1L << 30),
              BYTES / (te / 1e9) / (1L << 30),
              open / 1e9);
        }
      }
    }
  }
}
