package io.depot.spring.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link DepotChatMemoryRepository#saveAll} tells an append or a window's eviction from a
 * rewrite.
 */
class EvictedPrefixTest {
  @Test
  void appendsEvictionsAndRewrites() {
    assertEquals(0, DepotChatMemoryRepository.evictedPrefix(List.of(), List.of("a")));
    assertEquals(0, DepotChatMemoryRepository.evictedPrefix(List.of("a"), List.of("a", "b")));
    assertEquals(
        1, DepotChatMemoryRepository.evictedPrefix(List.of("a", "b", "c"), List.of("b", "c", "d")));
    assertEquals(2, DepotChatMemoryRepository.evictedPrefix(List.of("a", "b", "c"), List.of("c")));
    assertEquals(-1, DepotChatMemoryRepository.evictedPrefix(List.of("a", "b"), List.of("x")));
    assertEquals(
        -1, DepotChatMemoryRepository.evictedPrefix(List.of("s1", "b"), List.of("s2", "b")));
    assertEquals(-1, DepotChatMemoryRepository.evictedPrefix(List.of("a"), List.of()));
  }
}
