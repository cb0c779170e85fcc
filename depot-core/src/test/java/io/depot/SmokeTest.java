package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void putGetRemove() {
    String name = TestStores.uniqueName("smoke");
    DepotOptions opts = TestStores.small().build();
    try (Depot d = Depot.create(name, opts)) {
      d.put("a", new byte[] {1, 2, 3});
      try (ObjectHandle h = d.get("a")) {
        assertArrayEquals(new byte[] {1, 2, 3}, h.toByteArray());
      }
      assertTrue(d.remove("a"));
      assertFalse(d.contains("a"));
      System.out.println(d.stats());
    } finally {
      Depot.destroy(name, opts);
    }
  }
}
