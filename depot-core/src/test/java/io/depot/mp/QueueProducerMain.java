package io.depot.mp;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.EntryClaim;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Child process: pushes {@code count} entries {@code (producerId << 32 | i)} into queue {@code q}.
 */
public final class QueueProducerMain {
  private QueueProducerMain() {}

  public static void main(String[] args) {
    String store = args[0];
    long id = Long.parseLong(args[1]);
    int count = Integer.parseInt(args[2]);
    try (Depot d = Depot.open(store);
        DepotQueue q = d.openQueue("q")) {
      for (int i = 0; i < count; i++) {
        try (EntryClaim c = q.createEntry(Duration.ofSeconds(60))) {
          c.track("id").set(ValueLayout.JAVA_LONG, 0, id << 32 | i);
          // a payload derived from the id, checked by the consumer
          c.track("payload").set(ValueLayout.JAVA_LONG, 8, (id << 32 | i) * 31);
          c.commit();
        }
      }
    }
    System.out.println("PRODUCED " + count);
  }
}
