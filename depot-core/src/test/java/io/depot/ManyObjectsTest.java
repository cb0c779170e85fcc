package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** A million small objects in one store. */
class ManyObjectsTest extends StoreExtension {
  @Test
  void oneMillionSmallObjects() {
    int n = 1_000_000;
    Depot d = newStore(DepotOptions.builder().capacity(160L << 20).maxObjects(n).build());
    ByteBuffer b = ByteBuffer.allocate(8);
    for (int i = 0; i < n; i++) {
      d.put("k" + i, b.putLong(0, i).array());
    }
    assertEquals(n, d.stats().objects());
    assertThrows(DirectoryFullException.class, () -> d.put("one-more", new byte[1]));
    for (int i = 0; i < n; i += 997) {
      assertEquals(i, ByteBuffer.wrap(d.getBytes("k" + i)).getLong());
    }
    for (int i = 0; i < n; i++) {
      assertTrue(d.remove("k" + i));
    }
    StoreStats s = d.stats();
    assertEquals(0, s.objects());
    assertEquals(0, s.usedBlockBytes());
  }
}
