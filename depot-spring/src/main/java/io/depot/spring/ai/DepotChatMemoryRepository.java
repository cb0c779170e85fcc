package io.depot.spring.ai;

import io.depot.InvalidArgumentException;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmList;
import io.depot.stm.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.ai.chat.memory.ChatMemoryRepository;
import org.springframework.ai.chat.messages.Message;

/**
 * A Spring AI {@link ChatMemoryRepository} on Depot's short-term memory: each conversation is one
 * {@linkplain StmList list} of a workflow, one JSON element per message ({@link StoredMessage}),
 * shared by every process (shared memory) or machine (Redis) that opens the same STM URI. With
 * Spring Boot, {@code depot.stm.uri} configures it.
 *
 * <pre>{@code
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *     .chatMemoryRepository(DepotChatMemoryRepository.builder(stm).ttl(Duration.ofHours(1)).build())
 *     .maxMessages(20).build();
 * }</pre>
 *
 * <h2>Writes</h2>
 *
 * {@link #saveAll} writes only what changed where it can: compared with the messages the calling
 * thread last read or wrote through this repository for the conversation, new messages at the end
 * are appended (one atomic append), messages evicted from the front are trimmed, and only other
 * changes rewrite the list (atomically). Concurrent additions to one conversation from two
 * processes, or two threads, therefore both survive. {@link #refresh} states the change directly
 * and needs no comparison.
 *
 * <p>Thread-safe. The repository does not own the {@link ShortTermMemory}.
 */
public final class DepotChatMemoryRepository implements ChatMemoryRepository {
  /** The workflow id used when none is given. */
  public static final String DEFAULT_WORKFLOW = "spring-ai-chat-memory";

  private static final int VIEWS = 4_096;

  private final Workflow workflow;
  private final Duration ttl;
  private final Map<String, List<StoredMessage>> views =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<StoredMessage>> eldest) {
              return size() > VIEWS;
            }
          });

  /** Views are per (conversation, thread): a chat memory reads, then saves, on one thread. */
  private static String viewKey(String conversationId) {
    return Thread.currentThread().threadId() + "/" + conversationId;
  }

  private DepotChatMemoryRepository(Builder b) {
    this.workflow = b.stm.workflow(b.workflowId);
    this.ttl = b.ttl;
  }

  /** A builder over {@code stm}. */
  public static Builder builder(ShortTermMemory stm) {
    return new Builder(stm);
  }

  private StmList list(String conversationId) {
    return workflow.list(Objects.requireNonNull(conversationId, "conversationId"));
  }

  /** The workflow that holds the conversations. */
  public String workflowId() {
    return workflow.id();
  }

  @Override
  public List<String> findConversationIds() {
    return new ArrayList<>(workflow.lists());
  }

  @Override
  public List<Message> findByConversationId(String conversationId) {
    List<StoredMessage> stored = list(conversationId).all(StoredMessage.class);
    views.put(viewKey(conversationId), stored);
    List<Message> out = new ArrayList<>(stored.size());
    for (StoredMessage s : stored) {
      out.add(s.toMessage());
    }
    return out;
  }

  @Override
  public void saveAll(String conversationId, List<Message> messages) {
    Objects.requireNonNull(messages, "messages");
    StmList list = list(conversationId);
    List<StoredMessage> next = encode(messages);
    List<StoredMessage> before = views.get(viewKey(conversationId));
    if (before == null) {
      before = list.all(StoredMessage.class);
    }
    int evicted = evictedPrefix(before, next);
    if (evicted < 0) {
      list.replaceAll(next);
    } else if (!before.equals(next)) {
      if (evicted > 0) {
        list.trimToLast(before.size() - evicted);
      }
      list.appendAll(next.subList(before.size() - evicted, next.size()));
    }
    views.put(viewKey(conversationId), next);
    touch(list, next.isEmpty());
  }

  /**
   * Removes {@code toDelete} from the conversation and appends {@code toAdd}, without reading or
   * rewriting the rest when the deleted messages are the oldest ones (a window's eviction: one
   * trim, then one append; each atomic, together not one step). Other deletions rewrite the
   * conversation atomically from its current messages.
   */
  public void refresh(String conversationId, List<Message> toDelete, List<Message> toAdd) {
    Objects.requireNonNull(toDelete, "toDelete");
    Objects.requireNonNull(toAdd, "toAdd");
    StmList list = list(conversationId);
    List<StoredMessage> deletes = encode(toDelete);
    List<StoredMessage> adds = encode(toAdd);
    views.remove(viewKey(conversationId));
    if (!deletes.isEmpty()) {
      List<StoredMessage> oldest = list.last(Integer.MAX_VALUE, StoredMessage.class);
      if (oldest.size() >= deletes.size() && oldest.subList(0, deletes.size()).equals(deletes)) {
        list.trimToLast(oldest.size() - deletes.size());
      } else {
        List<StoredMessage> rest = new ArrayList<>(oldest);
        for (StoredMessage d : deletes) {
          rest.remove(d);
        }
        rest.addAll(adds);
        list.replaceAll(rest);
        touch(list, rest.isEmpty());
        return;
      }
    }
    list.appendAll(adds);
    touch(list, false);
  }

  private void touch(StmList list, boolean empty) {
    if (ttl != null && !empty) {
      list.expireAfter(ttl);
    }
  }

  @Override
  public void deleteByConversationId(String conversationId) {
    list(conversationId).delete();
    views.remove(viewKey(conversationId));
  }

  private static List<StoredMessage> encode(List<Message> messages) {
    List<StoredMessage> out = new ArrayList<>(messages.size());
    for (Message m : messages) {
      out.add(StoredMessage.of(Objects.requireNonNull(m, "message")));
    }
    return out;
  }

  /**
   * The number k of oldest messages of {@code before} evicted in {@code next} when {@code next} is
   * {@code before[k..]} followed by new messages (k = 0: a pure append); -1 if it is not (a
   * rewrite).
   */
  static <T> int evictedPrefix(List<T> before, List<T> next) {
    if (before.isEmpty()) {
      return 0;
    }
    for (int k = 0; k < before.size(); k++) {
      int kept = before.size() - k;
      if (kept <= next.size() && before.subList(k, before.size()).equals(next.subList(0, kept))) {
        return k;
      }
    }
    return -1;
  }

  @Override
  public String toString() {
    return "DepotChatMemoryRepository[workflow="
        + workflow.id()
        + (ttl == null ? "" : ", ttl=" + ttl)
        + "]";
  }

  /** Configures a {@link DepotChatMemoryRepository}. */
  public static final class Builder {
    private final ShortTermMemory stm;
    private String workflowId = DEFAULT_WORKFLOW;
    private Duration ttl;

    private Builder(ShortTermMemory stm) {
      this.stm = Objects.requireNonNull(stm, "stm");
    }

    /**
     * The workflow whose lists hold the conversations (default {@value
     * DepotChatMemoryRepository#DEFAULT_WORKFLOW}).
     */
    public Builder workflow(String workflowId) {
      this.workflowId = Objects.requireNonNull(workflowId, "workflowId");
      return this;
    }

    /**
     * Each conversation expires {@code ttl} after its last save (default: never).
     *
     * @throws InvalidArgumentException if {@code ttl} is not positive
     */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isZero() || ttl.isNegative()) {
        throw new InvalidArgumentException("ttl must be positive: ttl=" + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** The repository. */
    public DepotChatMemoryRepository build() {
      return new DepotChatMemoryRepository(this);
    }
  }
}
