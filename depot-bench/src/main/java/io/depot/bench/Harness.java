package io.depot.bench;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.bench.core.W1;
import io.depot.bench.core.W2;
import io.depot.testkit.ChildJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The multi-process workload harness: each workload's writer and reader run as separate JVMs on one store; this
 * process creates the store, runs them, and prints a table with the memcpy baseline of the same run.
 *
 * <p>Usage: {@code java -jar depot-bench/target/benchmarks.jar [w1] [w2] ...} (default: all core workloads).
 */
public final class Harness {
  private Harness() {}

  public static void main(String[] args) throws Exception {
    List<String> which = args.length == 0 ? List.of("w1", "w2") : List.of(args);
    System.out.printf("machine: %d cores, %s %s, java %s%n", Runtime.getRuntime().availableProcessors(),
        System.getProperty("os.name"), System.getProperty("os.arch"), Runtime.version());
    List<String> table = new ArrayList<>();
    double smallCopy = Memcpy.smallCopyNanos(W1.SIZE, 200_000);
    table.add(String.format("memcpy 1 KiB (median, ns)            %8.1f", smallCopy));
    for (String w : which) {
      switch (w) {
        case "w1" -> w1(table);
        case "w2" -> w2(table);
        default -> throw new IllegalArgumentException("unknown workload " + w + " (known: w1 w2)");
      }
    }
    System.out.println();
    System.out.println("workload                              result");
    table.forEach(System.out::println);
  }

  private static String store(String w) {
    return "bench-" + w + "-" + ProcessHandle.current().pid();
  }

  private static void w1(List<String> table) throws Exception {
    String name = store("w1");
    DepotOptions opts = W1.options();
    try (Depot d = Depot.create(name, opts)) {
      String put;
      try (ChildJvm writer = ChildJvm.start(List.of("-Xmx512m"), W1.Writer.class, name)) {
        writer.awaitSuccess(300, TimeUnit.SECONDS);
        put = writer.output().getLast();
      }
      String get;
      String getVerify;
      String getClose;
      try (ChildJvm reader = ChildJvm.start(List.of("-Xmx512m"), W1.Reader.class, name)) {
        reader.awaitSuccess(300, TimeUnit.SECONDS);
        get = line(reader, "W1GET ");
        getVerify = line(reader, "W1GETVERIFY ");
        getClose = line(reader, "W1GETCLOSE ");
      }
      if (d.stats().objects() < W1.COUNT) {
        throw new AssertionError("W1 objects missing: " + d.stats());
      }
      table.add(String.format("W1 put 1 KiB, writer process (µs/op)  %s", put.substring(6)));
      table.add(String.format("W1 get, reader process (µs/op)        %s", get.substring(6)));
      table.add(String.format("W1 get+verify+close (µs/op)           %s", getVerify.substring(12)));
      table.add(String.format("W1 get+close, warm (µs/op)            %s", getClose.substring(11)));
    } finally {
      Depot.destroy(name, opts);
    }
  }

  private static void w2(List<String> table) throws Exception {
    String name = store("w2");
    DepotOptions opts = W2.options();
    long c0 = System.nanoTime();
    try (Depot d = Depot.create(name, opts)) {
      double createSeconds = (System.nanoTime() - c0) / 1e9;
      String put;
      try (ChildJvm writer = ChildJvm.start(List.of("-Xmx1400m"), W2.Writer.class, name)) {
        writer.awaitSuccess(300, TimeUnit.SECONDS);
        put = writer.output().getLast();
      }
      String get;
      String sum;
      try (ChildJvm reader = ChildJvm.start(List.of("-Xmx256m"), W2.Reader.class, name)) {
        reader.awaitSuccess(300, TimeUnit.SECONDS);
        get = line(reader, "W2GET ");
        sum = line(reader, "W2SUM ");
      }
      assert d.contains("w2");
      table.add(String.format("W2 create 516 MiB store, prefaulted (s) %.3f", createSeconds));
      table.add(String.format("W2 put 512 MiB float64 (writer)       %s", put.substring(6)));
      table.add(String.format("W2 get to usable view (µs)            %s", get.substring(6)));
      table.add(String.format("W2 sum 64 Mi doubles (reader)         %s", sum.substring(6)));
    } finally {
      Depot.destroy(name, opts);
    }
  }

  private static String line(ChildJvm c, String prefix) {
    return c.output().stream().filter(l -> l.startsWith(prefix)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no " + prefix + " in " + c.output()));
  }
}
