package io.depot.stm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.NDArray;
import io.depot.ObjectInfo;
import io.depot.stm.contract.StmContractTest;
import io.depot.stm.contract.StmWorker;
import io.depot.testkit.ChildJvm;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The contract on the shared-memory backend, plus what only it promises (zero-copy arrays, one
 * object per key).
 */
class ShmStmTest extends StmContractTest {
  private static final String STORE =
      "stm-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());

  @AfterAll
  static void destroyStore() {
    Depot.destroy(STORE, DepotOptions.defaults());
  }

  @Override
  protected String uri() {
    return "shm:" + STORE + "?capacity=32m&maxObjects=16384";
  }

  @Override
  protected boolean crossProcess() {
    return true;
  }

  private static List<ObjectInfo> objects(String prefix) {
    try (Depot depot = Depot.open(STORE)) {
      return depot.list(prefix);
    }
  }

  @Test
  void arraysAreReadZeroCopy() {
    Workflow wf = newWorkflow();
    float[] data = new float[1024];
    for (int i = 0; i < data.length; i++) {
      data[i] = i * 0.5f;
    }
    wf.put("emb", NDArray.of(data, 32, 32));
    try (StmValue v = wf.read("emb").orElseThrow()) {
      NDArray a = v.asArray();
      // The view is the store's mapped memory, not a heap copy, aligned for its element type.
      assertTrue(a.segment().isNative());
      assertEquals(0, a.segment().address() % 64);
      assertEquals(511.5f, a.getFloat(1023));
      wf.put("emb", NDArray.of(new float[] {1}, 1)); // replacing does not disturb the open view
      assertEquals(511.5f, a.getFloat(1023));
    }
  }

  @Test
  void oneObjectPerKeyAndClearReclaimsThem() {
    Workflow wf = newWorkflow();
    for (int i = 0; i < 10; i++) {
      wf.put("k" + i, i);
    }
    wf.put("k0", "rewritten");
    assertEquals(10, objects("stm/k/" + wf.id() + "/").size());
    assertEquals(1, objects("stm/w/" + wf.id()).size());
    wf.clear();
    assertEquals(0, objects("stm/k/" + wf.id() + "/").size());
    wf.end();
    assertEquals(0, objects("stm/w/" + wf.id()).size());
  }

  @Test
  void sweepReclaimsExpiredWorkflowsKeysAndTombstones() throws Exception {
    Workflow gone = newWorkflow();
    gone.put("a", 1);
    gone.put("b", 2);
    gone.expireAfter(Duration.ofMillis(200));
    Workflow kept = newWorkflow();
    kept.put("short", 1, Duration.ofMillis(200));
    kept.put("popped", 2);
    kept.pop("popped");
    kept.put("stays", 3);
    await("expired", () -> !gone.contains("a") && !kept.contains("short"));
    assertEquals(3, objects("stm/k/" + kept.id() + "/").size());
    int reclaimed = stm.sweepExpired();
    assertTrue(reclaimed >= 5, "reclaimed=" + reclaimed);
    assertEquals(0, objects("stm/k/" + gone.id() + "/").size());
    assertEquals(0, objects("stm/w/" + gone.id()).size());
    assertEquals(1, objects("stm/k/" + kept.id() + "/").size());
    assertEquals(3, kept.get("stays"));
  }

  @Test
  void longIdsAndKeysUseHashedNamesWithinTheLimit() {
    String id = newId("x".repeat(500));
    Workflow wf = stm.workflow(id);
    wf.put("y".repeat(1000), "v");
    for (ObjectInfo info : objects("stm/")) {
      assertTrue(
          info.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
              <= Depot.MAX_NAME_BYTES);
    }
    assertEquals("v", wf.get("y".repeat(1000)));
    assertFalse(wf.contains("y".repeat(999)));
  }

  @Test
  void aListIsAHeaderAndOneObjectPerElementAndSweepReclaimsAnExpiredOne() throws Exception {
    Workflow wf = newWorkflow();
    StmList list = wf.list("log");
    list.appendAll(List.of("a", "b", "c"));
    String root = "stm/k/" + wf.id() + "/";
    assertEquals(4, objects(root).size()); // the header and three elements
    list.trimToLast(1);
    assertEquals(2, objects(root).size());
    list.expireAfter(Duration.ofMillis(200));
    await("list expired", list::isEmpty);
    stm.sweepExpired();
    assertEquals(0, objects(root).size());
  }

  @Test
  void anAppenderKilledMidwayLeavesWholeElementsInOrder() throws Exception {
    String id = newId("killed");
    long pid;
    try (ChildJvm child =
        ChildJvm.start(
            List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
            StmWorker.class,
            "append",
            uri(),
            id,
            "log",
            "1000000")) {
      child.awaitLine("ready", 60, TimeUnit.SECONDS);
      pid = child.pid();
      child.send("go");
      StmList list = stm.workflow(id).list("log");
      await("appends under way", () -> list.size() > 200);
      child.kill(); // SIGKILL, at whatever instruction it is
    }
    StmList list = stm.workflow(id).list("log");
    List<String> all = list.all(String.class);
    assertTrue(all.size() > 200, "size=" + all.size());
    for (int i = 0; i < all.size(); i++) {
      assertEquals(pid + ":" + i, all.get(i), "whole elements, in order, no gap");
    }
    assertEquals(all.size() + 1, list.append("after"));
    assertEquals("after", list.last(1, String.class).getFirst());
  }
}
