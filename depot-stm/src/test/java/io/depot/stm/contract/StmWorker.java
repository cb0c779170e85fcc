package io.depot.stm.contract;

import io.depot.stm.ShortTermMemory;
import io.depot.stm.Workflow;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child-JVM worker for the contract tests: {@code increment|append <uri> <workflowId> <key>
 * <count>} opens the memory, prints {@code ready}, waits for a line on standard input (so every
 * worker starts together), does {@code count} atomic increments of the key (or appends {@code
 * <pid>:<i>} to the list), and prints {@code done}.
 */
public final class StmWorker {
  private StmWorker() {}

  public static void main(String[] args) throws Exception {
    boolean increment = args.length == 5 && args[0].equals("increment");
    boolean append = args.length == 5 && args[0].equals("append");
    if (!increment && !append) {
      System.err.println("usage: increment|append <uri> <workflowId> <key> <count>");
      System.exit(2);
    }
    int count = Integer.parseInt(args[4]);
    try (ShortTermMemory stm = ShortTermMemory.open(args[1])) {
      Workflow wf = stm.workflow(args[2]);
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      long pid = ProcessHandle.current().pid();
      for (int i = 0; i < count; i++) {
        if (increment) {
          wf.update(args[3], Long.class, n -> n == null ? 1L : n + 1);
        } else {
          wf.list(args[3]).append(pid + ":" + i);
        }
      }
    }
    System.out.println("done");
    System.out.flush();
  }
}
