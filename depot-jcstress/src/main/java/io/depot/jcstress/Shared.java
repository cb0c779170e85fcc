package io.depot.jcstress;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.internal.Inspector;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One store per jcstress fork, with two attachments (clients) standing in for two processes: actors
 * use different clients, so the protocols run exactly as across processes (the same atomics on the
 * same mapped memory).
 */
final class Shared {
  static final DepotOptions OPTIONS =
      DepotOptions.builder()
          .capacity(64L << 20)
          .maxObjects(1 << 18)
          .maxHandlesPerClient(1 << 16)
          .build();
  static final String STORE = "jcstress-" + ProcessHandle.current().pid();
  static final Depot A;
  static final Depot B;
  private static final AtomicLong COUNTER = new AtomicLong();

  static {
    Depot.destroy(STORE, OPTIONS);
    A = Depot.create(STORE, OPTIONS);
    B = Depot.open(STORE, OPTIONS);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  B.close();
                  A.close();
                  Depot.destroy(STORE, OPTIONS);
                }));
  }

  private Shared() {}

  static String freshName() {
    return "o" + COUNTER.incrementAndGet();
  }

  /** 0 FREE, 1 ZOMBIE (leaked), 2 COMMITTED, 3 anything else. */
  static int stateCode(long version) {
    String s = Inspector.state(A, version);
    if (s.equals("FREE")) {
      return 0;
    }
    if (s.startsWith("ZOMBIE")) {
      return 1;
    }
    if (s.startsWith("COMMITTED")) {
      return 2;
    }
    return 3;
  }
}
