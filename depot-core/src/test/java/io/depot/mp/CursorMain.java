package io.depot.mp;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.QueueCursor;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Child process: subscribes to queue {@code q} from sequence 0 and reads {@code count} entries
 * written by {@link QueueProducerMain} (one producer), checking their order and payloads; prints
 * {@code SEEN n MISSED m}.
 */
public final class CursorMain {
  private CursorMain() {}

  public static void main(String[] args) {
    String store = args[0];
    int count = Integer.parseInt(args[1]);
    try (Depot d = Depot.open(store);
        DepotQueue q = d.openQueue("q");
        QueueCursor c = q.subscribe(0)) {
      System.out.println("READY");
      System.out.flush();
      long expected = -1;
      int seen = 0;
      while (seen + c.missed() < count) {
        try (Entry e = c.next(Duration.ofSeconds(60))) {
          long id = e.track("id").get(ValueLayout.JAVA_LONG, 0);
          long payload = e.track("payload").get(ValueLayout.JAVA_LONG, 8);
          if (payload != id * 31 || (int) id <= expected) {
            throw new AssertionError(
                "entry "
                    + e.sequence()
                    + " has id="
                    + id
                    + " payload="
                    + payload
                    + " after id "
                    + expected);
          }
          expected = (int) id;
          seen++;
        }
      }
      System.out.println("SEEN " + seen + " MISSED " + c.missed());
    }
  }
}
