package io.depot.spring.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.stm.InvalidValueException;
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
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.content.Media;
import org.springframework.util.MimeTypeUtils;

/**
 * {@link DepotChatMemoryRepository} driven by Spring AI's real {@link MessageWindowChatMemory} on
 * one STM backend (subclasses give the URI), in this process and across processes.
 */
abstract class ChatMemoryRepositoryContractTest {
  protected ShortTermMemory stm;
  private String workflow;

  protected abstract String uri();

  @BeforeEach
  void open() {
    stm = ShortTermMemory.open(uri());
    workflow = "spring-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
  }

  @AfterEach
  void close() {
    stm.workflow(workflow).end();
    stm.close();
  }

  private DepotChatMemoryRepository repository(ShortTermMemory memory) {
    return DepotChatMemoryRepository.builder(memory).workflow(workflow).build();
  }

  private DepotChatMemoryRepository repository() {
    return repository(stm);
  }

  @Test
  void messageWindowChatMemoryBehavesAsOnSpringAisOwnRepository() {
    MessageWindowChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repository()).maxMessages(4).build();
    MessageWindowChatMemory reference =
        MessageWindowChatMemory.builder()
            .chatMemoryRepository(new InMemoryChatMemoryRepository())
            .maxMessages(4)
            .build();
    for (MessageWindowChatMemory m : List.of(memory, reference)) {
      m.add("c", new SystemMessage("be brief"));
      for (int i = 0; i < 5; i++) {
        m.add("c", new UserMessage("q" + i));
        m.add("c", new AssistantMessage("a" + i));
      }
      m.add("c", new SystemMessage("be precise")); // a new system message replaces the old one
      m.add("c", new UserMessage("last"));
    }
    List<Message> window = memory.get("c");
    assertEquals(reference.get("c"), window);
    assertTrue(window.contains(new SystemMessage("be precise")), window.toString());
    assertEquals(new UserMessage("last"), window.getLast());
    try (ShortTermMemory other = ShortTermMemory.open(uri())) {
      assertEquals(window, repository(other).findByConversationId("c"));
      assertEquals(window.size(), other.workflow(workflow).list("c").size());
    }
    memory.clear("c");
    assertEquals(List.of(), repository().findByConversationId("c"));
  }

  @Test
  void everyMessageTypeRoundTrips() {
    AssistantMessage.ToolCall call =
        new AssistantMessage.ToolCall("call-1", "function", "weather", "{\"city\":\"Zürich\"}");
    List<Message> messages =
        List.of(
            new SystemMessage("system"),
            UserMessage.builder().text("hi 👋").metadata(Map.of("user", "klaus")).build(),
            AssistantMessage.builder().content("calling").toolCalls(List.of(call)).build(),
            ToolResponseMessage.builder()
                .responses(
                    List.of(
                        new ToolResponseMessage.ToolResponse("call-1", "weather", "{\"c\":21}")))
                .build(),
            new AssistantMessage("It is 21 °C."));
    DepotChatMemoryRepository repo = repository();
    repo.saveAll("types", messages);
    try (ShortTermMemory other = ShortTermMemory.open(uri())) {
      List<Message> back = repository(other).findByConversationId("types");
      assertEquals(messages, back);
      // Stored as plain JSON, one element per message.
      Object first = other.workflow(workflow).list("types").all().getFirst();
      assertEquals("SYSTEM", ((Map<?, ?>) first).get("type"));
    }
    UserMessage withMedia =
        UserMessage.builder()
            .text("look")
            .media(
                new Media(
                    MimeTypeUtils.IMAGE_PNG,
                    new org.springframework.core.io.ByteArrayResource(new byte[] {1})))
            .build();
    assertThrows(InvalidValueException.class, () -> repo.saveAll("media", List.of(withMedia)));
  }

  @Test
  void saveAllAppendsSoConcurrentAdditionsSurvive() {
    DepotChatMemoryRepository a = repository();
    a.saveAll("c", List.of(new UserMessage("1")));
    try (ShortTermMemory other = ShortTermMemory.open(uri())) {
      DepotChatMemoryRepository b = repository(other);
      List<Message> seenA = new ArrayList<>(a.findByConversationId("c"));
      List<Message> seenB = new ArrayList<>(b.findByConversationId("c"));
      seenA.add(new UserMessage("from a"));
      seenB.add(new UserMessage("from b"));
      a.saveAll("c", seenA);
      b.saveAll("c", seenB);
      assertEquals(
          List.of(new UserMessage("1"), new UserMessage("from a"), new UserMessage("from b")),
          a.findByConversationId("c"));
    }
  }

  @Test
  void threadsAddingToOneConversationThroughOneRepositoryLoseNothing() throws Exception {
    DepotChatMemoryRepository repo = repository();
    MessageWindowChatMemory memory =
        MessageWindowChatMemory.builder().chatMemoryRepository(repo).maxMessages(1000).build();
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
                  for (int i = 0; i < each; i++) {
                    memory.add("threads", new UserMessage(tag + ":" + i));
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
    assertEquals(threads * each, repo.findByConversationId("threads").size());
  }

  @Test
  void refreshDeletesAndAdds() {
    DepotChatMemoryRepository repo = repository();
    repo.saveAll(
        "r", List.of(new UserMessage("1"), new AssistantMessage("2"), new UserMessage("3")));
    repo.refresh("r", List.of(new UserMessage("1")), List.of(new AssistantMessage("4")));
    assertEquals(
        List.of(new AssistantMessage("2"), new UserMessage("3"), new AssistantMessage("4")),
        repo.findByConversationId("r"));
    repo.refresh("r", List.of(new UserMessage("3")), List.of()); // not the oldest: a rewrite
    assertEquals(
        List.of(new AssistantMessage("2"), new AssistantMessage("4")),
        repo.findByConversationId("r"));
    repo.refresh("r", List.of(), List.of(new UserMessage("5")));
    assertEquals(3, repo.findByConversationId("r").size());
  }

  @Test
  void idsDeleteAndTtl() throws Exception {
    DepotChatMemoryRepository repo = repository();
    DepotChatMemoryRepository expiring =
        DepotChatMemoryRepository.builder(stm)
            .workflow(workflow)
            .ttl(Duration.ofMillis(400))
            .build();
    repo.saveAll("kept", List.of(new UserMessage("k")));
    repo.saveAll("deleted", List.of(new UserMessage("d")));
    expiring.saveAll("short", List.of(new UserMessage("s")));
    assertEquals(Set.of("kept", "deleted", "short"), Set.copyOf(repo.findConversationIds()));
    repo.deleteByConversationId("deleted");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!repo.findByConversationId("short").isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "not expired within 10 s");
      Thread.sleep(50);
    }
    assertEquals(List.of("kept"), repo.findConversationIds());
  }

  @Test
  void oneProcessWritesAnotherReadsAndAppends() throws Exception {
    DepotChatMemoryRepository repo = DepotChatMemoryRepository.builder(stm).build();
    String id = "handoff-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    try {
      try (ChildJvm first = start(id, 3, "first")) {
        assertEquals("ready 0", first.awaitLine("ready", 60, TimeUnit.SECONDS));
        first.send("go");
        assertEquals("done 3", first.awaitLine("done", 60, TimeUnit.SECONDS));
        first.awaitSuccess(30, TimeUnit.SECONDS);
      }
      try (ChildJvm second = start(id, 2, "second")) {
        assertEquals("ready 3", second.awaitLine("ready", 60, TimeUnit.SECONDS));
        second.send("go");
        assertEquals("done 5", second.awaitLine("done", 60, TimeUnit.SECONDS));
        second.awaitSuccess(30, TimeUnit.SECONDS);
      }
      assertEquals(
          List.of(
              new UserMessage("first:0"),
              new UserMessage("first:1"),
              new UserMessage("first:2"),
              new UserMessage("second:0"),
              new UserMessage("second:1")),
          repo.findByConversationId(id));
    } finally {
      repo.deleteByConversationId(id);
    }
  }

  @Test
  void concurrentProcessesAddingToOneConversationLoseNothing() throws Exception {
    DepotChatMemoryRepository repo = DepotChatMemoryRepository.builder(stm).build();
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
      List<Message> all = repo.findByConversationId(id);
      assertEquals(processes * each, all.size(), "every message of every process: " + all);
      Map<String, Integer> next = new HashMap<>();
      for (Message m : all) {
        String text = m.getText();
        String tag = text.substring(0, text.indexOf(':'));
        int i = Integer.parseInt(text.substring(text.indexOf(':') + 1));
        assertEquals(next.getOrDefault(tag, 0), i, "each process's messages in its order: " + all);
        next.put(tag, i + 1);
      }
    } finally {
      children.forEach(ChildJvm::close);
      repo.deleteByConversationId(id);
    }
  }

  private ChildJvm start(String conversationId, int count, String tag) {
    return ChildJvm.start(
        List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
        SpringChatWorker.class,
        uri(),
        conversationId,
        Integer.toString(count),
        tag);
  }
}
