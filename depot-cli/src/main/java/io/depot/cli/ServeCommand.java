package io.depot.cli;

import io.depot.ClientInfo;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.DepotQueue;
import io.depot.ObjectInfo;
import io.depot.Prefault;
import io.depot.StoreStats;
import io.depot.ValueKind;
import io.depot.internal.Inspector;
import io.depot.stm.ShortTermMemory;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code depot serve NAME}: the optional owner daemon of a store. It attaches (or creates, with
 * {@code --create}), runs the dead-client recovery (and, with {@code --stm}, the expiry sweep of a
 * short-term memory) every {@code --interval}, and serves Prometheus metrics on a loopback port.
 * One daemon per store: a second one finds the first's lock (an advisory lock on {@code
 * NAME.depot.serve} beside the store file, which the kernel drops when its holder dies, even by
 * SIGKILL) and refuses, naming its pid. SIGINT or SIGTERM stop it cleanly ({@code
 * --destroy-on-exit} also deletes the store). The library needs no daemon: this is for operators
 * who want metrics and a sweep that runs while no worker is attached.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Run the owner daemon of a store: recovery sweep, STM expiry, Prometheus metrics on loopback.")
final class ServeCommand implements Callable<Integer> {
  /** The metrics port when none is given (the Prometheus exporters' range; 0 picks a free port). */
  static final int DEFAULT_METRICS_PORT = 9464;

  @Parameters(index = "0", description = "Store name.")
  String name;

  @Option(
      names = "--create",
      description = "Create the store if it does not exist (with --capacity).")
  boolean create;

  @Option(
      names = "--capacity",
      description = "Arena size for --create, e.g. 64M, 2G (default: ${DEFAULT-VALUE}).",
      defaultValue = "64M")
  String capacity;

  @Option(
      names = "--metrics-port",
      description =
          "Port of the metrics endpoint; 0: any free port " + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "" + DEFAULT_METRICS_PORT)
  int metricsPort;

  @Option(
      names = "--metrics-host",
      description = "Address the metrics endpoint listens on " + "(default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1")
  String metricsHost;

  @Option(
      names = "--interval",
      description = "How often to sweep, e.g. 500ms, 1s, 1m (default: ${DEFAULT-VALUE}).",
      defaultValue = "1s")
  String interval;

  @Option(
      names = "--stm",
      description =
          "Also sweep the expired workflows of this short-term memory, e.g. " + "shm:agents.")
  String stm;

  @Option(names = "--destroy-on-exit", description = "Delete the store when stopped.")
  boolean destroyOnExit;

