package io.depot.bench.core;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.Prefault;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Attach: many processes attach at once to one large store (SMOS's "more than 64 processes"): the
 * time each spends in {@link Depot#open}, with a given {@link Prefault} mode. The processes start
 * together; each measures its own {@code open}, then waits until all are attached and detaches.
 */
public final class Attach {
  private Attach() {}

  /** The store: 2 GiB. */
  public static final long CAPACITY = 2L << 30;

  /**
   * Runs {@code processes} children attaching at once with {@code prefault}; returns a line of
   * figures: {@code open_ms} min, median, max, and the seconds until all were attached.
   */
  public static String run(String store, int processes, Prefault prefault) throws Exception {
    DepotOptions opts =
        DepotOptions.builder().capacity(CAPACITY).maxClients(Math.max(64, processes + 8)).build();
    try (Depot d = Depot.create(store, opts)) {
      List<ChildJvm> children = new ArrayList<>();
      long t0 = System.nanoTime();
      try {
        for (int i = 0; i < processes; i++) {
          children.add(
              ChildJvm.start(
                  List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"),
                  Child.class,
                  store,
                  prefault.name()));
        }
        List<Double> ms = new ArrayList<>();
        for (ChildJvm c : children) {
          String line = c.awaitLine("OPEN ", 600, TimeUnit.SECONDS);
          ms.add(Double.parseDouble(line.substring(5)));
        }
        double all = (System.nanoTime() - t0) / 1e9;
        d.put("stop", "all attached");
        for (ChildJvm c : children) {
          c.awaitSuccess(120, TimeUnit.SECONDS);
        }
        Collections.sort(ms);
        return String.format(
            "processes=%d prefault=%s open_ms min=%.0f median=%.0f max=%.0f all_attached_s=%.1f",
            processes, prefault, ms.getFirst(), ms.get(ms.size() / 2), ms.getLast(), all);
      } finally {
        children.forEach(ChildJvm::close);
      }
    } finally {
      Depot.destroy(store, opts);
    }
  }

  /** Child: attaches, prints the time {@code open} took, waits for the signal, detaches. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) throws Exception {
      DepotOptions opts = DepotOptions.builder().prefault(Prefault.valueOf(args[1])).build();
      long t0 = System.nanoTime();
      try (Depot d = Depot.open(args[0], opts)) {
        System.out.printf("OPEN %.1f%n", (System.nanoTime() - t0) / 1e6);
        System.out.flush();
        while (!d.contains("stop")) {
          Thread.sleep(20);
        }
      }
    }
  }
}
