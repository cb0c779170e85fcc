package io.depot.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.depot.langchain4j.DepotChatMemoryStore.Change;
import io.depot.langchain4j.DepotChatMemoryStore.Change.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@link DepotChatMemoryStore#updateMessages} tells an append or a window's eviction from a
 * rewrite.
 */
class ChangeTest {
  @Test
  void appendsEvictionsAndRewrites() {
    assertEquals(new Change(Kind.NONE, 0, 2), Change.between(List.of("a", "b"), List.of("a", "b")));
    assertEquals(new Change(Kind.APPEND, 0, 0), Change.between(List.of(), List.of("a")));
    assertEquals(
        new Change(Kind.APPEND, 0, 2), Change.between(List.of("a", "b"), List.of("a", "b", "c")));
    // A full window: the oldest goes, a new one comes.
    assertEquals(
        new Change(Kind.APPEND, 1, 2),
        Change.between(List.of("a", "b", "c"), List.of("b", "c", "d")));
    // Only evictions.
    assertEquals(
        new Change(Kind.APPEND, 2, 1), Change.between(List.of("a", "b", "c"), List.of("c")));
    // Nothing in common, an edit in the middle, a new first (system) message, or emptied: rewrites.
    assertEquals(Kind.REWRITE, Change.between(List.of("a", "b"), List.of("x", "y")).kind());
    assertEquals(
        Kind.REWRITE, Change.between(List.of("a", "b", "c"), List.of("a", "x", "c", "d")).kind());
    assertEquals(
        Kind.REWRITE, Change.between(List.of("s1", "b", "c"), List.of("s2", "b", "c")).kind());
    assertEquals(Kind.REWRITE, Change.between(List.of("a"), List.of()).kind());
  }
}
