package io.depot.cli;

import io.depot.ClientInfo;
import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.ObjectInfo;
import io.depot.StoreStats;
import io.depot.ValueKind;
import java.io.PrintStream;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code depot watch NAME}: a live view of a store, refreshed every {@code --interval}: a usage
 * bar, objects, operations per second (from the store's operation totals), queues with their depth,
 * and the attached processes. On a terminal it redraws the screen; otherwise (piped, logged) it
 * prints one plain line per refresh.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description =
        "A live view of a store: usage, objects, operations per second, queues, processes.")
final class WatchCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final int BAR = 40;

  @Parameters(index = "0", description = "Store name.")
  String name;

  @Option(
      names = "--interval",
      description = "Refresh interval in milliseconds (default: ${DEFAULT-VALUE}).",
      defaultValue = "1000")
  long intervalMillis;

  @Option(
      names = "--count",
      description = "Stop after this many refreshes (default: until interrupted).")
  Long count;

  @Option(names = "--plain", description = "Plain lines even on a terminal.")
  boolean plain;

  @Option(names = "--json", description = "One JSON object per refresh, a line each (for scripts).")
  boolean json;

  @CommandLine.Mixin DepotCli.StoreOptions store = new DepotCli.StoreOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (intervalMillis < 10) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--interval must be at least 10 ms: " + intervalMillis);
    }
    if (count != null && count < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--count must be at least 1: " + count);
    }
    boolean terminal = !plain && !json && System.console() != null && System.console().isTerminal();
    PrintStream out = System.out;
    try (Depot d = Depot.open(name, store.builder().build())) {
      StoreStats before = d.stats();
      long[] opsBefore = others(d, before);
      long t0 = System.nanoTime();
      for (long n = 0; count == null || n < count; n++) {
        Thread.sleep(intervalMillis);
        StoreStats now = d.stats();
        long t1 = System.nanoTime();
        double seconds = (t1 - t0) / 1e9;
        long[] ops = others(d, now);
        double puts = (ops[0] - opsBefore[0]) / seconds;
        double gets = (ops[1] - opsBefore[1]) / seconds;
        double removes = (ops[2] - opsBefore[2]) / seconds;
        opsBefore = ops;
        Map<String, long[]> queueDepths = queues(d);
        List<String> queues = new ArrayList<>();
        queueDepths.forEach((q, dc) -> queues.add(q + "=" + dc[0] + "/" + dc[1]));
        long used = now.arenaBytes() - now.freeBytes();
        double share = now.arenaBytes() == 0 ? 0 : (double) used / now.arenaBytes();
        if (json) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("time", java.time.Instant.now().toString());
          row.put("capacity", now.arenaBytes());
          row.put("used", used);
          row.put("largestFree", now.largestFreeExtent());
          row.put("objects", now.objects());
          row.put("maxObjects", now.maxObjects());
          row.put("zombies", now.zombies());
          row.put("writing", now.writing());
          row.put("queueEntries", now.queueEntries());
          row.put("putsPerSecond", Math.round(puts));
          row.put("getsPerSecond", Math.round(gets));
          row.put("removesPerSecond", Math.round(removes));
          row.put("clients", now.clients() - 1);
          row.put("deadClients", now.deadClients());
          Map<String, Object> qs = new LinkedHashMap<>();
          queueDepths.forEach((q, dc) -> qs.put(q, Map.of("depth", dc[0], "capacity", dc[1])));
          row.put("queues", qs);
          out.println(DepotCli.JSON.writeValueAsString(row));
        } else if (terminal) {
          StringBuilder b = new StringBuilder("\033[H\033[2J");
          b.append(
              String.format(
                  "depot watch %s  %s  every %d ms (Ctrl-C to stop)%n%n",
                  d.path(), LocalTime.now(ZoneId.systemDefault()).format(TIME), intervalMillis));
          int filled = (int) Math.round(share * BAR);
          b.append(
              String.format(
                  "used  [%s%s] %5.1f%%  %s of %s, largest free %s%n",
                  "#".repeat(filled),
                  ".".repeat(BAR - filled),
                  100 * share,
                  Sizes.format(used),
                  Sizes.format(now.arenaBytes()),
                  Sizes.format(now.largestFreeExtent())));
          b.append(
              String.format(
                  "objects %d (max %d), zombies %d, being written %d, queue entries %d%n",
                  now.objects(),
                  now.maxObjects(),
                  now.zombies(),
                  now.writing(),
                  now.queueEntries()));
          b.append(
              String.format("ops/s  put %.0f  get %.0f  remove %.0f%n%n", puts, gets, removes));
          b.append(
              queues.isEmpty()
                  ? "no queues\n"
                  : "queues (depth/capacity): " + String.join("  ", queues) + "\n");
          b.append(
              String.format(
                  "%nprocesses: %d alive, %d dead%n", now.clients() - 1, now.deadClients()));
          b.append(
              String.format(
                  "  %-5s %-8s %-10s %-6s %7s %7s%n",
                  "slot", "pid", "state", "alive", "claims", "pins"));
          for (ClientInfo c : d.clients()) {
            if (!c.self()) {
              b.append(
                  String.format(
                      "  %-5d %-8s %-10s %-6s %7d %7d%n",
                      c.slot(),
                      c.pid() == 0 ? "-" : c.pid(),
                      c.state(),
                      c.alive() ? "yes" : "DEAD",
                      c.claims(),
                      c.pins()));
            }
          }
          out.print(b);
        } else {
          out.printf(
              "%s used %s/%s (%.1f%%) objects %d zombies %d writing %d ops/s put %.0f get %.0f remove %.0f "
                  + "clients %d dead %d queues %s%n",
              LocalTime.now(ZoneId.systemDefault()).format(TIME),
              Sizes.format(used),
              Sizes.format(now.arenaBytes()),
              100 * share,
              now.objects(),
              now.zombies(),
              now.writing(),
              puts,
              gets,
              removes,
              now.clients() - 1,
              now.deadClients(),
              queues.isEmpty() ? "-" : String.join(",", queues));
        }
        out.flush();
        before = now;
        t0 = t1;
      }
    }
    return 0;
  }

  /** The store's operation totals without this command's own (its listing opens the queues). */
  private static long[] others(Depot d, StoreStats st) {
    long[] t = {st.puts(), st.gets(), st.removes()};
    for (ClientInfo c : d.clients()) {
      if (c.self()) {
        t[0] -= c.puts();
        t[1] -= c.gets();
        t[2] -= c.removes();
      }
    }
    return t;
  }

  /** Depth and capacity of every queue, by name. */
  private static Map<String, long[]> queues(Depot d) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (ObjectInfo o : d.list()) {
      if (o.kind() == ValueKind.QUEUE) {
        try (DepotQueue q = d.openQueue(o.name())) {
          out.put(o.name(), new long[] {q.size(), q.capacity()});
        } catch (RuntimeException gone) {
          // removed since the list
        }
      }
    }
    return out;
  }
}
