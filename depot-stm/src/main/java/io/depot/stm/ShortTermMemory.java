package io.depot.stm;

import io.depot.stm.internal.StmFactory;
import java.util.List;

/**
 * A workflow short-term memory: keys and values scoped by workflow instance id, shared by every
 * thread and process (or machine, with Redis) that opens the same URI.
 *
 * <pre>{@code
 * try (ShortTermMemory stm = ShortTermMemory.open("shm:agents")) {
 *   stm.workflow(workflowInstanceId).put("plan", plan);
 *   Plan p = stm.workflow(workflowInstanceId).get("plan", Plan.class);
 * }
 * }</pre>
 *
 * <h2>URIs</h2>
 *
 * <ul>
 *   <li>{@code shm:<store>} (the default): a Depot shared-memory store in {@code /dev/shm}, created
 *       on first use; parameters {@code capacity}, {@code maxObjects}, {@code dir}. Nothing to set
 *       up; processes of one machine.
 *   <li>{@code redis://[[user:]password@]host[:port][/db]}, {@code rediss://} for TLS: needs {@code
 *       depot-redis} on the class path; parameters {@code timeout}, {@code namespace}. Workers on
 *       several machines.
 *   <li>{@code mem:} (private) or {@code mem:<name>} (shared within the JVM): in-process, for
 *       tests.
 * </ul>
 *
 * Every backend also takes {@code ttl} (the {@linkplain StmOptions#defaultTtl() default workflow
 * TTL}, e.g. {@code ttl=30m}) and {@code maxValueBytes}. Backends are found by {@link
 * java.util.ServiceLoader} by scheme (see {@link io.depot.stm.spi.StmBackendProvider}).
 *
 * <h2>Guarantees</h2>
 *
 * Every operation on one key is atomic and linearizable across threads and processes: a reader sees
 * the old value or the new one, never a torn or missing one; {@link Workflow#update} and {@link
 * Workflow#compareAndSet} lose no update. Operations over a whole workflow ({@link
 * Workflow#keys()}, {@link Workflow#entries()}, {@link Workflow#size()}) are weakly consistent
 * snapshots. An instance is thread-safe; close it when done (idempotent).
 */
public interface ShortTermMemory extends AutoCloseable {
  /** The longest workflow id or key, in UTF-8 bytes. */
  int MAX_ID_BYTES = 65_535;

  /** The URI used by {@link #open()}: a shared-memory store named {@code depot-stm}. */
  String DEFAULT_URI = "shm:depot-stm";

  /**
   * Opens the default shared-memory memory ({@value #DEFAULT_URI}).
   *
   * @return the open memory; close it
   */
  static ShortTermMemory open() {
    return open(DEFAULT_URI);
  }

  /**
   * Opens the memory at {@code uri} with default options.
   *
   * @param uri the memory's URI, e.g. {@code shm:depot-stm} or {@code redis://host:6379}
   * @return the open memory; close it
   * @throws InvalidUriException if the URI is malformed or no backend handles its scheme
   * @throws StmConnectionException if the backend cannot be reached (naming its address)
   */
  static ShortTermMemory open(String uri) {
    return StmFactory.open(uri, StmOptions.defaults());
  }

  /**
   * Opens the memory at {@code uri}; URI parameters override {@code options}.
   *
   * @param uri the memory's URI
   * @param options the options, overridden by the URI's parameters
   * @return the open memory; close it
   */
  static ShortTermMemory open(String uri, StmOptions options) {
    return StmFactory.open(uri, options);
  }

  /** {@return the URI this memory was opened with, without any password} */
  String uri();

  /** {@return the options in force (after URI parameters)} */
  StmOptions options();

  /**
   * {@return the scope of one workflow instance} Cheap: it allocates nothing shared; the workflow
   * comes into being with its first write.
   *
   * @param workflowId the workflow instance's id
   * @throws InvalidKeyException if {@code workflowId} is null, empty, not valid UTF-16 or too long
   * @throws StmClosedException if this memory is closed
   */
  Workflow workflow(String workflowId);

  /**
   * {@return the ids of the workflows that hold data or a TTL and have not expired, in no
   * particular order}
   */
  List<String> workflows();

  /**
   * Removes what expired workflows and expired keys left behind. Expired data is already invisible;
   * this reclaims its memory (backends also do it lazily). Cost: a scan of the backend's keyspace.
   *
   * @return the number of workflows and keys reclaimed (as far as the backend can count them)
   */
  int sweepExpired();

  /**
   * Closes the connection or mapping; stored data stays. Idempotent; later calls throw {@link
   * StmClosedException}.
   */
  @Override
  void close();
}
