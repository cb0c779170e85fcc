package io.depot.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.StoreClosedException;
import io.depot.TestStores;
import io.depot.spring.ai.DepotChatMemoryAutoConfiguration;
import io.depot.spring.ai.DepotChatMemoryRepository;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmClosedException;
import io.depot.storage.StorageProviders;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.memory.ChatMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.memory.InMemoryChatMemoryRepository;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.UserMessage;
import org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The auto-configuration, through Spring Boot's {@link ApplicationContextRunner} and its imports
 * file.
 */
class DepotAutoConfigurationTest {
  private static final String STORE = TestStores.uniqueName("spring");

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(
              AutoConfigurations.of(
                  DepotAutoConfiguration.class, DepotChatMemoryAutoConfiguration.class));

  @AfterAll
  static void destroy() {
    Depot.destroy(STORE, DepotOptions.defaults());
    Depot.destroy(STORE + "-stm", DepotOptions.defaults());
  }

  @Test
  void nothingWithoutProperties() {
    runner.run(
        context -> {
          assertNull(context.getStartupFailure());
          assertTrue(context.getBeansOfType(ShortTermMemory.class).isEmpty());
          assertTrue(context.getBeansOfType(StorageProviders.class).isEmpty());
          assertTrue(context.getBeansOfType(Depot.class).isEmpty());
          assertTrue(context.getBeansOfType(ChatMemoryRepository.class).isEmpty());
        });
  }

  @Test
  void propertiesMakeEveryBeanAndShutdownClosesThem() {
    AtomicReference<ShortTermMemory> stm = new AtomicReference<>();
    AtomicReference<Depot> depot = new AtomicReference<>();
    AtomicReference<StorageProviders> storage = new AtomicReference<>();
    runner
        .withPropertyValues(
            "depot.stm.uri=shm:" + STORE + "-stm?capacity=8m",
            "depot.store.name=" + STORE,
            "depot.store.capacity=8MB",
            "depot.store.max-objects=1024",
            "depot.storage.store=mem://spring-test/blobs",
            "depot.chat-memory.workflow=chats",
            "depot.chat-memory.ttl=10m")
        .run(
            context -> {
              assertNull(context.getStartupFailure());
              stm.set(context.getBean(ShortTermMemory.class));
              assertEquals("shm:" + STORE + "-stm?capacity=8m", stm.get().uri());
              depot.set(context.getBean(Depot.class));
              assertEquals(STORE, depot.get().name());
              long arena =
                  depot.get().stats().arenaBytes(); // the capacity less the store's own tables
              assertTrue(arena > 4L << 20 && arena <= 8L << 20, "arenaBytes=" + arena);
              assertEquals(1024, depot.get().stats().maxObjects());
              storage.set(context.getBean(StorageProviders.class));
              URI uri = storage.get().store("hello".getBytes(StandardCharsets.UTF_8));
              assertEquals("hello", new String(storage.get().load(uri), StandardCharsets.UTF_8));
              DepotChatMemoryRepository repo = context.getBean(DepotChatMemoryRepository.class);
              assertSame(repo, context.getBean(ChatMemoryRepository.class));
              assertEquals("chats", repo.workflowId());
              repo.saveAll("c1", List.of(new UserMessage("hi")));
              assertTrue(
                  stm.get()
                          .workflow("chats")
                          .list("c1")
                          .ttl()
                          .orElseThrow()
                          .compareTo(Duration.ofMinutes(9))
                      > 0);
              assertEquals(List.of("c1"), repo.findConversationIds());
              repo.deleteByConversationId("c1");
            });
    assertThrows(StmClosedException.class, () -> stm.get().workflow("x"));
    assertThrows(StoreClosedException.class, () -> depot.get().contains("x"));
    assertThrows(RuntimeException.class, () -> storage.get().store(new byte[] {1}));
  }

  @Test
  void anApplicationsOwnRepositoryWins() {
    runner
        .withPropertyValues("depot.stm.uri=mem:")
        .withUserConfiguration(OwnRepository.class)
        .run(
            context -> {
              assertNull(context.getStartupFailure());
              assertInstanceOf(
                  InMemoryChatMemoryRepository.class, context.getBean(ChatMemoryRepository.class));
              assertTrue(context.getBeansOfType(DepotChatMemoryRepository.class).isEmpty());
            });
  }

  @Test
  void noRepositoryWithoutSpringAi() {
    runner
        .withPropertyValues("depot.stm.uri=mem:")
        .withClassLoader(new FilteredClassLoader(ChatMemoryRepository.class))
        .run(
            context -> {
              assertNull(context.getStartupFailure());
              assertFalse(context.getBeansOfType(ShortTermMemory.class).isEmpty());
              assertTrue(context.getBeansOfType(DepotChatMemoryRepository.class).isEmpty());
            });
  }

  @Test
  void springAisMessageWindowMemoryOnTheConfiguredRepository() {
    runner
        .withPropertyValues("depot.stm.uri=mem:spring-window")
        .run(
            context -> {
              ChatMemoryRepository repo = context.getBean(ChatMemoryRepository.class);
              MessageWindowChatMemory memory =
                  MessageWindowChatMemory.builder()
                      .chatMemoryRepository(repo)
                      .maxMessages(3)
                      .build();
              for (int i = 0; i < 5; i++) {
                memory.add("c", new UserMessage("m" + i));
              }
              assertEquals(
                  List.of(new UserMessage("m2"), new UserMessage("m3"), new UserMessage("m4")),
                  memory.get("c"));
              assertEquals(memory.get("c"), repo.findByConversationId("c"));
            });
  }

  @Test
  void springAisOwnChatMemoryAutoConfigurationUsesOurRepository() {
    ApplicationContextRunner withSpringAi =
        new ApplicationContextRunner()
            .withConfiguration(
                AutoConfigurations.of(
                    ChatMemoryAutoConfiguration.class,
                    DepotChatMemoryAutoConfiguration.class,
                    DepotAutoConfiguration.class));
    withSpringAi
        .withPropertyValues("depot.stm.uri=mem:spring-ai-auto")
        .run(
            context -> {
              assertNull(context.getStartupFailure());
              ChatMemoryRepository repo = context.getBean(ChatMemoryRepository.class);
              assertInstanceOf(DepotChatMemoryRepository.class, repo);
              ChatMemory memory =
                  context.getBean(
                      ChatMemory.class); // Spring AI's MessageWindowChatMemory over ours
              memory.add("c", new UserMessage("stored in Depot"));
              assertEquals(
                  List.of(new UserMessage("stored in Depot")), repo.findByConversationId("c"));
            });
    withSpringAi.run(
        context -> { // without depot.stm.uri, Spring AI's in-memory repository
          assertInstanceOf(
              InMemoryChatMemoryRepository.class, context.getBean(ChatMemoryRepository.class));
        });
  }

  @Test
  void aBadUriFailsTheStartupNamingIt() {
    runner
        .withPropertyValues("depot.stm.uri=nosuch:thing")
        .run(
            context -> {
              Throwable failure = context.getStartupFailure();
              assertTrue(
                  failure != null && rootMessage(failure).contains("nosuch"),
                  String.valueOf(failure));
            });
  }

  private static String rootMessage(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      sb.append(c.getMessage()).append(" | ");
    }
    return sb.toString();
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRepository {
    @Bean
    ChatMemoryRepository ownRepository() {
      return new InMemoryChatMemoryRepository();
    }
  }
}
