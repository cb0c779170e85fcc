package io.depot.stm.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Codec;
import io.depot.CodecException;
import io.depot.DType;
import io.depot.NDArray;
import io.depot.TypeMismatchException;
import io.depot.stm.InvalidKeyException;
import io.depot.stm.InvalidUriException;
import io.depot.stm.InvalidValueException;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmClosedException;
import io.depot.stm.StmList;
import io.depot.stm.StmValue;
import io.depot.stm.ValueTooLargeException;
import io.depot.stm.ValueType;
import io.depot.stm.Versioned;
import io.depot.stm.Workflow;
import io.depot.stm.WorkflowClosedException;
import io.depot.testkit.ChildJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract every short-term memory backend passes: subclasses give the URI ({@link #uri()}) and
 * say whether the backend is shared across processes; every test here then runs against it. Each
 * test uses workflows of its own.
 */
public abstract class StmContractTest {
  /** A record stored as JSON. */
  public record Step(int step, String text) {}

  /** A POJO stored as JSON. */
  public static final class Note {
    private String title;
    private List<String> tags = new ArrayList<>();

    public String getTitle() {
      return title;
    }

    public void setTitle(String title) {
      this.title = title;
    }

    public List<String> getTags() {
      return tags;
    }

    public void setTags(List<String> tags) {
      this.tags = tags;
    }
  }

  /** A codec of another id: strings, upper-cased on the wire. */
  static final class ShoutCodec implements Codec<String> {
    @Override
    public String id() {
      return "test-shout";
    }

    @Override
    public void encode(String value, OutputStream out) throws IOException {
      out.write(value.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String decode(MemorySegment data) {
      return new String(data.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
  }

  protected ShortTermMemory stm;
  private final List<String> workflows = new ArrayList<>();

  /** The URI of the memory under test; may already have parameters. */
  protected abstract String uri();

  /** Whether separate processes opening {@link #uri()} share data (false for {@code mem:}). */
  protected abstract boolean crossProcess();

  /** {@link #uri()} with extra parameters {@code params} ({@code name=value&...}). */
  protected String uri(String params) {
    String base = uri();
    return base + (base.indexOf('?') >= 0 ? "&" : "?") + params;
  }

  @BeforeEach
  void openMemory() {
    stm = ShortTermMemory.open(uri());
  }

  @AfterEach
  void closeMemory() {
    try (ShortTermMemory cleaner = ShortTermMemory.open(uri())) {
      for (String id : workflows) {
        cleaner.workflow(id).end();
      }
    }
    stm.close();
  }

  /** A workflow id unique to this test, ended after it. */
  protected String newId(String hint) {
    String id = hint + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    workflows.add(id);
    return id;
  }

  protected Workflow newWorkflow() {
    return stm.workflow(newId("wf"));
  }

  /**
   * Waits up to 10 s for {@code condition} (expiry is eventual; no assertion on how long it takes).
   */
  protected static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      Thread.sleep(20);
    }
  }

  // ------------------------------------------------------------------ values

  @Test
  void recordsPojosMapsAndListsAreJson() {
    Workflow wf = newWorkflow();
    wf.put("step", new Step(1, "first"));
    Note note = new Note();
    note.setTitle("t");
    note.setTags(List.of("a", "b"));
    wf.put("note", note);
    wf.put("map", Map.of("k", 1, "nested", Map.of("x", List.of(1, 2))));
    wf.put("list", List.of("a", 2, true));
    wf.put("int", 42);
    wf.put("long", 1L << 40);
    wf.put("double", 2.5);
    wf.put("bool", true);

    assertEquals(new Step(1, "first"), wf.get("step", Step.class));
    assertEquals(Map.of("step", 1, "text", "first"), wf.get("step"));
    Note back = wf.get("note", Note.class);
    assertEquals("t", back.getTitle());
    assertEquals(List.of("a", "b"), back.getTags());
    assertEquals(Map.of("k", 1, "nested", Map.of("x", List.of(1, 2))), wf.get("map"));
    assertEquals(List.of("a", 2, true), wf.get("list"));
    assertEquals(42, wf.get("int"));
    assertEquals(42, wf.get("int", int.class));
    assertEquals(1L << 40, wf.get("long", Long.class));
    assertEquals(2.5, wf.get("double", Double.class));
    assertEquals(true, wf.get("bool", Boolean.class));
    try (StmValue v = wf.read("step").orElseThrow()) {
      assertEquals(ValueType.JSON, v.type());
      assertEquals("json", v.codecId());
      assertEquals(
          "{\"step\":1,\"text\":\"first\"}",
          new String(v.bytes().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8));
    }
  }

  @Test
  void bytesStringsArraysAndCodecs() {
    Workflow wf = newWorkflow();
    wf.put("bytes", new byte[] {1, 2, 3});
    wf.put("string", "héllo wörld ✓");
    double[] data = {1, 2, 3, 4, 5, 6};
    wf.put("array", NDArray.of(data, 2, 3));
    wf.put("shout", "quiet", new ShoutCodec());

    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) wf.get("bytes"));
    assertArrayEquals(new byte[] {1, 2, 3}, wf.get("bytes", byte[].class));
    assertEquals("héllo wörld ✓", wf.get("string"));
    assertEquals("héllo wörld ✓", wf.get("string", String.class));
    NDArray a = wf.get("array", NDArray.class);
    assertEquals(DType.FLOAT64, a.dtype());
    assertArrayEquals(new long[] {2, 3}, a.shape());
    assertArrayEquals(data, a.toDoubleArray());
    assertArrayEquals(data, wf.get("array", double[].class));
    assertInstanceOf(NDArray.class, wf.get("array"));
    assertEquals("QUIET", wf.get("shout", new ShoutCodec()));
    try (StmValue v = wf.read("array").orElseThrow()) {
      assertEquals(ValueType.ARRAY, v.type());
      assertEquals(6.0, v.asArray().getDouble(5));
      assertArrayEquals(new long[] {2, 3}, v.asArray().shape());
    }
    try (StmValue v = wf.read("shout").orElseThrow()) {
      assertEquals(ValueType.CODEC, v.type());
      assertEquals("test-shout", v.codecId());
    }
    assertTrue(wf.read("absent").isEmpty());
  }

  // ------------------------------------------------------------------ operations

  @Test
  void everyOperation() {
    Workflow wf = newWorkflow();
    assertNull(wf.get("a"));
    assertFalse(wf.contains("a"));
    assertTrue(wf.isEmpty());
    assertEquals(Workflow.NO_VERSION, wf.version("a"));

    wf.put("a", 1);
    wf.putAll(Map.of("b", 2, "c", 3));
    assertTrue(wf.contains("a"));
    assertEquals(3, wf.size());
    assertEquals(Set.of("a", "b", "c"), wf.keys());
    assertEquals(Map.of("a", 1, "b", 2, "c", 3), wf.entries());
    assertEquals(Map.of("a", 1, "b", 2, "c", 3), wf.entries(Integer.class));
    assertEquals(Set.of(1, 2, 3), Set.copyOf(wf.values()));
    assertEquals(7, wf.getOrDefault("x", Integer.class, 7));

    assertFalse(wf.putIfAbsent("a", 10));
    assertTrue(wf.putIfAbsent("d", 4));
    assertEquals(4, wf.get("d"));

    assertEquals(2, wf.pop("b"));
    assertNull(wf.pop("b"));
    assertFalse(wf.contains("b"));
    assertTrue(wf.putIfAbsent("b", 20)); // a popped key is absent
    assertEquals(20, wf.pop("b", Integer.class));

    assertTrue(wf.remove("c"));
    assertFalse(wf.remove("c"));
    assertEquals(Set.of("a", "d"), wf.keys());

    wf.clear();
    assertEquals(0, wf.size());
    assertNull(wf.get("a"));
    assertTrue(wf.keys().isEmpty());
    wf.put("a", "again");
    assertEquals("again", wf.get("a"));
  }

  @Test
  void versionsAndCompareAndSet() {
    Workflow wf = newWorkflow();
    assertTrue(wf.compareAndSet("k", Workflow.NO_VERSION, 1));
    assertFalse(wf.compareAndSet("k", Workflow.NO_VERSION, 2));
    Versioned<Integer> v1 = wf.getVersioned("k", Integer.class);
    assertTrue(v1.present());
    assertEquals(1, v1.value());
    assertEquals(v1.version(), wf.version("k"));
    assertTrue(wf.compareAndSet("k", v1.version(), 2));
    assertFalse(wf.compareAndSet("k", v1.version(), 3)); // stale
    long v2 = wf.version("k");
    assertNotEquals(v1.version(), v2);
    wf.put("k", 5);
    assertNotEquals(v2, wf.version("k"));
    assertEquals(5, wf.get("k"));
    assertFalse(wf.getVersioned("absent", Integer.class).present());
    // No ABA: a removed and re-created key has a new version.
    long before = wf.version("k");
    wf.remove("k");
    wf.put("k", 5);
    assertFalse(wf.compareAndSet("k", before, 6));
  }

  @Test
  void updateIsAtomicAcrossThreads() throws Exception {
    Workflow wf = newWorkflow();
    int threads = 4;
    int each = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    wf.update("n", Long.class, n -> n == null ? 1L : n + 1);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals((long) threads * each, wf.get("n", Long.class));
    assertEquals(List.of("x"), wf.update("list", List.class, l -> List.of("x")));
    assertNull(wf.update("n", Long.class, n -> null));
    assertFalse(wf.contains("n"));
  }

  @Test
  void updateIsAtomicAcrossProcesses() throws Exception {
    String id = newId("procs");
    int processes = 3;
    int each = 200;
    if (!crossProcess()) {
      // An in-process backend: the same workload with one memory instance per thread.
      ExecutorService pool = Executors.newFixedThreadPool(processes);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
          done.add(
              pool.submit(
                  () -> {
                    try (ShortTermMemory own = ShortTermMemory.open(uri())) {
                      for (int i = 0; i < each; i++) {
                        own.workflow(id).update("n", Long.class, n -> n == null ? 1L : n + 1);
                      }
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
    } else {
      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int p = 0; p < processes; p++) {
          children.add(
              ChildJvm.start(
                  List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
                  StmWorker.class,
                  "increment",
                  uri(),
                  id,
                  "n",
                  Integer.toString(each)));
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
      } finally {
        children.forEach(ChildJvm::close);
      }
    }
    assertEquals((long) processes * each, stm.workflow(id).get("n", Long.class));
  }

  @Test
  void popAndUpdateRaceLosesNothing() throws Exception {
    // Two threads move units from "in" to "out" by pop; two others add to "in" by update. Every
    // unit added is
    // either still in "in" or was popped exactly once.
    Workflow wf = newWorkflow();
    AtomicInteger popped = new AtomicInteger();
    int adds = 300;
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      AtomicBoolean adding = new AtomicBoolean(true);
      Future<?> adder =
          pool.submit(
              () -> {
                for (int i = 0; i < adds; i++) {
                  wf.update("in", Integer.class, n -> n == null ? 1 : n + 1);
                }
                adding.set(false);
                return null;
              });
      List<Future<?>> poppers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        poppers.add(
            pool.submit(
                () -> {
                  while (adding.get()) {
                    Integer n = wf.pop("in", Integer.class);
                    if (n != null) {
                      popped.addAndGet(n);
                    }
                  }
                  return null;
                }));
      }
      adder.get(120, TimeUnit.SECONDS);
      for (Future<?> f : poppers) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(adds, popped.get() + wf.getOrDefault("in", Integer.class, 0));
  }

  @Test
  void readersNeverSeeAMissingKeyDuringWrites() throws Exception {
    Workflow wf = newWorkflow();
    wf.put("k", new Step(0, "x".repeat(200)));
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 1; !stop.get() && i < 100_000; i++) {
                  wf.put("k", new Step(i, "x".repeat(200)));
                }
                return null;
              });
      for (int i = 0; i < 2_000; i++) {
        Step s = wf.get("k", Step.class);
        assertTrue(s != null && s.text().length() == 200, "read " + i + " saw " + s);
      }
      stop.set(true);
      writer.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  // ------------------------------------------------------------------ lifetime

  @Test
  void workflowTtlExpiresEverything() throws Exception {
    Workflow wf = newWorkflow();
    wf.put("a", 1);
    wf.put("b", 2);
    wf.expireAfter(Duration.ofHours(1));
    Duration left = wf.ttl().orElseThrow();
    assertTrue(left.compareTo(Duration.ofHours(1)) <= 0 && !left.isNegative(), left.toString());
    wf.persist();
    assertTrue(wf.ttl().isEmpty());

    wf.expireAfter(Duration.ofMillis(300));
    await("workflow expired", () -> !wf.contains("a"));
    assertNull(wf.get("b"));
    assertEquals(0, wf.size());
    assertFalse(stm.workflows().contains(wf.id()));
    assertTrue(wf.ttl().isEmpty());
    stm.sweepExpired();
    // Writing again starts the workflow afresh: nothing old comes back.
    wf.put("c", 3);
    assertEquals(Set.of("c"), wf.keys());
    assertNull(wf.get("a"));
    assertTrue(wf.ttl().isEmpty());
  }

  @Test
  void keyTtlExpiresOneKey() throws Exception {
    Workflow wf = newWorkflow();
    wf.put("short", "s", Duration.ofMillis(300));
    wf.put("long", "l", Duration.ofHours(1));
    wf.put("forever", "f");
    await("key expired", () -> !wf.contains("short"));
    assertNull(wf.get("short"));
    assertEquals(Set.of("long", "forever"), wf.keys());
    assertEquals(2, wf.size());
    stm.sweepExpired();
    assertEquals(Set.of("long", "forever"), wf.keys());
    assertTrue(wf.putIfAbsent("short", "again")); // an expired key is absent
    assertEquals("again", wf.get("short"));
  }

  @Test
  void updateKeepsTheKeyTtl() throws Exception {
    Workflow wf = newWorkflow();
    wf.put("n", 1, Duration.ofMillis(1500));
    assertEquals(2, wf.update("n", Integer.class, n -> n == null ? 100 : n + 1));
    // Had the update dropped the key TTL, the key would never expire.
    await("updated key expired with its TTL", () -> !wf.contains("n"));
  }

  @Test
  void defaultTtlFromTheUri() throws Exception {
    try (ShortTermMemory shortLived = ShortTermMemory.open(uri("ttl=1s"))) {
      assertEquals(Optional.of(Duration.ofSeconds(1)), shortLived.options().defaultTtl());
      Workflow wf = shortLived.workflow(newId("default-ttl"));
      wf.put("a", 1);
      assertTrue(wf.ttl().isPresent());
      await("default TTL expired", () -> !wf.contains("a"));
      shortLived.sweepExpired();
      assertFalse(shortLived.workflows().contains(wf.id()));
    }
  }

  @Test
  void clearKeepsTheTtlAndEndDropsEverything() {
    Workflow wf = newWorkflow();
    wf.put("a", 1);
    wf.expireAfter(Duration.ofHours(1));
    wf.clear();
    assertTrue(wf.ttl().isPresent());
    assertNull(wf.get("a"));
    assertTrue(stm.workflows().contains(wf.id()));

    wf.put("b", 2);
    wf.end();
    assertThrows(WorkflowClosedException.class, () -> wf.get("b"));
    Workflow again = stm.workflow(wf.id());
    assertNull(again.get("b"));
    assertTrue(again.ttl().isEmpty());
    assertFalse(stm.workflows().contains(wf.id()));
  }

  // ------------------------------------------------------------------ lists

  @Test
  void listAppendReadTrimReplaceDelete() {
    Workflow wf = newWorkflow();
    StmList list = wf.list("messages");
    assertEquals("messages", list.key());
    assertEquals(wf.id(), list.workflowId());
    assertEquals(0, list.size());
    assertTrue(list.isEmpty());
    assertEquals(List.of(), list.all());
    assertEquals(List.of(), list.last(5, String.class));
    assertEquals(1, list.append("a"));
    assertEquals(2, list.append("b"));
    assertEquals(4, list.appendAll(List.of("c", "d")));
    assertEquals(4, list.appendAll(List.of()));
    assertEquals(List.of("a", "b", "c", "d"), list.all(String.class));
    assertEquals(List.of("c", "d"), list.last(2, String.class));
    assertEquals(List.of("a", "b", "c", "d"), list.last(100, String.class));
    assertEquals(List.of(), list.last(0, String.class));
    assertEquals(1, list.trimToLast(3));
    assertEquals(0, list.trimToLast(3));
    assertEquals(List.of("b", "c", "d"), list.all());
    assertEquals(4, list.append("e"));
    list.replaceAll(List.of("x", "y"));
    assertEquals(List.of("x", "y"), list.all());
    assertEquals(3, list.append("z"));
    assertEquals(List.of("x", "y", "z"), list.all(String.class));
    assertEquals(Set.of("messages"), wf.lists());
    assertTrue(list.delete());
    assertFalse(list.delete());
    assertEquals(0, list.size());
    assertEquals(Set.of(), wf.lists());
    assertEquals(1, list.append("again"));
    assertEquals(List.of("again"), list.all());
    assertEquals(1, list.trimToLast(0));
    assertTrue(list.isEmpty());
    list.replaceAll(List.of("p"));
    list.replaceAll(List.of());
    assertTrue(list.isEmpty());
    assertEquals(Set.of(), wf.lists());
  }

  @Test
  void listOfThousandsOfElements() {
    StmList list = newWorkflow().list("long");
    List<Integer> many = new ArrayList<>();
    for (int i = 0; i < 2500; i++) {
      many.add(i);
    }
    assertEquals(2500, list.appendAll(many));
    assertEquals(many.subList(2490, 2500), list.last(10, Integer.class));
    list.replaceAll(many.subList(0, 1500));
    assertEquals(1500, list.size());
    assertEquals(many.subList(0, 1500), list.all(Integer.class));
    assertEquals(1400, list.trimToLast(100));
    assertEquals(many.subList(1400, 1500), list.all(Integer.class));
  }

  @Test
  void listElementsAreEncodedLikeValues() {
    StmList list = newWorkflow().list("mixed");
    list.append(new Step(1, "plan"));
    list.append(Map.of("tool", "search"));
    list.append("text");
    list.append(new byte[] {1, 2, 3});
    List<Object> all = list.all();
    assertEquals(Map.of("step", 1, "text", "plan"), all.get(0));
    assertEquals(Map.of("tool", "search"), all.get(1));
    assertEquals("text", all.get(2));
    assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) all.get(3));
    StmList steps = newWorkflow().list("records");
    steps.append(new Step(1, "plan"));
    steps.append(new Step(2, "act"));
    assertEquals(List.of(new Step(1, "plan"), new Step(2, "act")), steps.all(Step.class));
    StmList coded = newWorkflow().list("coded");
    coded.append("shout", new ShoutCodec());
    assertEquals(List.of("SHOUT"), coded.last(1, new ShoutCodec()));
    assertThrows(TypeMismatchException.class, () -> list.last(2, Step.class));
    assertThrows(InvalidValueException.class, () -> list.append(null));
    assertThrows(io.depot.InvalidArgumentException.class, () -> list.last(-1, String.class));
    assertThrows(io.depot.InvalidArgumentException.class, () -> list.trimToLast(-1));
    assertEquals(4, list.size()); // a refused append leaves the list as it was
  }

  @Test
  void listsAndKeysAreApartAndClearEndsBoth() {
    Workflow wf = newWorkflow();
    wf.put("history", "a key");
    wf.list("history").append("a list element");
    wf.list("other/with/slashes").append(1);
    assertEquals("a key", wf.get("history"));
    assertEquals(List.of("a list element"), wf.list("history").all());
    assertEquals(Set.of("history"), wf.keys());
    assertEquals(1, wf.size());
    assertEquals(Set.of("history", "other/with/slashes"), wf.lists());
    String longKey = "l".repeat(2000);
    wf.list(longKey).append("long");
    assertEquals(List.of("long"), wf.list(longKey).all());
    assertTrue(wf.lists().contains(longKey));
    wf.clear();
    assertEquals(Set.of(), wf.lists());
    assertTrue(wf.list("history").isEmpty());
    assertNull(wf.get("history"));
    wf.list("history").append("after clear");
    assertEquals(List.of("after clear"), wf.list("history").all());
    assertTrue(stm.workflows().contains(wf.id()));
    wf.end();
    try (Workflow again = stm.workflow(wf.id())) {
      assertTrue(again.list("history").isEmpty());
    }
  }

  @Test
  void listTtlExpiresTheListAndIsKeptByWrites() throws Exception {
    Workflow wf = newWorkflow();
    StmList list = wf.list("short");
    assertFalse(list.expireAfter(Duration.ofSeconds(5))); // absent: nothing to expire
    list.append("a");
    assertTrue(list.ttl().isEmpty());
    assertTrue(list.expireAfter(Duration.ofMinutes(5)));
    list.append("b");
    list.trimToLast(5);
    list.replaceAll(List.of("c", "d"));
    Duration left = list.ttl().orElseThrow();
    assertTrue(
        left.compareTo(Duration.ofMinutes(4)) > 0 && left.compareTo(Duration.ofMinutes(5)) <= 0,
        "ttl=" + left);
    assertTrue(list.persist());
    assertTrue(list.ttl().isEmpty());
    assertTrue(list.expireAfter(Duration.ofMillis(300)));
    StmList kept = wf.list("kept");
    kept.append("stays");
    await("list expired", list::isEmpty);
    assertEquals(List.of(), list.all());
    assertEquals(Set.of("kept"), wf.lists());
    assertEquals(List.of("stays"), kept.all());
    assertEquals(1, list.append("fresh")); // an expired list starts afresh, without the old TTL
    assertTrue(list.ttl().isEmpty());
    wf.expireAfter(Duration.ofMillis(300)); // the workflow's TTL bounds every list
    await("workflow expired", kept::isEmpty);
    assertTrue(list.isEmpty());
  }

  @Test
  void listSweepReclaimsExpiredLists() throws Exception {
    Workflow wf = newWorkflow();
    StmList list = wf.list("gone");
    list.appendAll(List.of(1, 2, 3));
    list.expireAfter(Duration.ofMillis(200));
    await("list expired", list::isEmpty);
    stm.sweepExpired();
    assertTrue(list.isEmpty());
    assertEquals(1, list.append(4));
    assertEquals(List.of(4), list.all());
  }

  @Test
  void listAppendsFromThreadsLoseNothing() throws Exception {
    StmList list = newWorkflow().list("log");
    int threads = 4;
    int each = 150;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < each; i++) {
                    list.append(thread + ":" + i);
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertEveryAppendInOrder(list.all(String.class), threads * each, each);
  }

  /**
   * Checks that {@code all} holds {@code total} elements {@code <writer>:<i>}, each writer's in
   * order 0..each-1.
   */
  private static void assertEveryAppendInOrder(List<String> all, int total, int each) {
    assertEquals(total, all.size());
    Map<String, Integer> next = new HashMap<>();
    for (String e : all) {
      String writer = e.substring(0, e.indexOf(':'));
      int i = Integer.parseInt(e.substring(e.indexOf(':') + 1));
      assertEquals(next.getOrDefault(writer, 0), i, "writer " + writer + " out of order in " + all);
      next.put(writer, i + 1);
    }
    assertEquals(total / each, next.size());
  }

  @Test
  void listAppendsFromProcessesLoseNothing() throws Exception {
    String id = newId("list-procs");
    int processes = 3;
    int each = 150;
    if (!crossProcess()) {
      ExecutorService pool = Executors.newFixedThreadPool(processes);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
          int writer = p;
          done.add(
              pool.submit(
                  () -> {
                    try (ShortTermMemory own = ShortTermMemory.open(uri())) {
                      for (int i = 0; i < each; i++) {
                        own.workflow(id).list("log").append(writer + ":" + i);
                      }
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
    } else {
      List<ChildJvm> children = new ArrayList<>();
      try {
        for (int p = 0; p < processes; p++) {
          children.add(
              ChildJvm.start(
                  List.of("-Xmx128m", "-XX:TieredStopAtLevel=1"),
                  StmWorker.class,
                  "append",
                  uri(),
                  id,
                  "log",
                  Integer.toString(each)));
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
      } finally {
        children.forEach(ChildJvm::close);
      }
    }
    assertEveryAppendInOrder(
        stm.workflow(id).list("log").all(String.class), processes * each, each);
  }

  @Test
  void listTrimsRacingAppendsLoseOnlyWhatTheyTrim() throws Exception {
    StmList list = newWorkflow().list("window");
    int appends = 400;
    AtomicBoolean appending = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> appender =
          pool.submit(
              () -> {
                for (int i = 0; i < appends; i++) {
                  list.append(i);
                }
                appending.set(false);
                return null;
              });
      Future<?> trimmer =
          pool.submit(
              () -> {
                while (appending.get()) {
                  list.trimToLast(5);
                  List<Integer> seen = list.last(10, Integer.class);
                  for (int i = 1; i < seen.size(); i++) {
                    assertEquals(
                        seen.get(i - 1) + 1, seen.get(i), "a window is contiguous: " + seen);
                  }
                }
                return null;
              });
      appender.get(120, TimeUnit.SECONDS);
      trimmer.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    List<Integer> rest = list.all(Integer.class);
    assertFalse(rest.isEmpty());
    assertEquals(appends - 1, rest.get(rest.size() - 1));
    for (int i = 1; i < rest.size(); i++) {
      assertEquals(
          rest.get(i - 1) + 1, rest.get(i), "the newest elements survive, contiguous: " + rest);
    }
  }

  @Test
  void listReplaceIsAtomicForReaders() throws Exception {
    StmList list = newWorkflow().list("state");
    list.replaceAll(java.util.Collections.nCopies(20, "a"));
    AtomicBoolean writing = new AtomicBoolean(true);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer =
          pool.submit(
              () -> {
                for (int i = 0; i < 100; i++) {
                  list.replaceAll(java.util.Collections.nCopies(20, i % 2 == 0 ? "b" : "a"));
                }
                writing.set(false);
                return null;
              });
      Future<?> reader =
          pool.submit(
              () -> {
                while (writing.get()) {
                  List<String> seen = list.all(String.class);
                  assertEquals(20, seen.size(), "never a partial list");
                  assertEquals(1, new java.util.HashSet<>(seen).size(), "never a mixture: " + seen);
                }
                return null;
              });
      writer.get(120, TimeUnit.SECONDS);
      reader.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void listsWorkflows() {
    String a = newId("list-a");
    String b = newId("list-b/ü");
    stm.workflow(a).put("k", 1);
    stm.workflow(b).expireAfter(Duration.ofHours(1));
    List<String> ids = stm.workflows();
    assertTrue(ids.contains(a) && ids.contains(b), ids.toString());
    stm.workflow(a).end();
    assertFalse(stm.workflows().contains(a));
  }

  @Test
  void closeOnlyRetiresTheScope() {
    Workflow wf = newWorkflow();
    wf.put("a", 1);
    wf.close();
    wf.close();
    assertThrows(WorkflowClosedException.class, () -> wf.put("b", 2));
    assertThrows(WorkflowClosedException.class, wf::keys);
    assertEquals(1, stm.workflow(wf.id()).get("a"));
  }

  // ------------------------------------------------------------------ names

  @Test
  void idsAndKeysOfAnyContentNeverCollide() {
    String base = newId("n");
    List<String> idSuffixes =
        List.of(
            "",
            "/a",
            "/a/b",
            "%2Fa",
            "#",
            "#x",
            "{x}",
            "}",
            "a}:k:b",
            ":k:",
            " ",
            "工作流-🚀",
            "\u0000ctl\n",
            "x".repeat(10_000));
    List<String> keys =
        List.of(
            "k",
            "a/b",
            "a",
            "b",
            "%",
            "%25",
            "#",
            "#k",
            "}:k:x",
            "{k}",
            "ключ🔑",
            "\t",
            "k".repeat(300),
            "k".repeat(301),
            "l".repeat(20_000));
    Map<String, Map<String, String>> expected = new LinkedHashMap<>();
    for (String s : idSuffixes) {
      String id = base + s;
      workflows.add(id);
      Map<String, String> values = new HashMap<>();
      for (String k : keys) {
        String v = id.length() + ":" + s.hashCode() + ":" + k.hashCode() + ":" + k.length();
        stm.workflow(id).put(k, v);
        values.put(k, v);
      }
      expected.put(id, values);
    }
    for (Map.Entry<String, Map<String, String>> e : expected.entrySet()) {
      Workflow wf = stm.workflow(e.getKey());
      assertEquals(e.getValue().keySet(), wf.keys(), "keys of " + e.getKey().length());
      for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
        assertEquals(kv.getValue(), wf.get(kv.getKey()));
      }
      assertEquals(e.getValue(), wf.entries(String.class));
    }
    assertTrue(stm.workflows().containsAll(expected.keySet()));
  }

  // ------------------------------------------------------------------ Map view

  @Test
  void mapView() {
    Workflow wf = newWorkflow();
    Map<String, Object> map = wf.asMap();
    assertNull(map.put("a", 1));
    assertEquals(1, map.put("a", 2));
    assertEquals(2, map.get("a"));
    assertNull(map.putIfAbsent("b", "x"));
    assertEquals("x", map.putIfAbsent("b", "y"));
    assertTrue(map.containsKey("b"));
    assertEquals(2, map.size());
    assertEquals(Map.of("a", 2, "b", "x"), new HashMap<>(map));
    assertEquals(Map.of("a", 2, "b", "x"), map);
    for (Iterator<String> it = map.keySet().iterator(); it.hasNext(); ) {
      if (it.next().equals("a")) {
        it.remove();
      }
    }
    assertFalse(wf.contains("a"));
    map.entrySet().iterator().next().setValue("z");
    assertEquals("z", wf.get("b"));
    assertEquals("z", map.remove("b"));
    assertTrue(map.isEmpty());
    map.putAll(Map.of("c", 3));
    map.clear();
    assertTrue(wf.isEmpty());
  }

  // ------------------------------------------------------------------ bad input

  @Test
  void badIdsAndKeys() {
    assertThrows(InvalidKeyException.class, () -> stm.workflow(null));
    assertThrows(InvalidKeyException.class, () -> stm.workflow(""));
    assertThrows(InvalidKeyException.class, () -> stm.workflow("bad\uD800"));
    assertThrows(
        InvalidKeyException.class,
        () -> stm.workflow("x".repeat(ShortTermMemory.MAX_ID_BYTES + 1)));
    Workflow wf = newWorkflow();
    assertThrows(InvalidKeyException.class, () -> wf.put(null, 1));
    assertThrows(InvalidKeyException.class, () -> wf.put("", 1));
    assertThrows(InvalidKeyException.class, () -> wf.get("\uDC00"));
    @SuppressWarnings("CollectionIncompatibleType") // a key of the wrong type is what is tested
    Executable wrongKeyType = () -> wf.asMap().get(3);
    assertThrows(InvalidKeyException.class, wrongKeyType);
    InvalidKeyException e =
        assertThrows(InvalidKeyException.class, () -> wf.get("é".repeat(40_000)));
    assertTrue(e.getMessage().contains("bytes=80000"), e.getMessage());
  }

  @Test
  void badValuesLeaveTheStoredValueIntact() {
    Workflow wf = newWorkflow();
    wf.put("k", new Step(1, "kept"));
    assertThrows(InvalidValueException.class, () -> wf.put("k", null));
    CodecException enc = assertThrows(CodecException.class, () -> wf.put("k", new Object()));
    assertTrue(
        enc.getMessage().contains("java.lang.Object") && enc.getMessage().contains("key=k"),
        enc.getMessage());
    assertThrows(
        CodecException.class, () -> wf.putAll(Map.of("k", new Step(2, "x"), "j", new Object())));
    assertEquals(new Step(1, "kept"), wf.get("k", Step.class));
    assertFalse(wf.contains("j"));

    wf.put("text", Map.of("step", "not a number"));
    CodecException dec = assertThrows(CodecException.class, () -> wf.get("text", Step.class));
    assertTrue(
        dec.getMessage().contains("Step") && dec.getMessage().contains("key=text"),
        dec.getMessage());
    assertThrows(CodecException.class, () -> wf.pop("text", Step.class));
    assertTrue(wf.contains("text")); // a value that cannot be decoded is not popped

    wf.put("bytes", new byte[] {1});
    TypeMismatchException tm =
        assertThrows(TypeMismatchException.class, () -> wf.get("bytes", Step.class));
    assertTrue(tm.getMessage().contains("BYTES"), tm.getMessage());
    assertThrows(TypeMismatchException.class, () -> wf.get("bytes", new ShoutCodec()));
    wf.put("arr", NDArray.of(new int[] {1}));
    assertThrows(TypeMismatchException.class, () -> wf.get("arr", double[].class));
    try (StmValue v = wf.read("k").orElseThrow()) {
      assertThrows(TypeMismatchException.class, v::asArray);
    }
  }

  @Test
  void valueOverTheLimit() {
    try (ShortTermMemory small = ShortTermMemory.open(uri("maxValueBytes=1k"))) {
      Workflow wf = small.workflow(newId("limit"));
      wf.put("k", "small");
      ValueTooLargeException e =
          assertThrows(ValueTooLargeException.class, () -> wf.put("k", "x".repeat(1025)));
      assertTrue(e.getMessage().contains("maxValueBytes=1024"), e.getMessage());
      assertThrows(ValueTooLargeException.class, () -> wf.put("k", new byte[2048]));
      assertThrows(
          ValueTooLargeException.class, () -> wf.update("k", String.class, s -> s.repeat(300)));
      assertEquals("small", wf.get("k"));
    }
  }

  @Test
  void closedMemoryAndBadUris() {
    ShortTermMemory other = ShortTermMemory.open(uri());
    Workflow wf = other.workflow(newId("closed"));
    other.close();
    other.close();
    assertThrows(StmClosedException.class, () -> wf.get("a"));
    assertThrows(StmClosedException.class, () -> other.workflow("x"));
    assertThrows(StmClosedException.class, other::workflows);
    assertThrows(InvalidUriException.class, () -> ShortTermMemory.open("nope://x"));
    assertThrows(InvalidUriException.class, () -> ShortTermMemory.open("no-scheme"));
    assertThrows(InvalidUriException.class, () -> ShortTermMemory.open(uri("ttl=soon")));
    assertThrows(InvalidUriException.class, () -> ShortTermMemory.open(uri("maxValueBytes=-1")));
  }
}
