package io.depot.mp;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import java.io.PrintStream;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Child process: pops and releases entries of queue {@code q} as fast as it can until it is killed,
 * printing {@code GOT id} once it has an entry and {@code REL id} once its release returned (the
 * entry is then consumed).
 */
public final class KilledConsumerMain {
  private KilledConsumerMain() {}

  public static void main(String[] args) {
    PrintStream out = System.out;
    try (Depot d = Depot.open(args[0]);
        DepotQueue q = d.openQueue("q")) {
      out.println("READY");
      out.flush();
      while (true) {
        Entry e;
        try {
          e = q.pop(Duration.ofSeconds(10));
        } catch (DepotTimeoutException timeout) {
          continue;
        }
        long id = e.track(0).get(ValueLayout.JAVA_LONG, 0);
        out.println("GOT " + id);
        out.flush();
        e.close();
        out.println("REL " + id);
        out.flush();
      }
    }
  }
}
