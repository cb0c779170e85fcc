package io.depot.cli;

import io.depot.ClientInfo;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectHandle;
import io.depot.ObjectInfo;
import io.depot.Prefault;
import io.depot.StoreStats;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code depot} command. */
@Command(
    name = "depot",
    mixinStandardHelpOptions = true,
    version = "depot 0.1.0",
    description = "A shared-memory object store for the JVM.",
    footer = {
      "",
      "Exit codes: 0 done, 1 failed, 2 usage error, 3 not found (store, object or entry).",
      "Stores live in /dev/shm (--dir) and outlive the processes that use them: `depot destroy NAME` removes one."
    },
    subcommands = {
      CommandLine.HelpCommand.class,
      DemoCommand.class,
      DemoCommand.Worker.class,
      ServeCommand.class,
      DepotCli.Create.class,
      DepotCli.Ls.class,
      DepotCli.Stat.class,
      DepotCli.Stores.class,
      WatchCommand.class,
      DepotCli.Fsck.class,
      DepotCli.Put.class,
      DepotCli.Get.class,
      DepotCli.Rm.class,
      QueueCommands.Push.class,
      QueueCommands.Pop.class,
      QueueCommands.Peek.class,
      DepotCli.Destroy.class
    })
public final class DepotCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private DepotCli() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Writes the {@code --json} output of the commands. */
  static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /**
   * Exit codes: 0 done, 1 failed, 2 usage error (picocli's), 3 not found (store, object, entry).
   */
  static final int FAILED = 1;

  static final int NOT_FOUND = 3;

  @Option(
      names = "--verbose",
      scope = CommandLine.ScopeType.INHERIT,
      description = "Print the stack trace of a failure (the message alone otherwise).")
  boolean verbose;

  /** Runs the command line; returns the exit code. */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new DepotCli());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr()
              .println("depot: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          if (parsed.hasMatchedOption("--verbose")) {
            e.printStackTrace(cmd.getErr());
          }
          return e instanceof io.depot.ObjectNotFoundException
                  || e instanceof io.depot.StoreNotFoundException
                  || e instanceof io.depot.EntryNotFoundException
              ? NOT_FOUND
              : FAILED;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options shared by commands that open a store. */
  static final class StoreOptions {
    @Option(
        names = "--dir",
        description = "Store directory (default: ${DEFAULT-VALUE}).",
        defaultValue = "/dev/shm")
    Path dir;

    /**
     * Options for a command's short attachment: no pre-faulting (a command touches little of the
     * store) and no recovery sweep (so that {@code stat} and {@code fsck} show dead processes as
     * they are; operations still recover what they run into).
     */
    DepotOptions.Builder builder() {
      return DepotOptions.builder()
          .directory(dir)
          .prefault(Prefault.NONE)
          .recoveryInterval(Duration.ZERO);
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a store.")
  static final class Create implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Option(
        names = "--capacity",
        description = "Arena size, e.g. 64M, 2G (default: ${DEFAULT-VALUE}).",
        defaultValue = "64M")
    String capacity;

    @Option(names = "--max-objects", description = "Directory size (default: capacity / 4096).")
    Integer maxObjects;

    @Option(
        names = "--group",
        description = "Let the owner's group read and write the store (mode 0660).")
    boolean group;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      DepotOptions.Builder b = store.builder().capacity(Sizes.parse(capacity)).groupAccess(group);
      if (maxObjects != null) {
        b.maxObjects(maxObjects);
      }
      try (Depot d = Depot.create(name, b.build())) {
        System.out.println(
            "created " + d.path() + " (" + Sizes.format(d.stats().arenaBytes()) + ")");
      }
      return 0;
    }
  }

  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description =
          "List the objects of a store: name, kind, size, version, state (IDLE, BUSY with its reader "
              + "count), and for queues their depth and capacity.")
  static final class Ls implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(
        index = "1",
        arity = "0..1",
        defaultValue = "",
        description = "A name prefix, or a pattern with * and ? (quote it for the shell).")
    String pattern;

    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      boolean glob = pattern.contains("*") || pattern.contains("?");
      java.util.regex.Pattern re =
          glob ? java.util.regex.Pattern.compile(globToRegex(pattern)) : null;
      List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
      try (Depot d = Depot.open(name, store.builder().build())) {
        List<ObjectInfo> list = new java.util.ArrayList<>(d.list(glob ? "" : pattern));
        list.sort(java.util.Comparator.comparing(ObjectInfo::name));
        for (ObjectInfo o : list) {
          if (re != null && !re.matcher(o.name()).matches()) {
            continue;
          }
          java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
          long version = d.version(o.name());
          if (version == Depot.NO_VERSION) {
            continue; // removed since the list
          }
          String state = io.depot.internal.Inspector.state(d, version);
          long readers = state.startsWith("COMMITTED/") ? Long.parseLong(state.substring(10)) : 0;
          row.put("name", o.name());
          row.put("kind", o.kind().toString());
          row.put("size", o.size());
          row.put("version", version);
          row.put("state", readers == 0 ? "IDLE" : "BUSY");
          row.put("readers", readers);
          if (o.kind() == io.depot.ValueKind.ARRAY) {
            row.put("dtype", o.dtype().numpyName());
            row.put("shape", o.shape());
          }
          if (o.kind() == io.depot.ValueKind.QUEUE) {
            try (io.depot.DepotQueue q = d.openQueue(o.name())) {
              row.put("depth", q.size());
              row.put("capacity", q.capacity());
              // the table's own hold on the queue is not a reader
              row.put("readers", Math.max(0, readers - 1));
              row.put("state", readers - 1 > 0 ? "BUSY" : "IDLE");
            } catch (RuntimeException gone) {
              continue; // removed since the list
            }
          }
          rows.add(row);
        }
      }
      if (json) {
        System.out.println(JSON.writeValueAsString(rows));
        return 0;
      }
      String format = "%-32s %-8s %10s %-20s %-5s %7s %s%n";
      System.out.printf(format, "NAME", "KIND", "SIZE", "VERSION", "STATE", "READERS", "QUEUE");
      for (java.util.Map<String, Object> r : rows) {
        String queue =
            r.containsKey("depth")
                ? r.get("depth") + "/" + r.get("capacity")
                : r.containsKey("dtype")
                    ? r.get("dtype") + java.util.Arrays.toString((long[]) r.get("shape"))
                    : "";
        System.out.printf(
            format,
            r.get("name"),
            r.get("kind"),
            Sizes.format((long) r.get("size")),
            Long.toHexString((long) r.get("version")),
            r.get("state"),
            r.get("readers"),
            queue);
      }
      return 0;
    }

    private static String globToRegex(String glob) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < glob.length(); i++) {
        char c = glob.charAt(i);
        switch (c) {
          case '*' -> b.append(".*");
          case '?' -> b.append('.');
          default -> b.append(java.util.regex.Pattern.quote(String.valueOf(c)));
        }
      }
      return b.toString();
    }
  }

  @Command(
      name = "stat",
      mixinStandardHelpOptions = true,
      description = "Show a store's occupancy.")
  static final class Stat implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Option(names = "--json", description = "Print the figures and the process table as JSON.")
    boolean json;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build())) {
        StoreStats s = d.stats();
        if (json) {
          java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("store", d.path().toString());
          m.put("stats", s);
          List<java.util.Map<String, Object>> clients = new java.util.ArrayList<>();
          for (ClientInfo c : d.clients()) {
            java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
            row.put("slot", c.slot());
            row.put("pid", c.pid());
            row.put("state", c.state());
            row.put("alive", c.alive());
            row.put("attachedAt", c.attachedAt().toString());
            row.put("claims", c.claims());
            row.put("pins", c.pins());
            row.put("self", c.self());
            row.put("puts", c.puts());
            row.put("gets", c.gets());
            row.put("removes", c.removes());
            clients.add(row);
          }
          m.put("clients", clients);
          System.out.println(JSON.writeValueAsString(m));
          return 0;
        }
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        out.printf("store          %s%n", d.path());
        out.printf(
            "arena          %s, free %s, in blocks %s%n",
            Sizes.format(s.arenaBytes()),
            Sizes.format(s.freeBytes()),
            Sizes.format(s.usedBlockBytes()));
        out.printf(
            "largest free   %s (fragmentation %.1f%%)%n",
            Sizes.format(s.largestFreeExtent()), 100 * s.fragmentation());
        out.printf(
            "objects        %d committed, %d zombie, %d being written (max %d)%n",
            s.objects(), s.zombies(), s.writing(), s.maxObjects());
        out.printf(
            "clients        %d alive, %d dead (max %d, this command included)%n",
            s.clients(), s.deadClients(), s.maxClients());
        List<ClientInfo> clients = d.clients();
        out.printf(
            "  %-5s %-8s %-10s %-6s %-24s %7s %7s%n",
            "slot", "pid", "state", "alive", "attached", "claims", "pins");
        for (ClientInfo c : clients) {
          out.printf(
              "  %-5d %-8s %-10s %-6s %-24s %7d %7d%s%n",
              c.slot(),
              c.pid() == 0 ? "-" : Long.toString(c.pid()),
              c.state(),
              c.alive() ? "yes" : "DEAD",
              c.attachedAt(),
              c.claims(),
              c.pins(),
              c.self() ? "  (this command)" : "");
        }
        if (s.deadClients() > 0) {
          out.printf(
              "%d dead process(es): their claims, handles and queue positions are recovered at the next "
                  + "operation that runs into them, by the recovery sweep of any attached process (within its "
                  + "recoveryInterval, 1 s by default), or now with: depot fsck --recover %s%n",
              s.deadClients(), name);
        }
      }
      return 0;
    }
  }

  @Command(
      name = "fsck",
      mixinStandardHelpOptions = true,
      description = {
        "Check a store's invariants: every arena byte free or in exactly one block, directory chains, reader counts,"
            + " queues. Exit code 0 if consistent, 1 if not.",
        "Run it on a quiescent store: operations in flight may show as transient differences."
      })
  static final class Fsck implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Option(names = "--recover", description = "First recover the client slots of dead processes.")
    boolean recover;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build())) {
        PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
        int recovered = recover ? d.recoverDeadClients() : 0;
        io.depot.CheckReport report = d.check();
        if (json) {
          java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("store", d.path().toString());
          m.put("recovered", recovered);
          m.put("consistent", report.consistent());
          m.put("report", report);
          out.println(JSON.writeValueAsString(m));
          return report.consistent() ? 0 : 1;
        }
        if (recover) {
          out.printf("recovered %d dead client(s)%n", recovered);
        }
        out.println(d.path() + ": " + report);
        if (!recover && report.deadClients() > 0) {
          out.printf(
              "%d dead client(s): what they left is recovered automatically (at the next operation that "
                  + "runs into it, or by the recovery sweep of any attached process within its recoveryInterval, 1 s by "
                  + "default); to recover now and check again: depot fsck --recover %s%n",
              report.deadClients(), name);
        }
        return report.consistent() ? 0 : 1;
      }
    }
  }

  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description =
          "Store a file's bytes (or standard input's, with -, or a string) under a name. Streams: the "
              + "value is copied into the store in chunks, with no heap or 2 GiB limit.")
  static final class Put implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1", description = "Object name.")
    String object;

    @Parameters(
        index = "2",
        arity = "0..1",
        description = "The file to store, or - for standard input.")
    String source;

    @Option(
        names = "--file",
        description = "Read the value from this file (as the third parameter).")
    Path file;

    @Option(names = "--string", description = "Store this string.")
    String string;

    @Option(names = "--replace", description = "Replace an existing object.")
    boolean replace;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      int given = (file != null ? 1 : 0) + (string != null ? 1 : 0) + (source != null ? 1 : 0);
      if (given != 1) {
        throw new CommandLine.ParameterException(
            new CommandLine(this),
            "give exactly one of FILE (or - for standard input), --file, --string");
      }
      try (Depot d = Depot.open(name, store.builder().build())) {
        if (string != null) {
          if (replace) {
            d.replace(object, string);
          } else {
            d.put(object, string);
          }
          return 0;
        }
        boolean stdin = "-".equals(source);
        Path path = stdin ? Transfer.spool(System.in) : file != null ? file : Path.of(source);
        try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(path);
            io.depot.WriteClaim c =
                d.claim(
                    object,
                    in.size(),
                    replace ? io.depot.PutMode.REPLACE : io.depot.PutMode.CREATE)) {
          Transfer.fill(in, c.segment());
          c.commit();
        } finally {
          if (stdin) {
            Files.deleteIfExists(path);
          }
        }
      }
      return 0;
    }
  }

  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = {
        "Print an object: the raw bytes of a bytes value, the text of a string, a summary of other "
            + "values; with FILE (or - for standard output) its bytes, streamed.",
        "A short-term memory value (stm/k/...) prints without its envelope (JSON and strings as text), a stored "
            + "blob (.../sha256/<hex>, .../keys/<key>) without its trailer; --raw prints the object's bytes as "
            + "stored."
      })
  static final class Get implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1", description = "Object name.")
    String object;

    @Parameters(
        index = "2",
        arity = "0..1",
        description = "Write the bytes to this file, or - for standard " + "output.")
    String target;

    @Option(names = "--out", description = "Write the bytes to this file (as the third parameter).")
    Path out;

    @Option(
        names = "--raw",
        description =
            "The object's bytes as stored: no short-term memory envelope or blob "
                + "trailer taken off.")
    boolean raw;

    @Option(
        names = "--json",
        description =
            "Print what the object is (kind, sizes, version, dtype and shape, what "
                + "it holds for the short-term memory or a storage provider) as JSON, not its bytes.")
    boolean json;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      try (Depot d = Depot.open(name, store.builder().build());
          ObjectHandle h = d.get(object)) {
        Values.Shown v = raw ? Values.raw(h) : Values.decode(object, h);
        if (json) {
          System.out.println(JSON.writeValueAsString(Values.describe(object, h, v)));
          return 0;
        }
        Path to =
            out != null ? out : target != null && !target.equals("-") ? Path.of(target) : null;
        if (to != null) {
          try (java.nio.channels.FileChannel ch =
              java.nio.channels.FileChannel.open(
                  to,
                  java.nio.file.StandardOpenOption.CREATE,
                  java.nio.file.StandardOpenOption.WRITE,
                  java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            Transfer.drain(v.bytes(), ch);
          }
        } else if ("-".equals(target) || v.summary() == null) {
          java.nio.channels.WritableByteChannel stdout =
              java.nio.channels.Channels.newChannel(System.out);
          Transfer.drain(v.bytes(), stdout);
          if (v.text()) {
            System.out.println();
          }
          System.out.flush();
        } else {
          System.out.println(v.summary());
        }
      }
      return 0;
    }
  }

  @Command(
      name = "stores",
      mixinStandardHelpOptions = true,
      description =
          "List the stores of a directory: name, capacity, used, objects, attached processes.")
  static final class Stores implements Callable<Integer> {
    @Option(names = "--json", description = "Print a JSON array instead of a table.")
    boolean json;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() throws Exception {
      List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
      List<Path> files;
      try (var listing = Files.list(store.dir)) {
        files =
            listing.filter(f -> f.getFileName().toString().endsWith(".depot")).sorted().toList();
      }
      for (Path f : files) {
        String n = f.getFileName().toString();
        n = n.substring(0, n.length() - ".depot".length());
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("name", n);
        try (Depot d = Depot.open(n, store.builder().build())) {
          StoreStats st = d.stats();
          row.put("capacity", st.arenaBytes());
          row.put("used", st.arenaBytes() - st.freeBytes());
          row.put("objects", st.objects());
          row.put("clients", st.clients() - 1); // not this command
          row.put("deadClients", st.deadClients());
        } catch (io.depot.DepotException e) {
          row.put("error", e.getMessage());
        }
        rows.add(row);
      }
      if (json) {
        System.out.println(JSON.writeValueAsString(rows));
        return 0;
      }
      String format = "%-32s %10s %10s %8s %8s %s%n";
      System.out.printf(format, "NAME", "CAPACITY", "USED", "OBJECTS", "CLIENTS", "");
      for (java.util.Map<String, Object> r : rows) {
        if (r.containsKey("error")) {
          System.out.printf(
              format, r.get("name"), "-", "-", "-", "-", "cannot open: " + r.get("error"));
        } else {
          System.out.printf(
              format,
              r.get("name"),
              Sizes.format((long) r.get("capacity")),
              Sizes.format((long) r.get("used")),
              r.get("objects"),
              r.get("clients"),
              (int) r.get("deadClients") > 0 ? r.get("deadClients") + " dead" : "");
        }
      }
      return 0;
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Remove objects.")
  static final class Rm implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @Parameters(index = "1..*", description = "Object names.")
    List<String> objects;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      int missing = 0;
      try (Depot d = Depot.open(name, store.builder().build())) {
        for (String o : objects) {
          if (!d.remove(o)) {
            System.err.println("depot: no object " + o);
            missing++;
          }
        }
      }
      return missing == 0 ? 0 : NOT_FOUND;
    }
  }

  @Command(
      name = "destroy",
      mixinStandardHelpOptions = true,
      description = "Delete a store file (attached processes keep their mapping).")
  static final class Destroy implements Callable<Integer> {
    @Parameters(index = "0", description = "Store name.")
    String name;

    @CommandLine.Mixin StoreOptions store = new StoreOptions();

    @Override
    public Integer call() {
      boolean removed = Depot.destroy(name, store.builder().build());
      System.out.println(removed ? "destroyed " + name : "no store " + name);
      return removed ? 0 : NOT_FOUND;
    }
  }
}
