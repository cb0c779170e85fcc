package io.depot;

import java.util.concurrent.ThreadLocalRandom;

/** Unique store names for tests, and their clean-up. */
public final class TestStores {
  private TestStores() {}

  /** A store name no other test uses. */
  public static String uniqueName(String prefix) {
    return prefix
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  /** Small options for tests: 8 MiB, 4096 objects. */
  public static DepotOptions.Builder small() {
    return DepotOptions.builder().capacity(8L << 20).maxObjects(4096);
  }
}
