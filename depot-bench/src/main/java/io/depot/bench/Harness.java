package io.depot.bench;

/** Entry point of the benchmark jar; the workloads are added as they land. */
public final class Harness {
  private Harness() {}

  public static void main(String[] args) {
    System.out.println("usage: java -jar benchmarks.jar <workload>");
  }
}
