package io.depot.bench.peers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code depot bench peers --only}: which workloads a run picks, and a wrong name. */
class PeersOptionsTest {
  @Test
  void onlyPicksTheNamedWorkloads() {
    Set<String> picked = PeersBench.workloads("W2, W1,mixed");
    assertEquals(Set.of("W2", "W1", "mixed"), picked);
    assertTrue(PeersBench.WORKLOADS.containsAll(picked));
  }

  @Test
  void anUnknownWorkloadIsRefusedByName() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PeersBench.workloads("W1,W9"));
    assertTrue(e.getMessage().contains("W9"), e.getMessage());
    assertTrue(e.getMessage().contains("W3-small"), "lists the workloads: " + e.getMessage());
  }
}
