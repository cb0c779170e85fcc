package io.depot.mp;

import io.depot.Depot;
import io.depot.DepotOptions;

/** Child process: openOrCreate the store (racing with siblings) and put one object. */
public final class CreateOrOpenMain {
  private CreateOrOpenMain() {}

  public static void main(String[] args) {
    try (Depot d =
        Depot.openOrCreate(args[0], DepotOptions.builder().capacity(16L << 20).build())) {
      d.put(args[1], "from " + args[1]);
    }
    System.out.println("OK");
  }
}
