package io.depot.stm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.NDArray;
import io.depot.ObjectInfo;
import io.depot.TestStores;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The contract on the shared-memory backend, plus what only it promises (zero-copy arrays, one object per key). */
class ShmStmTest extends StmContractTest {
  private static final String STORE = TestStores.uniqueName("stm");

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
      assertTrue(info.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Depot.MAX_NAME_BYTES);
    }
    assertEquals("v", wf.get("y".repeat(1000)));
    assertFalse(wf.contains("y".repeat(999)));
  }
}
