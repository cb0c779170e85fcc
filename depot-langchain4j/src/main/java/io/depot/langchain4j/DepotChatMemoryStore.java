package io.depot.langchain4j;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.ChatMessageDeserializer;
import dev.langchain4j.data.message.ChatMessageSerializer;
import dev.langchain4j.store.memory.chat.ChatMemoryStore;
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
import java.util.Set;

/**
 * A LangChain4j {@link ChatMemoryStore} on Depot's short-term memory: each memory id is one
 * {@linkplain StmList list} of a workflow, one element per message in LangChain4j's own JSON
 * ({@link ChatMessageSerializer}), so the memories are shared by every process (shared memory) or
 * machine (Redis) that opens the same STM URI.
 *
 * <pre>{@code
 * ShortTermMemory stm = ShortTermMemory.open("shm:agents");         // or "redis://host:6379/0"
 * ChatMemoryStore store = DepotChatMemoryStore.builder(stm).ttl(Duration.ofHours(1)).build();
 * ChatMemory memory = MessageWindowChatMemory.builder()
 *     .id("user-42").maxMessages(20).chatMemoryStore(store).build();
 * }</pre>
 *
 * <h2>Writes</h2>
 *
 * {@link #updateMessages} writes only what changed where it can: compared with the messages the
 * calling thread last read or wrote through this store for that id, new messages at the end are
 * <b>appended</b> (one atomic append, whatever the memory's length), messages evicted from the
 * front are <b>trimmed</b>, and only another change (a replaced system message, an edit)
 * <b>rewrites</b> the list, atomically. Two processes adding to one memory at once therefore both
 * keep their messages (each appends), where a rewrite would lose one; so do two threads of one
 * process. The comparison needs no read when this store read the memory just before (as
 * LangChain4j's chat memories do); otherwise it reads the list once.
 *
 * <h2>TTL</h2>
 *
 * With {@link Builder#ttl}, every update gives the memory that TTL afresh: a memory unused for that
 * long expires (and reads as empty), on every backend. The workflow's own TTL, if any, also bounds
 * it.
 *
 * <p>Thread-safe. The store does not own the {@link ShortTermMemory}: close that yourself.
 */
public final class DepotChatMemoryStore implements ChatMemoryStore {
  /** The workflow id used when none is given. */
  public static final String DEFAULT_WORKFLOW = "langchain4j-chat-memory";

  /**
   * How many memory ids the store remembers its last view of (least recently used dropped first).
   */
  static final int VIEWS = 4_096;

  private final Workflow workflow;
  private final Duration ttl;

