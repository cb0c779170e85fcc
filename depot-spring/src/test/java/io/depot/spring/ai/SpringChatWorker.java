package io.depot.spring.ai;

import io.depot.stm.ShortTermMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.springframework.ai.chat.memory.MessageWindowChatMemory;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A child JVM for the cross-process tests: {@code <uri> <conversationId> <count> <tag>} prints
 * {@code ready <n>} with the number of messages it sees, waits for a line on standard input, adds
 * {@code count} user messages {@code <tag>:<i>} through Spring AI's {@link MessageWindowChatMemory}
 * (at most 1000), and prints {@code done <n>}.
 */
public final class SpringChatWorker {
  private SpringChatWorker() {}

  public static void main(String[] args) throws Exception {
    try (ShortTermMemory stm = ShortTermMemory.open(args[0])) {
      MessageWindowChatMemory memory =
          MessageWindowChatMemory.builder()
              .chatMemoryRepository(DepotChatMemoryRepository.builder(stm).build())
              .maxMessages(1000)
              .build();
      System.out.println("ready " + memory.get(args[1]).size());
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      int count = Integer.parseInt(args[2]);
      for (int i = 0; i < count; i++) {
        memory.add(args[1], new UserMessage(args[3] + ":" + i));
      }
      System.out.println("done " + memory.get(args[1]).size());
      System.out.flush();
    }
  }
}
