package io.depot.spring.ai;

import io.depot.spring.DepotAutoConfiguration;
import io.depot.spring.DepotProperties;
import io.depot.stm.ShortTermMemory;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * A {@link DepotChatMemoryRepository} bean when Spring AI is on the class path and a {@link
 * ShortTermMemory} bean exists (from {@code depot.stm.uri}), unless the application defines a
 * {@link ChatMemoryRepository} of its own. It runs before Spring AI's chat-memory
 * auto-configuration, whose in-memory repository then backs off.
 */
@AutoConfiguration(
    after = DepotAutoConfiguration.class,
    beforeName =
        "org.springframework.ai.model.chat.memory.autoconfigure.ChatMemoryAutoConfiguration")
@ConditionalOnClass(ChatMemoryRepository.class)
@ConditionalOnBean(ShortTermMemory.class)
public class DepotChatMemoryAutoConfiguration {
  /**
   * The repository over the {@link ShortTermMemory} bean ({@code depot.chat-memory.workflow},
   * {@code .ttl}).
   */
  @Bean
  @ConditionalOnMissingBean(ChatMemoryRepository.class)
  public DepotChatMemoryRepository depotChatMemoryRepository(
      ShortTermMemory stm, DepotProperties properties) {
    DepotChatMemoryRepository.Builder b =
        DepotChatMemoryRepository.builder(stm).workflow(properties.getChatMemory().getWorkflow());
    if (properties.getChatMemory().getTtl() != null) {
      b.ttl(properties.getChatMemory().getTtl());
    }
    return b.build();
  }
}
