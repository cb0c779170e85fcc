package io.depot.spring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Depot's Spring Boot properties. {@code depot.storage.*} is passed as it is to {@link
 * io.depot.storage.StorageProviders#open(java.util.Map)} (for example {@code
 * depot.storage.store=shm://depot/wf}, {@code depot.storage.shm.capacity=4g}) and is not bound
 * here.
 */
@ConfigurationProperties("depot")
public class DepotProperties {
  private final Stm stm = new Stm();
  private final Store store = new Store();
  private final ChatMemory chatMemory = new ChatMemory();

  /** {@code depot.stm.*}: the short-term memory. */
  public Stm getStm() {
    return stm;
  }

  /** {@code depot.store.*}: a shared-memory store. */
  public Store getStore() {
    return store;
  }

  /** {@code depot.chat-memory.*}: the Spring AI chat-memory repository. */
  public ChatMemory getChatMemory() {
    return chatMemory;
  }

  /** {@code depot.stm.*}. */
  public static class Stm {
    private String uri;

    /**
     * The memory URI ({@code shm:agents}, {@code redis://host:6379/0}, {@code mem:}); no bean
     * without it.
     */
    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }
  }

  /** {@code depot.store.*}. */
  public static class Store {
    private String name;
    private boolean create = true;
    private DataSize capacity;
    private Integer maxObjects;
    private Path directory;

    /**
     * The store's name (its file in {@code directory}); no {@link io.depot.Depot} bean without it.
     */
    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    /** Whether to create the store if it does not exist (default true); otherwise it must exist. */
    public boolean isCreate() {
      return create;
    }

    public void setCreate(boolean create) {
      this.create = create;
    }

    /** The capacity of a store created here (Depot's default if unset). */
    public DataSize getCapacity() {
      return capacity;
    }

    public void setCapacity(DataSize capacity) {
      this.capacity = capacity;
    }

    /** The object directory size of a store created here (Depot's default if unset). */
    public Integer getMaxObjects() {
      return maxObjects;
    }

    public void setMaxObjects(Integer maxObjects) {
      this.maxObjects = maxObjects;
    }

    /** Where the store file lives (default {@code /dev/shm}). */
    public Path getDirectory() {
      return directory;
    }

    public void setDirectory(Path directory) {
      this.directory = directory;
    }
  }

  /** {@code depot.chat-memory.*}. */
  public static class ChatMemory {
    private String workflow = "spring-ai-chat-memory";
    private Duration ttl;

    /**
     * The STM workflow whose lists hold the conversations (default {@code spring-ai-chat-memory}).
     */
    public String getWorkflow() {
      return workflow;
    }

    public void setWorkflow(String workflow) {
      this.workflow = workflow;
    }

    /** Each conversation expires this long after its last save (default: never). */
    public Duration getTtl() {
      return ttl;
    }

    public void setTtl(Duration ttl) {
      this.ttl = ttl;
    }
  }
}