  /**
   * Per (memory id, thread), the JSON of the messages as that thread last read or wrote them
   * through this store: a chat memory reads and then writes on one thread, so two threads adding to
   * one memory at once each compare with what they read, and both append (as two processes do).
   */
  private final Map<String, List<String>> views =
      Collections.synchronizedMap(
          new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, List<String>> eldest) {
              return size() > VIEWS;
            }
          });

  private DepotChatMemoryStore(Builder b) {
    this.workflow = b.stm.workflow(b.workflowId);
    this.ttl = b.ttl;
  }

  /** A builder over {@code stm}. */
  public static Builder builder(ShortTermMemory stm) {
    return new Builder(stm);
  }

  /** A store in the default workflow ({@value #DEFAULT_WORKFLOW}), without TTL. */
  public static DepotChatMemoryStore of(ShortTermMemory stm) {
    return builder(stm).build();
  }

  /** The list key of a memory id: its {@code toString()}. */
  static String key(Object memoryId) {
    Objects.requireNonNull(memoryId, "memoryId");
    return memoryId.toString();
  }

  private StmList list(String key) {
    return workflow.list(key);
  }

  /** The memory ids that hold messages (a snapshot), as their {@code toString()}. */
  public Set<String> memoryIds() {
    return workflow.lists();
  }

  /** The workflow that holds the memories. */
  public String workflowId() {
    return workflow.id();
  }

  private static String viewKey(String key) {
    return Thread.currentThread().threadId() + "/" + key;
  }

  @Override
  public List<ChatMessage> getMessages(Object memoryId) {
    String key = key(memoryId);
    List<String> json = list(key).all(String.class);
    views.put(viewKey(key), json);
    List<ChatMessage> out = new ArrayList<>(json.size());
    for (String j : json) {
      out.add(ChatMessageDeserializer.messageFromJson(j));
    }
    return out;
  }

  @Override
  public void updateMessages(Object memoryId, List<ChatMessage> messages) {
    Objects.requireNonNull(messages, "messages");
    String key = key(memoryId);
    List<String> next = new ArrayList<>(messages.size());
    for (ChatMessage m : messages) {
      next.add(ChatMessageSerializer.messageToJson(Objects.requireNonNull(m, "message")));
    }
    StmList list = list(key);
    List<String> before = views.get(viewKey(key));
    if (before == null) {
      before = list.all(String.class);
    }
    Change change = Change.between(before, next);
    switch (change.kind()) {
      case NONE -> {}
      case APPEND -> {
        if (change.evicted() > 0) {
          list.trimToLast(before.size() - change.evicted());
        }
        list.appendAll(next.subList(change.kept(), next.size()));
      }
      case REWRITE -> list.replaceAll(next);
    }
    views.put(viewKey(key), next);
    if (ttl != null && !next.isEmpty()) {
      list.expireAfter(ttl);
    }
  }

  @Override
  public void deleteMessages(Object memoryId) {
    String key = key(memoryId);
    list(key).delete();
    views.remove(viewKey(key));
  }

  @Override
  public String toString() {
    return "DepotChatMemoryStore[workflow="
        + workflow.id()
        + (ttl == null ? "" : ", ttl=" + ttl)
        + "]";
  }

  /**
   * How {@code next} differs from {@code before}: unchanged; the last {@code before.size() -
   * evicted} of {@code before} followed by new messages (an append after evicting the oldest {@code
   * evicted}); or anything else.
   *
   * @param kept how many messages of {@code next} are already stored (the rest are appended)
   */
  record Change(Kind kind, int evicted, int kept) {
    enum Kind {
      NONE,
      APPEND,
      REWRITE
    }

    static Change between(List<String> before, List<String> next) {
      if (before.equals(next)) {
        return new Change(Kind.NONE, 0, next.size());
      }
      if (next.isEmpty()) {
        return new Change(Kind.REWRITE, 0, 0);
      }
      // The evicted prefix: the first k with before[k..] a prefix of next (k = before.size():
      // nothing kept).
      for (int k = 0; k <= before.size(); k++) {
        int kept = before.size() - k;
        if (kept <= next.size() && before.subList(k, before.size()).equals(next.subList(0, kept))) {
          if (kept == 0 && !before.isEmpty()) {
            break; // nothing in common: a rewrite, not "evict all then append"
          }
          return new Change(Kind.APPEND, k, kept);
        }
      }
      return new Change(Kind.REWRITE, 0, 0);
    }
  }

  /** Configures a {@link DepotChatMemoryStore}. */
  public static final class Builder {
    private final ShortTermMemory stm;
    private String workflowId = DEFAULT_WORKFLOW;
    private Duration ttl;

    private Builder(ShortTermMemory stm) {
      this.stm = Objects.requireNonNull(stm, "stm");
    }

    /**
     * The workflow whose lists hold the memories (default {@value
     * DepotChatMemoryStore#DEFAULT_WORKFLOW}).
     */
    public Builder workflow(String workflowId) {
      this.workflowId = Objects.requireNonNull(workflowId, "workflowId");
      return this;
    }

    /**
     * Each memory expires {@code ttl} after its last update (default: never).
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

    /**
     * The store.
     *
     * @throws io.depot.stm.InvalidKeyException if the workflow id is not a valid id
     */
    public DepotChatMemoryStore build() {
      return new DepotChatMemoryStore(this);
    }
  }
}
