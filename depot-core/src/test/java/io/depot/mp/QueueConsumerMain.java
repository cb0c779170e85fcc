package io.depot.mp;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import java.lang.foreign.ValueLayout;
import java.time.Duration;

/**
 * Child process: pops until the queue stays empty for a while, checks per-producer order and
 * payloads, and prints every value it got (one line per value, "GOT producer index").
 */
public final class QueueConsumerMain {
  private QueueConsumerMain() {}

  public static void main(String[] args) {
    String store = args[0];
    int producers = Integer.parseInt(args[1]);
    long[] last = new long[producers];
    java.util.Arrays.fill(last, -1);
    StringBuilder out = new StringBuilder();
    int n = 0;
    try (Depot d = Depot.open(store);
        DepotQueue q = d.openQueue("q")) {
      while (true) {
        Entry e;
        try {
          e = q.pop(Duration.ofSeconds(3));
        } catch (DepotTimeoutException timeout) {
          break;
        }
        try (e) {
          long v = e.track("id").get(ValueLayout.JAVA_LONG, 0);
          if (e.track("payload").get(ValueLayout.JAVA_LONG, 8) != v * 31) {
            throw new AssertionError("payload mismatch for " + Long.toHexString(v));
          }
          int p = (int) (v >>> 32);
          long i = v & 0xFFFF_FFFFL;
          if (i <= last[p]) {
            throw new AssertionError("producer " + p + " out of order: " + i + " after " + last[p]);
          }
          last[p] = i;
          out.append("GOT ").append(p).append(' ').append(i).append('\n');
          n++;
        }
      }
    }
    System.out.print(out);
    System.out.println("CONSUMED " + n);
  }
}
