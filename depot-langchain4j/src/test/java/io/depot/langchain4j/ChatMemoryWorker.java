package io.depot.langchain4j;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.ChatMemory;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import io.depot.stm.ShortTermMemory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for the cross-process tests: {@code <uri> <memoryId> <count> <tag>} opens the memory,
 * prints {@code ready <n>} with the number of messages it sees, waits for a line on standard input,
 * adds {@code count} user messages {@code <tag>:<i>} through a {@link MessageWindowChatMemory} of
 * at most 1000 messages, and prints {@code done <n>}.
 */
public final class ChatMemoryWorker {
  private ChatMemoryWorker() {}

  public static void main(String[] args) throws Exception {
    try (ShortTermMemory stm = ShortTermMemory.open(args[0])) {
      ChatMemory memory =
          MessageWindowChatMemory.builder()
              .id(args[1])
              .maxMessages(1000)
              .chatMemoryStore(DepotChatMemoryStore.of(stm))
              .build();
      System.out.println("ready " + memory.messages().size());
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      int count = Integer.parseInt(args[2]);
      for (int i = 0; i < count; i++) {
        memory.add(UserMessage.from(args[3] + ":" + i));
      }
      System.out.println("done " + memory.messages().size());
      System.out.flush();
    }
  }
}
