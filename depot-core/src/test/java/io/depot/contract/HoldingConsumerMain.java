package io.depot.contract;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.ObjectStore;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.time.Duration;

/**
 * Child process: pops one entry of queue {@code args[1]} of the store at {@code args[0]}, prints
 * {@code GOT seq value} and holds it, unreleased, until it is killed.
 */
public final class HoldingConsumerMain {
  private HoldingConsumerMain() {}

  public static void main(String[] args) throws InterruptedException {
    ObjectStore store = Depot.open(URI.create(args[0]));
    DepotQueue q = store.openQueue(args[1]);
    Entry e = q.pop(Duration.ofSeconds(30));
    System.out.println(
        "GOT " + e.sequence() + " " + e.track(0).get(ValueLayout.JAVA_LONG_UNALIGNED, 0));
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
