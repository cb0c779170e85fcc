package io.depot.mp;

import io.depot.Depot;
import java.util.SplittableRandom;

/** Child process: puts {@code count} self-verifying objects {@code <prefix><j>} of random sizes. */
public final class WriterMain {
  private WriterMain() {}

  public static void main(String[] args) {
    String store = args[0];
    String prefix = args[1];
    int count = Integer.parseInt(args[2]);
    long seed = Long.parseLong(args[3]);
    SplittableRandom r = new SplittableRandom(seed);
    try (Depot d = Depot.open(store)) {
      for (int j = 0; j < count; j++) {
        int size = r.nextInt(10) == 0 ? 200_000 + r.nextInt(800_000) : 24 + r.nextInt(4_000);
        d.put(prefix + j, Payloads.make(seed * 1_000_003L + j, size));
      }
    }
    System.out.println("WROTE " + count);
  }
}
