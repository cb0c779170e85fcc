package io.depot.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.memory.chat.TokenWindowChatMemory;
import io.depot.stm.ShortTermMemory;
import io.depot.testkit.ChildJvm;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link DepotChatMemoryStore} driven by LangChain4j's real chat memories on one STM backend
 * (subclasses give the URI): windows, token windows, every message type through LangChain4j's JSON
 * codec, TTL, and two or more processes sharing one memory.
 */
abstract class ChatMemoryStoreContractTest {
  protected ShortTermMemory stm;
  private String workflow;

  /** The STM URI of the backend under test. */
  protected abstract String uri();

  @BeforeEach
  void open() {
    stm = ShortTermMemory.open(uri());
    workflow = "chat-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  @AfterEach
  void close() {
    stm.workflow(workflow).end();
    stm.close();
  }

  private DepotChatMemoryStore store(ShortTermMemory memory) {
    return DepotChatMemoryStore.builder(memory).workflow(workflow).build();
  }

  private DepotChatMemoryStore store() {
    return store(stm);
  }

  @Test
  void messageWindowMemoryKeepsTheNewestAndTheSystemMessage() {
    ChatMemory memory =
        MessageWindowChatMemory.builder()
            .id("user-1")
            .maxMessages(4)
            .chatMemoryStore(store())
            .alwaysKeepSystemMessageFirst(true)
            .build();
    memory.add(SystemMessage.from("You are terse."));
    for (int i = 0; i < 6; i++) {
      memory.add(UserMessage.from("question " + i));
      memory.add(AiMessage.from("answer " + i));
    }
    List<ChatMessage> expected =
        List.of(
            SystemMessage.from("You are terse."),
            AiMessage.from("answer 4"),
            UserMessage.from("question 5"),
            AiMessage.from("answer 5"));
    assertEquals(expected, memory.messages());
    try (ShortTermMemory other = ShortTermMemory.open(uri())) { // another client of the same data
      assertEquals(expected, store(other).getMessages("user-1"));
      assertEquals(4, other.workflow(workflow).list("user-1").size());
    }
    memory.add(SystemMessage.from("You are verbose.")); // replaces the system message: a rewrite
    List<ChatMessage> rewritten = store().getMessages("user-1");
    assertEquals(memory.messages(), rewritten);
    assertEquals(SystemMessage.from("You are verbose."), rewritten.getFirst());
    assertFalse(rewritten.contains(SystemMessage.from("You are terse.")));
  }

  @Test
  void tokenWindowMemoryStaysWithinItsTokens() {
    Cl100kTokenCountEstimator tokens = new Cl100kTokenCountEstimator();
    ChatMemory memory =
        TokenWindowChatMemory.builder()
            .id("user-2")
            .maxTokens(60, tokens)
            .chatMemoryStore(store())
            .build();
    for (int i = 0; i < 20; i++) {
      memory.add(UserMessage.from("Tell me about item number " + i + " in the catalogue, please."));
    }
    List<ChatMessage> stored = store().getMessages("user-2");
    assertEquals(memory.messages(), stored);
    assertTrue(
        tokens.estimateTokenCountInMessages(stored) <= 60,
        "tokens=" + tokens.estimateTokenCountInMessages(stored));
    assertTrue(stored.size() >= 2 && stored.size() < 20, "size=" + stored.size());
    assertEquals(
        UserMessage.from("Tell me about item number 19 in the catalogue, please."),
        stored.getLast());
  }

  @Test
  void everyMessageTypeRoundTripsThroughLangChain4jJson() {
    ToolExecutionRequest call =
        ToolExecutionRequest.builder()
            .id("call-1")
            .name("weather")
            .arguments("{\"city\":\"Zürich\"}")
            .build();
    List<ChatMessage> messages =
        List.of(
            SystemMessage.from("system"),
            UserMessage.from("Klaus", "hi 👋"),
            AiMessage.from("thinking", List.of(call)),
            ToolExecutionResultMessage.from(call, "{\"c\":21}"),
            AiMessage.from("It is 21 °C."));
    DepotChatMemoryStore store = store();
    store.updateMessages("types", messages);
    assertEquals(messages, store.getMessages("types"));
    try (ShortTermMemory other = ShortTermMemory.open(uri())) {
      assertEquals(messages, store(other).getMessages("types"));
      // Each element is LangChain4j's own JSON of one message, readable by any client of the
      // memory.
      String json = other.workflow(workflow).list("types").last(1, String.class).getFirst();
      assertTrue(json.contains("It is 21 °C."), json);
    }
  }

  @Test
  void updatesAppendAndTrimRatherThanRewrite() {
    DepotChatMemoryStore a = store();
    a.updateMessages("m", List.of(UserMessage.from("1"), AiMessage.from("2")));
    try (ShortTermMemory other = ShortTermMemory.open(uri())) {
      DepotChatMemoryStore b = store(other);
      List<ChatMessage> seenByA = a.getMessages("m");
      List<ChatMessage> seenByB = b.getMessages("m");
      // Both add a message to what they read, as two chat memories in two processes would at the
      // same time.
      List<ChatMessage> nextA = new ArrayList<>(seenByA);
      nextA.add(UserMessage.from("from a"));
      List<ChatMessage> nextB = new ArrayList<>(seenByB);
      nextB.add(UserMessage.from("from b"));
      a.updateMessages("m", nextA);
      b.updateMessages("m", nextB);
      // Appends, not rewrites: neither message is lost.
      assertEquals(
          List.of(
              UserMessage.from("1"),
              AiMessage.from("2"),
              UserMessage.from("from a"),
              UserMessage.from("from b")),
          a.getMessages("m"));
      // Evicting the oldest is a trim of the stored list, then an append.
      List<ChatMessage> window = new ArrayList<>(b.getMessages("m").subList(2, 4));
      window.add(AiMessage.from("3"));
      b.updateMessages("m", window);
      assertEquals(window, a.getMessages("m"));
    }
  }

  @Test
  void threadsAddingToOneMemoryThroughOneStoreLoseNothing() throws Exception {
    DepotChatMemoryStore store = store();
    int threads = 3;
    int each = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String tag = "t" + t;
        done.add(
            pool.submit(
                () -> {
                  ChatMemory memory =
                      MessageWindowChatMemory.builder()
                          .id("threads")
                          .maxMessages(1000)
                          .chatMemoryStore(store)
                          .build();
                  for (int i = 0; i < each; i++) {
                    memory.add(UserMessage.from(tag + ":" + i));
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(threads * each, store.getMessages("threads").size());
  }

  @Test
  void ttlPerMemoryId() throws Exception {
    DepotChatMemoryStore store =
        DepotChatMemoryStore.builder(stm).workflow(workflow).ttl(Duration.ofMillis(400)).build();
    DepotChatMemoryStore forever = store();
    store.updateMessages("short", List.of(UserMessage.from("soon gone")));
    forever.updateMessages("long", List.of(UserMessage.from("stays")));
    assertTrue(stm.workflow(workflow).list("short").ttl().isPresent());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!store.getMessages("short").isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "not expired within 10 s");
      Thread.sleep(50);
    }
    assertEquals(List.of(UserMessage.from("stays")), forever.getMessages("long"));
    assertEquals(Set.of("long"), forever.memoryIds());
  }

  @Test
  void deleteAndIds() {
    DepotChatMemoryStore store = store();
    store.updateMessages(42, List.of(UserMessage.from("a")));
    store.updateMessages("user-x", List.of(UserMessage.from("b")));
    assertEquals(Set.of("42", "user-x"), store.memoryIds());
    assertEquals(List.of(UserMessage.from("a")), store.getMessages(42));
    store.deleteMessages(42);
    assertEquals(List.of(), store.getMessages(42));
    assertEquals(Set.of("user-x"), store.memoryIds());
    store.updateMessages("user-x", List.of());
    assertEquals(List.of(), store.getMessages("user-x"));
    assertFalse(store.memoryIds().contains("user-x"));
    MessageWindowChatMemory memory =
        MessageWindowChatMemory.builder().id("c").maxMessages(3).chatMemoryStore(store).build();
    memory.add(UserMessage.from("x"));
    memory.clear();
    assertEquals(List.of(), store.getMessages("c"));
  }

  @Test
  void oneProcessWritesAnotherReadsAndAppends() throws Exception {
    DepotChatMemoryStore store = DepotChatMemoryStore.of(stm);
    String id = "handoff-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    try {
      try (ChildJvm first = start(id, 3, "first")) {
        assertEquals("ready 0", first.awaitLine("ready", 60, TimeUnit.SECONDS));
        first.send("go");
        assertEquals("done 3", first.awaitLine("done", 60, TimeUnit.SECONDS));
        first.awaitSuccess(30, TimeUnit.SECONDS);
      }
      try (ChildJvm second = start(id, 2, "second")) {
        assertEquals(
            "ready 3",
            second.awaitLine("ready", 60, TimeUnit.SECONDS)); // it sees the first's messages
        second.send("go");
        assertEquals("done 5", second.awaitLine("done", 60, TimeUnit.SECONDS));
        second.awaitSuccess(30, TimeUnit.SECONDS);
      }
      List<ChatMessage> all = store.getMessages(id);
      assertEquals(
          List.of(
              UserMessage.from("first:0"),
              UserMessage.from("first:1"),
              UserMessage.from("first:2"),
              UserMessage.from("second:0"),
              UserMessage.from("second:1")),
          all);
    } finally {
      store.deleteMessages(id);
    }
  }

  @Test
  void concurrentProcessesAddingToOneMemoryLoseNothing() throws Exception {
    DepotChatMemoryStore store = DepotChatMemoryStore.of(stm);
    String id = "shared-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    int processes = 3;
    int each = 20;
    List<ChildJvm> children = new ArrayList<>();
    try {
      for (int p = 0; p < processes; p++) {
        children.add(start(id, each, "p" + p));
      }
      for (ChildJvm c : children) {
        c.awaitLine("ready", 60, TimeUnit.SECONDS);
      }
      for (ChildJvm c : children) {
        c.send("go");
      }
      for (ChildJvm c : children) {
        c.awaitSuccess(120, TimeUnit.SECONDS);
      }
      List<ChatMessage> all = store.getMessages(id);
      assertEquals(processes * each, all.size(), "every message of every process: " + all);
      Map<String, Integer> next = new HashMap<>();
      for (ChatMessage m : all) {
        String text = ((UserMessage) m).singleText();
        String tag = text.substring(0, text.indexOf(':'));
        int i = Integer.parseInt(text.substring(text.indexOf(':') + 1));
        assertEquals(next.getOrDefault(tag, 0), i, "each process's messages in its order: " + all);
        next.put(tag, i + 1);
      }
    } finally {
      children.forEach(ChildJvm::close);
      store.deleteMessages(id);
    }
  }

  private ChildJvm start(String memoryId, int count, String tag) {
    return ChildJvm.start(
        List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
        ChatMemoryWorker.class,
        uri(),
        memoryId,
        Integer.toString(count),
        tag);
  }
}
