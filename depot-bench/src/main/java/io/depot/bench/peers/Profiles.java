package io.depot.bench.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * The "why" of a row where Depot is behind: the JFR recordings of Depot's child processes in a
 * repeat of the workload ({@code -XX:StartFlightRecording}, {@code jdk.ExecutionSample} every
 * millisecond), read with {@link RecordingFile}, summarized as each process role's hottest methods
 * by self time (the top frame of each sample) over the samples taken inside Depot's calls (a frame
 * of {@code io.depot} below the harness's {@code io.depot.bench}), so that the harness's own work
 * (building values, comparing them) does not crowd them out.
 */
final class Profiles {
  private Profiles() {}

  /**
   * The child roles whose recordings explain the figures {@code ops} of a table of {@code kind}.
   */
  static Set<String> roles(String kind, List<String> ops) {
    Set<String> roles = new LinkedHashSet<>();
    for (String op : ops) {
      switch (kind) {
        case "kv", "array" -> roles.add(op.equals("getRandom") ? "get" : op); // put, get
        case "mixed" -> roles.add(op.equals("writes") ? "writer" : "reader");
        case "ping" -> roles.addAll(List.of("ping", "pong"));
        default -> roles.addAll(List.of("producer", "consumer"));
      }
    }
    return roles;
  }

  /**
   * One markdown list item per role of {@code roles} recorded in {@code dir} ({@code role-….jfr}):
   * its samples inside Depot's calls and its {@code top} methods by self samples among them, with
   * their share.
   */
  static List<String> summarize(Path dir, Set<String> roles, int top) {
    Map<String, Map<String, Integer>> counts = new TreeMap<>();
    Map<String, Integer> totals = new HashMap<>();
    Map<String, Integer> inside = new HashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jfr")).sorted().toList()) {
        String role = f.getFileName().toString().replaceFirst("-[0-9]+\\.jfr$", "");
        if (!roles.contains(role)) {
          continue;
        }
        Map<String, Integer> c = counts.computeIfAbsent(role, r -> new HashMap<>());
        for (RecordedEvent e : RecordingFile.readAllEvents(f)) {
          if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
            continue;
          }
          RecordedStackTrace st = e.getStackTrace();
          if (st == null || st.getFrames().isEmpty()) {
            continue;
          }
          totals.merge(role, 1, Integer::sum);
          if (st.getFrames().stream().anyMatch(Profiles::depot)) {
            c.merge(frame(st.getFrames().getFirst()), 1, Integer::sum);
            inside.merge(role, 1, Integer::sum);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the JFR recordings in " + dir, e);
    }
    List<String> lines = new ArrayList<>();
    for (String role : roles) {
      Map<String, Integer> c = counts.get(role);
      int total = inside.getOrDefault(role, 0);
      if (c == null || total == 0) {
        lines.add(
            "* "
                + role
                + " process: no execution samples inside Depot's calls (of "
                + totals.getOrDefault(role, 0)
                + ")");
        continue;
      }
      StringBuilder sb =
          new StringBuilder(
              "* "
                  + role
                  + " process ("
                  + total
                  + " of "
                  + totals.get(role)
                  + " samples inside Depot's calls): ");
      List<Map.Entry<String, Integer>> sorted =
          c.entrySet().stream()
              .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
              .limit(top)
              .toList();
      for (int i = 0; i < sorted.size(); i++) {
        sb.append(i == 0 ? "" : ", ")
            .append('`')
            .append(sorted.get(i).getKey())
            .append("` ")
            .append(String.format(Locale.ROOT, "%.0f%%", 100.0 * sorted.get(i).getValue() / total));
      }
      lines.add(sb.toString());
    }
    return lines;
  }

  /** Whether {@code f} is Depot's own code (not the harness's). */
  private static boolean depot(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.startsWith("io.depot.") && !type.startsWith("io.depot.bench.");
  }

  /** {@code SimpleClass.method} of a frame (the package dropped, nested classes kept). */
  private static String frame(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + f.getMethod().getName();
  }
}