  @CommandLine.Mixin DepotCli.StoreOptions store = new DepotCli.StoreOptions();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Duration every = parseDuration(interval);
    if (metricsPort < 0 || metricsPort > 65_535) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--metrics-port must be 0..65535: " + metricsPort);
    }
    DepotOptions opts =
        store
            .builder()
            .capacity(Sizes.parse(capacity))
            .prefault(Prefault.NONE)
            .recoveryInterval(every)
            .build();
    if (!create && !Depot.exists(name, opts)) {
      System.err.println("depot: no store " + name + " in " + store.dir + " (use --create)");
      return 3;
    }
    Path lockFile = store.dir.resolve(name + ".depot.serve");
    try (FileChannel lockChannel =
        FileChannel.open(
            lockFile,
            StandardOpenOption.CREATE,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE)) {
      FileLock lock = lockChannel.tryLock();
      if (lock == null) {
        String holder = new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).trim();
        System.err.println("depot: store " + name + " is already served by pid=" + holder);
        return 1;
      }
      lockChannel.truncate(0);
      lockChannel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      lockChannel.force(false);
      return serve(opts, every, lockFile);
    }
  }

  @SuppressWarnings(
      "NonAtomicVolatileUpdate") // the metrics have one writer, this loop; the HTTP thread only
  // reads
  private int serve(DepotOptions opts, Duration every, Path lockFile)
      throws IOException, InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.countDown();
              try {
                stopped.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              Runtime.getRuntime().halt(0); // a clean stop by signal exits with 0
            },
            "depot-serve-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    try (Depot d = Depot.openOrCreate(name, opts);
        ShortTermMemory memory = stm == null ? null : ShortTermMemory.open(stm)) {
      Metrics metrics = new Metrics(d);
      try (HTTPServer server =
          HTTPServer.builder()
              .hostname(metricsHost)
              .port(metricsPort)
              .registry(metrics.registry)
              .buildAndStart()) {
        System.out.println(
            "depot serve: "
                + name
                + " ("
                + d.path()
                + ", "
                + Sizes.format(d.stats().arenaBytes())
                + "), pid "
                + ProcessHandle.current().pid()
                + ", sweep every "
                + interval
                + ", metrics on http://"
                + metricsHost
                + ":"
                + server.getPort()
                + "/metrics");
        System.out.flush();
        while (!stop.await(every.toMillis(), TimeUnit.MILLISECONDS)) {
          metrics.sweeps++;
          metrics.recovered += d.recoverDeadClients();
          if (memory != null) {
            metrics.expired += memory.sweepExpired();
          }
        }
      }
    } finally {
      if (destroyOnExit) {
        Depot.destroy(name, opts);
      }
      Files.deleteIfExists(lockFile);
      System.out.println("depot serve: stopped" + (destroyOnExit ? ", store destroyed" : ""));
      System.out.flush();
      stopped.countDown();
    }
    return 0;
  }

  /** Parses {@code 500ms}, {@code 2s}, {@code 1m}. */
  private Duration parseDuration(String s) {
    try {
      Duration d;
      if (s.endsWith("ms")) {
        d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      } else if (s.endsWith("s")) {
        d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
      } else if (s.endsWith("m")) {
        d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1)));
      } else {
        throw new NumberFormatException();
      }
      if (d.toMillis() < 10) {
        throw new NumberFormatException();
      }
      return d;
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--interval must be at least 10ms, like 500ms, 1s or 1m: " + s);
    }
  }

  /**
   * The store's metrics, read from its shared memory at each scrape: occupancy, clients, queues,
   * and the operation totals that every process's client slot counts (kept after it detaches, see
   * {@link StoreStats#puts()}); the daemon's own sweeps and recoveries.
   */
  static final class Metrics {
    final PrometheusRegistry registry = new PrometheusRegistry();
    private final Depot depot;

    /** The highest totals reported (a slot being reused can be counted twice for an instant). */
    private final long[] reported = new long[3];

    volatile long sweeps;
    volatile long recovered;
    volatile long expired;

    Metrics(Depot depot) {
      this.depot = depot;
      gauge("depot_capacity_bytes", "Arena capacity.", StoreStats::arenaBytes);
      gauge("depot_free_bytes", "Arena bytes in no block.", StoreStats::freeBytes);
      gauge("depot_used_bytes", "Arena bytes held by blocks.", StoreStats::usedBlockBytes);
      gauge(
          "depot_largest_free_extent_bytes",
          "Largest run of free pages.",
          StoreStats::largestFreeExtent);
      gauge("depot_objects", "Committed named objects (queues included).", StoreStats::objects);
      gauge(
          "depot_queue_entries",
          "Committed queue entries not yet popped, in all queues.",
          StoreStats::queueEntries);
      gauge("depot_zombies", "Removed objects still held by readers.", StoreStats::zombies);
      gauge(
          "depot_writing", "Objects and entries in the WRITE stage (claims).", StoreStats::writing);
      gauge("depot_clients", "Attached processes that are alive.", StoreStats::clients);
      gauge(
          "depot_dead_clients",
          "Client slots of dead processes not yet recovered.",
          StoreStats::deadClients);
      GaugeWithCallback.builder()
          .name("depot_client_pins")
          .help("Handles held open, per client slot (a process may attach more than once).")
          .labelNames("slot", "pid")
          .callback(
              cb -> {
                for (ClientInfo c : depot.clients()) {
                  cb.call((double) c.pins(), Integer.toString(c.slot()), Long.toString(c.pid()));
                }
              })
          .register(registry);
      GaugeWithCallback.builder()
          .name("depot_client_claims")
          .help("WRITE-stage claims, per client slot.")
          .labelNames("slot", "pid")
          .callback(
              cb -> {
                for (ClientInfo c : depot.clients()) {
                  cb.call((double) c.claims(), Integer.toString(c.slot()), Long.toString(c.pid()));
                }
              })
          .register(registry);
      GaugeWithCallback.builder()
          .name("depot_queue_depth")
          .help("Positions in each queue (committed or not).")
          .labelNames("queue")
          .callback(
              cb -> {
                for (ObjectInfo o : depot.list()) {
                  if (o.kind() == ValueKind.QUEUE) {
                    try (DepotQueue q = depot.openQueue(o.name())) {
                      cb.call(q.size(), o.name());
                    } catch (RuntimeException gone) {
                      // removed between the list and the open
                    }
                  }
                }
              })
          .register(registry);
      CounterWithCallback.builder()
          .name("depot_operations")
          .help("Objects put, opened and removed.")
          .labelNames("op")
          .callback(
              cb -> {
                long[] totals = operationTotals();
                cb.call((double) totals[0], "put");
                cb.call((double) totals[1], "get");
                cb.call((double) totals[2], "remove");
              })
          .register(registry);
      CounterWithCallback.builder()
          .name("depot_recovered_clients")
          .help("Dead processes recovered by the daemon.")
          .callback(cb -> cb.call((double) recovered))
          .register(registry);
      CounterWithCallback.builder()
          .name("depot_lock_repairs")
          .help("Locks of dead processes repaired by the daemon.")
          .callback(cb -> cb.call((double) Inspector.lockRepairs(depot)))
          .register(registry);
      CounterWithCallback.builder()
          .name("depot_sweeps")
          .help("Sweeps run by the daemon.")
          .callback(cb -> cb.call((double) sweeps))
          .register(registry);
      CounterWithCallback.builder()
          .name("depot_stm_expired")
          .help("STM workflows and keys reclaimed by the sweep.")
          .callback(cb -> cb.call((double) expired))
          .register(registry);
    }

    private void gauge(String name, String help, ToDoubleFunction<StoreStats> value) {
      GaugeWithCallback.builder()
          .name(name)
          .help(help)
          .callback(cb -> cb.call(value.applyAsDouble(depot.stats())))
          .register(registry);
    }

    /** The store's operation totals (puts, gets, removes), never lower than reported before. */
    synchronized long[] operationTotals() {
      StoreStats st = depot.stats();
      long[] now = {st.puts(), st.gets(), st.removes()};
      for (int i = 0; i < 3; i++) {
        reported[i] = Math.max(reported[i], now[i]);
      }
      return reported.clone();
    }
  }
}
