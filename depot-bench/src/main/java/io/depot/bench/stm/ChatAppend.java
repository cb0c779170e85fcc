package io.depot.bench.stm;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmList;
import io.depot.stm.Workflow;
import io.depot.testkit.RedisServer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Chat memory: the cost of adding one message to a 100-message memory, by appending it ({@link
 * StmList#append}, what {@code DepotChatMemoryStore} and {@code DepotChatMemoryRepository} do)
 * against rewriting the whole memory, either as a list ({@link StmList#replaceAll} of 101 elements)
 * or as one value holding the history ({@link Workflow#put} of a 101-element JSON array, the usual
 * key-value chat-memory store), on shared memory and on Redis (a real {@code redis-server} started
 * here on loopback), in one JVM.
 *
 * <p>Messages are 200-character strings (about the size of LangChain4j's JSON of a short message).
 * Before every timed operation the memory holds exactly 100 messages, so each sample adds the
 * 101st: after a timed append, an untimed {@link StmList#trimToLast} brings it back to 100 (what a
 * full message window does); before a timed rewrite, an untimed rewrite of the 100. Each backend is
 * warmed up first (the same loops, untimed); every operation is timed on its own ({@link
 * System#nanoTime()}).
 *
 * <pre>
 *   java --enable-native-access=ALL-UNNAMED -cp &lt;class path&gt; io.depot.bench.stm.ChatAppend [samples]
 * </pre>
 */
public final class ChatAppend {
  static final int MESSAGES = 100;

  private ChatAppend() {}

  public static void main(String[] args) {
    int samples = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    List<String> history = new ArrayList<>();
    for (int i = 0; i <= MESSAGES; i++) {
      history.add(
          "{\"type\":\"USER\",\"contents\":[{\"type\":\"TEXT\",\"text\":\""
              + W4.text(i).substring(0, 150)
              + "\"}]}");
    }
    String store = "chat-append-" + ProcessHandle.current().pid();
    List<String[]> rows = new ArrayList<>();
    try (RedisServer redis = RedisServer.start()) {
      String[][] backends = {{"shm", "shm:" + store}, {"redis", redis.uri() + "/0"}};
      for (String[] b : backends) {
        // Redis round trips are ~50 times slower: fewer samples there.
        int n = b[0].equals("shm") ? samples : Math.max(50, samples / 5);
        rows.add(run(b[0], b[1], history, n));
      }
      System.out.printf(
          Locale.ROOT,
          "add one message to a %d-message chat memory (200-char messages), µs/op,"
              + " median / p99 (redis %s, one connection, loopback)%n",
          MESSAGES,
          RedisServer.binaryVersion());
      System.out.printf(
          Locale.ROOT,
          "%-8s %8s %22s %26s %30s%n",
          "backend",
          "samples",
          "append (StmList)",
          "rewrite (replaceAll 101)",
          "rewrite (put one 101-array)");
      for (String[] r : rows) {
        System.out.println(String.join("", r));
      }
    } finally {
      Depot.destroy(store, DepotOptions.defaults());
    }
  }

  private static String[] run(String name, String uri, List<String> history, int n) {
    List<String> base = history.subList(0, MESSAGES);
    String next = history.get(MESSAGES);
    long[] append = new long[n];
    long[] replace = new long[n];
    long[] put = new long[n];
    try (ShortTermMemory stm = ShortTermMemory.open(uri)) {
      Workflow wf = stm.workflow("chat-append");
      StmList list = wf.list("memory");
      for (int round = 0; round < 2; round++) { // round 0 warms up, round 1 is timed
        list.replaceAll(base);
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          list.append(next);
          append[i] = System.nanoTime() - t0;
          list.trimToLast(
              MESSAGES); // back to 100, as a full message window does after each message
        }
        for (int i = 0; i < n; i++) {
          list.replaceAll(base);
          long t0 = System.nanoTime();
          list.replaceAll(history);
          replace[i] = System.nanoTime() - t0;
          wf.put("memory-as-one-value", base);
          t0 = System.nanoTime();
          wf.put("memory-as-one-value", history);
          put[i] = System.nanoTime() - t0;
        }
      }
      if (list.size() != MESSAGES + 1 || !list.last(1, String.class).getFirst().equals(next)) {
        throw new IllegalStateException(name + ": the memory does not hold the 101 messages");
      }
      wf.end();
    }
    return new String[] {
      String.format(Locale.ROOT, "%-8s %8d ", name, n),
      cell(append, 22),
      cell(replace, 26),
      cell(put, 30)
    };
  }

  private static String cell(long[] nanos, int width) {
    long[] s = nanos.clone();
    Arrays.sort(s);
    double median = s[s.length / 2] / 1e3;
    double p99 = s[(int) Math.min(s.length - 1, Math.ceil(s.length * 0.99) - 1)] / 1e3;
    return String.format(
        Locale.ROOT,
        " %" + (width - 1) + "s",
        String.format(Locale.ROOT, "%.1f / %.1f", median, p99));
  }
}
