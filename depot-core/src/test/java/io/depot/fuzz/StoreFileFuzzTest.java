package io.depot.fuzz;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.Codecs;
import io.depot.DType;
import io.depot.Depot;
import io.depot.DepotException;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.TestStores;
import io.depot.Track;
import io.depot.ValueKind;
import io.depot.WriteClaim;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Hostile store files: seeded random mutations of a valid store (flipped bytes in the header and
 * every metadata table, garbage words, damaged block headers, truncation, zeroed ranges). Each
 * mutated file is opened and exercised (check, list, get every object, put, remove, queue
 * operations, recovery, stats) under a watchdog. Every case must end normally or with a {@link
 * DepotException}: any other exception, a JVM crash or a hang fails the test.
 *
 * <p>Cases: {@code -Dfuzz.cases=N} (default 2000), seed {@code -Dfuzz.seed=S}.
 */
class StoreFileFuzzTest {
  private static final long CASE_TIMEOUT_SECONDS = 20;

  @Test
  void mutatedStoreFilesNeverCrashHangOrEscape() throws Exception {
    int cases = Integer.getInteger("fuzz.cases", 2000);
    String only = System.getProperty("fuzz.case"); // re-run one case seed
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    DepotOptions opts =
        DepotOptions.builder()
            .capacity(2L << 20)
            .maxObjects(256)
            .maxClients(4)
            .maxHandlesPerClient(16)
            .build();
    String refName = TestStores.uniqueName("fuzzref");
    byte[] reference;
    long arenaOffset;
    try (Depot d = Depot.create(refName, opts)) {
      populate(d);
      reference = Files.readAllBytes(d.path());
      arenaOffset = ByteBuffer.wrap(reference).order(ByteOrder.LITTLE_ENDIAN).getLong(24);
    } finally {
      Depot.destroy(refName, opts);
    }
    // Reference copies keep the creator's closed state: clients free, no pins. Also fuzz one with a
    // live-looking
    // client (this process) holding pins and a claim, by snapshotting an open store.
    byte[] referenceOpen;
    try (Depot d = Depot.create(refName, opts)) {
      populate(d);
      ObjectHandle held = d.get("bytes");
      WriteClaim claim = d.claim("pending", 100);
      referenceOpen = Files.readAllBytes(d.path());
      held.close();
      claim.abort();
    } finally {
      Depot.destroy(refName, opts);
    }

    Random random = new Random(seed);
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    ExecutorService exec =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "fuzz-case");
              t.setDaemon(true);
              return t;
            });
    String caseName = TestStores.uniqueName("fuzz");
    Path file = opts.directory().resolve(caseName + ".depot");
    try {
      for (int c = 0; c < cases; c++) {
        long caseSeed = only != null ? Long.parseLong(only) : random.nextLong();
        byte[] mutated =
            mutate(
                (caseSeed & 1) == 0 ? reference : referenceOpen, arenaOffset, new Random(caseSeed));
        Files.write(file, mutated);
        Future<String> f = exec.submit(() -> exercise(caseName, opts));
        String outcome;
        try {
          outcome = f.get(CASE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          StringBuilder where = new StringBuilder();
          Thread.getAllStackTraces()
              .forEach(
                  (t, st) -> {
                    if (t.getName().equals("fuzz-case")) {
                      for (StackTraceElement el : st) {
                        where.append("\n    at ").append(el);
                      }
                    }
                  });
          fail("fuzz case hung (seed " + seed + ", case seed " + caseSeed + ")" + where);
          return;
        } catch (java.util.concurrent.ExecutionException e) {
          outcome = "FAIL " + e.getCause();
          failures.add("case seed " + caseSeed + ": " + stack(e.getCause()));
        }
        outcomes.merge(outcome, 1, Integer::sum);
      }
    } finally {
      exec.shutdownNow();
      Files.deleteIfExists(file);
    }
    System.out.println("fuzz: seed=" + seed + " cases=" + cases + " outcomes=" + outcomes);
    assertTrue(
        failures.isEmpty(),
        failures.size()
            + " case(s) escaped with a non-Depot exception (seed "
            + seed
            + "):\n"
            + String.join("\n", failures.subList(0, Math.min(5, failures.size()))));
  }

  private static String stack(Throwable t) {
    StringBuilder sb = new StringBuilder(t.toString());
    for (StackTraceElement e : t.getStackTrace()) {
      sb.append("\n    at ").append(e);
      if (sb.length() > 2500) {
        break;
      }
    }
    return sb.toString();
  }

  private static void populate(Depot d) {
    for (int i = 0; i < 40; i++) {
      d.put("o" + i, new byte[16 + i * 37]);
    }
    d.put("bytes", new byte[] {1, 2, 3});
    d.put("text", "hello");
    d.put("array", NDArray.of(new double[] {1, 2, 3, 4}, 2, 2));
    d.put("coded", "coded", Codecs.utf8());
    d.put("big", new byte[300_000]);
    for (int i = 0; i < 40; i += 3) {
      d.remove("o" + i);
    }
    try (DepotQueue q =
        d.createQueue("q", 8, Track.array("x", DType.INT32, 4), Track.bytes("b", 100))) {
      for (int i = 0; i < 5; i++) {
        q.tryPush(
            MemorySegment.ofArray(new int[] {i, i, i, i}), MemorySegment.ofArray(new byte[100]));
      }
      q.tryPop().orElseThrow().close();
    }
  }

  /** Damages a copy of {@code ref}. */
  private static byte[] mutate(byte[] ref, long arenaOffset, Random r) {
    byte[] b = ref.clone();
    int meta = (int) Math.min(arenaOffset, b.length);
    switch (r.nextInt(10)) {
      case 0, 1, 2, 3, 4 -> { // flip a few bytes of the metadata
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(meta)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 5 -> { // flip bytes of the header only
        int n = 1 + r.nextInt(4);
        for (int i = 0; i < n; i++) {
          b[r.nextInt(512)] ^= (byte) (1 << r.nextInt(8));
        }
      }
      case 6 -> { // garbage 8-byte words at aligned metadata offsets
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int n = 1 + r.nextInt(6);
        for (int i = 0; i < n; i++) {
          long v =
              switch (r.nextInt(4)) {
                case 0 -> -1L;
                case 1 -> r.nextLong();
                case 2 -> r.nextInt(1 << 20);
                default -> Long.MIN_VALUE >>> r.nextInt(63);
              };
          bb.putLong((r.nextInt(meta) & ~7), v);
        }
      }
      case 7 -> { // damage block headers in the arena
        int n = 1 + r.nextInt(8);
        for (int i = 0; i < n; i++) {
          int page = r.nextInt(Math.max(1, (b.length - meta) / 65536));
          int at = meta + page * 65536 + r.nextInt(4096);
          if (at < b.length) {
            b[at] ^= (byte) (1 << r.nextInt(8));
          }
        }
      }
      case 8 -> { // zero a range of the metadata
        int from = r.nextInt(meta);
        int len = 1 + r.nextInt(4096);
        java.util.Arrays.fill(b, from, Math.min(meta, from + len), (byte) 0);
      }
      default -> { // truncate
        return java.util.Arrays.copyOf(b, r.nextInt(b.length));
      }
    }
    return b;
  }

  /** Opens and exercises the damaged store; returns an outcome label. */
  private static String exercise(String name, DepotOptions opts) {
    try (Depot d = Depot.open(name, opts)) {
      d.recoverDeadClients();
      d.check();
      d.stats();
      for (ObjectInfo info : d.list()) {
        Optional<ObjectHandle> h = d.tryGet(info.name());
        if (h.isEmpty()) {
          continue;
        }
        try (ObjectHandle handle = h.get()) {
          handle.toByteArray();
          if (handle.kind() == ValueKind.ARRAY) {
            handle.asArray().segment().byteSize();
          } else if (handle.kind() == ValueKind.STRING) {
            handle.asString();
          } else if (handle.kind() == ValueKind.ENCODED) {
            handle.codecId();
          }
        }
      }
      d.put("fuzz-new", new byte[1000]);
      d.replace("text", "replaced");
      d.remove("o1");
      try (DepotQueue q = d.openQueue("q")) {
        q.readLatest().ifPresent(Entry::close);
        Optional<Entry> e = q.tryPop();
        if (e.isPresent()) {
          try (Entry entry = e.get()) {
            entry.track(0).byteSize();
          }
        }
        q.tryPush(MemorySegment.ofArray(new int[4]), MemorySegment.ofArray(new byte[100]));
        try {
          q.pop(Duration.ofMillis(1)).close();
        } catch (io.depot.DepotTimeoutException expected) {
          // empty
        }
      }
      d.check();
      return "ok";
    } catch (DepotException e) {
      return e.getClass().getSimpleName();
    }
  }
}
