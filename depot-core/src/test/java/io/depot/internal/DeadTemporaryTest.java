package io.depot.internal;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.TestStores;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A create removes the temporary files that dead creators of the same store left behind (a creator
 * killed before it published), and keeps those of live processes and of other stores.
 */
class DeadTemporaryTest {
  @TempDir Path dir;

  @Test
  void createRemovesTheTemporariesOfDeadCreatorsOnly() throws Exception {
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor();
    Process live = new ProcessBuilder("sleep", "60").start();
    try {
      String name = TestStores.uniqueName("tmp");
      Path dead = dir.resolve("." + name + ".depot." + gone.pid() + ".1f2e3d.tmp");
      Path alive = dir.resolve("." + name + ".depot." + live.pid() + ".4c5b6a.tmp");
      Path mine = dir.resolve("." + name + ".depot." + ProcessHandle.current().pid() + ".77.tmp");
      Path other = dir.resolve(".other-" + name + ".depot." + gone.pid() + ".1f2e3d.tmp");
      Path odd = dir.resolve("." + name + ".depot.notapid.1f2e3d.tmp");
      for (Path p : new Path[] {dead, alive, mine, other, odd}) {
        Files.write(p, new byte[4096]);
      }
      DepotOptions options = TestStores.small().directory(dir).build();
      try (Depot d = Depot.create(name, options)) {
        d.put("a", new byte[] {1});
      } finally {
        Depot.destroy(name, options);
      }
      assertFalse(Files.exists(dead), "a dead creator's temporary file is removed");
      assertTrue(Files.exists(alive), "a live process's is kept");
      assertTrue(Files.exists(mine), "this process's own (another thread's create) is kept");
      assertTrue(Files.exists(other), "another store's is kept");
      assertTrue(Files.exists(odd), "a file not named by a creator is kept");
    } finally {
      live.destroyForcibly().waitFor();
    }
  }
}
