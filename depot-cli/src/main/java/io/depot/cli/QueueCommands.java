package io.depot.cli;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.Entry;
import io.depot.NDArray;
import io.depot.Track;
import java.lang.foreign.MemorySegment;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code depot push}, {@code pop} and {@code peek}: queues from a shell. */
final class QueueCommands {
  private QueueCommands() {}

  /**
   * Prints the entry (as JSON if {@code json}) and closes it, or says the queue is empty: the exit
   * code.
   */
  static int printOrEmpty(Optional<Entry> e, DepotQueue q, boolean json) throws Exception {
    if (e.isEmpty()) {
      System.err.println("depot: queue " + q.name() + " is empty");
      return DepotCli.NOT_FOUND;
    }
    try (Entry entry = e.get()) {
      if (json) {
        System.out.println(DepotCli.JSON.writeValueAsString(toJson(entry, q)));
      } else {
        print(entry, q.tracks());
      }
    }
    return 0;
  }

  /**
   * An entry as JSON: its queue, sequence and tracks (each with its bytes in base64; arrays with
   * dtype, shape).
   */
  static Map<String, Object> toJson(Entry e, DepotQueue q) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("queue", q.name());
    row.put("sequence", e.sequence());
    List<Map<String, Object>> tracks = new ArrayList<>();
    for (int i = 0; i < q.tracks().size(); i++) {
      Track t = q.tracks().get(i);
      Map<String, Object> tr = new LinkedHashMap<>();
      tr.put("name", t.name());
      MemorySegment bytes;
      if (t.isArray()) {
        NDArray a = e.array(i);
        tr.put("dtype", a.dtype().numpyName());
        tr.put("shape", a.shape());
        bytes = a.segment();
      } else {
        bytes = e.track(i);
      }
      tr.put("size", bytes.byteSize());
      tr.put(
          "base64",
          Base64.getEncoder()
              .encodeToString(bytes.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
      tracks.add(tr);
    }
    row.put("tracks", tracks);
    return row;
  }

  /** Prints an entry: the raw bytes of a one-track byte queue, else one line per track. */
  static void print(Entry e, List<Track> tracks) throws Exception {
    if (tracks.size() == 1 && !tracks.get(0).isArray()) {
      WritableByteChannel out = Channels.newChannel(System.out);
      Transfer.drain(e.track(0), out);
      System.out.flush();
      return;
    }
    System.out.println("sequence " + e.sequence());
    for (int i = 0; i < tracks.size(); i++) {
      Track t = tracks.get(i);
      if (t.isArray()) {
        NDArray a = e.array(i);
        System.out.println("  " + t.name() + ": " + a);
      } else {
        System.out.println("  " + t.name() + ": " + Sizes.format(e.track(i).byteSize()));
      }
    }
  }

  @Command(
      name = "push",
      mixinStandardHelpOptions = true,
      description =
          "Push an entry: one value per track, each a file, - for standard input, or a string with "
              + "--string (one-track queues).")
  static final class Push implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1", description = "Queue name.")
    String queue;

    @Parameters(
        index = "2..*",
        arity = "0..*",
        description = "One file (or -) per track, in track order.")
    List<String> values = List.of();

    @Option(names = "--string", description = "The value of a one-track queue, as UTF-8.")
    String string;

    @Option(
        names = "--timeout",
        description =
            "How long to wait for room, in milliseconds (default: " + "${DEFAULT-VALUE}).",
        defaultValue = "1000")
    long timeoutMillis;

    @Option(
        names = "--json",
        description = "Print {\"queue\": ..., \"sequence\": ...} instead of the sequence.")
    boolean json;

    @CommandLine.Mixin DepotCli.StoreOptions store = new DepotCli.StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build());
          DepotQueue q = d.openQueue(queue)) {
        int tracks = q.tracks().size();
        MemorySegment[] segments = new MemorySegment[tracks];
        if (string != null) {
          if (tracks != 1 || !values.isEmpty()) {
            throw new CommandLine.ParameterException(
                new CommandLine(this),
                "--string is for a one-track queue, "
                    + "alone: queue "
                    + queue
                    + " has "
                    + tracks
                    + " tracks");
          }
          segments[0] = MemorySegment.ofArray(string.getBytes(StandardCharsets.UTF_8));
        } else {
          if (values.size() != tracks) {
            throw new CommandLine.ParameterException(
                new CommandLine(this),
                "queue "
                    + queue
                    + " has "
                    + tracks
                    + " tracks "
                    + q.tracks()
                    + ": give one value each, got "
                    + values.size());
          }
          for (int i = 0; i < tracks; i++) {
            byte[] bytes =
                values.get(i).equals("-")
                    ? System.in.readAllBytes()
                    : Files.readAllBytes(Path.of(values.get(i)));
            segments[i] = MemorySegment.ofArray(bytes);
          }
        }
        long seq = q.push(Duration.ofMillis(timeoutMillis), segments);
        if (seq == DepotQueue.FULL) {
          System.err.println("depot: queue " + queue + " is full (overflow=" + q.overflow() + ")");
          return DepotCli.FAILED;
        }
        if (json) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("queue", queue);
          row.put("sequence", seq);
          System.out.println(DepotCli.JSON.writeValueAsString(row));
        } else {
          System.out.println(seq);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "pop",
      mixinStandardHelpOptions = true,
      description =
          "Pop the oldest entry and print it (a one-track byte queue: its raw bytes). Exit code 3 if the "
              + "queue stayed empty.")
  static final class Pop implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1", description = "Queue name.")
    String queue;

    @Option(
        names = "--timeout",
        description =
            "How long to wait for an entry, in milliseconds (default: " + "${DEFAULT-VALUE}).",
        defaultValue = "0")
    long timeoutMillis;

    @Option(
        names = "--json",
        description = "Print the entry as JSON (its tracks' bytes in base64).")
    boolean json;

    @CommandLine.Mixin DepotCli.StoreOptions store = new DepotCli.StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build());
          DepotQueue q = d.openQueue(queue)) {
        Optional<Entry> e;
        try {
          e =
              timeoutMillis == 0
                  ? q.tryPop()
                  : Optional.of(q.pop(Duration.ofMillis(timeoutMillis)));
        } catch (io.depot.DepotTimeoutException empty) {
          e = Optional.empty();
        }
        return printOrEmpty(e, q, json);
      }
    }
  }

  @Command(
      name = "peek",
      mixinStandardHelpOptions = true,
      description =
          "Print the oldest entry (or with --latest the newest) without consuming it. Exit code 3 if the "
              + "queue is empty.")
  static final class Peek implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1", description = "Queue name.")
    String queue;

    @Option(names = "--latest", description = "The newest committed entry instead of the oldest.")
    boolean latest;

    @Option(
        names = "--json",
        description = "Print the entry as JSON (its tracks' bytes in base64).")
    boolean json;

    @CommandLine.Mixin DepotCli.StoreOptions store = new DepotCli.StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build());
          DepotQueue q = d.openQueue(queue)) {
        Optional<Entry> e = latest ? q.readLatest() : oldest(q);
        return printOrEmpty(e, q, json);
      }
    }

    private static Optional<Entry> oldest(DepotQueue q) {
      for (long s = q.headSequence(); s < q.tailSequence(); s++) {
        try {
          return Optional.of(q.read(s));
        } catch (io.depot.EntryNotFoundException passed) {
          // popped, deleted or not committed yet: the next one
        }
      }
      return Optional.empty();
    }
  }
}
