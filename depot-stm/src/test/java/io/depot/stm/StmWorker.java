package io.depot.stm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child-JVM worker for the contract tests: {@code increment <uri> <workflowId> <key> <count>} opens the memory,
 * prints {@code ready}, waits for a line on standard input (so every worker starts together), does {@code count}
 * atomic increments, and prints {@code done}.
 */
public final class StmWorker {
  private StmWorker() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 5 || !args[0].equals("increment")) {
      System.err.println("usage: increment <uri> <workflowId> <key> <count>");
      System.exit(2);
    }
    int count = Integer.parseInt(args[4]);
    try (ShortTermMemory stm = ShortTermMemory.open(args[1])) {
      Workflow wf = stm.workflow(args[2]);
      System.out.println("ready");
      System.out.flush();
      new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      for (int i = 0; i < count; i++) {
        wf.update(args[3], Long.class, n -> n == null ? 1L : n + 1);
      }
    }
    System.out.println("done");
    System.out.flush();
  }
}
