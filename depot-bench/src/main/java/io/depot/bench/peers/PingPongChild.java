package io.depot.bench.peers;

import io.depot.bench.Stats;

/**
 * W3-small ping-pong ({@code args: peer role there back warm rounds}): a {@code ping} process sends
 * a {@value QueueChild#SIZE}-byte message carrying its round number through the queue {@code there}
 * and waits for it to come back through {@code back}, timing each round trip after {@code warm}
 * untimed ones; a {@code pong} process receives each message from {@code there} and sends it back
 * through {@code back}. The two queues are of the same system ({@link QueueChild#open}). Prints
 * {@code PING median_ns=… p99_ns=…}.
 */
public final class PingPongChild {
  private PingPongChild() {}

  public static void main(String[] args) {
    String peer = args[0];
    String role = args[1];
    int warm = Integer.parseInt(args[4]);
    int rounds = Integer.parseInt(args[5]);
    try (QueueChild.Ends there = QueueChild.open(peer, args[2], QueueChild.SIZE);
        QueueChild.Ends back = QueueChild.open(peer, args[3], QueueChild.SIZE)) {
      if (role.equals("pong")) {
        for (int i = 0; i < warm + rounds; i++) {
          echo(there, back);
        }
        return;
      }
      Stats rtt = new Stats(rounds);
      for (int i = 0; i < warm + rounds; i++) {
        long t = roundTrip(there, back, i, peer);
        if (i >= warm) {
          rtt.add(t);
        }
      }
      System.out.println("PING " + KvChild.summary(rtt));
    }
  }

  // One round trip, or one echo, per call: a method the JIT compiles during the warm-up rounds, so
  // that the timed rounds run compiled code (a loop in main would run interpreted until compiled
  // on stack, well into the timed rounds).

  /** Sends {@code i} through {@code there}, waits for it through {@code back}: the time taken. */
  private static long roundTrip(QueueChild.Ends there, QueueChild.Ends back, long i, String peer) {
    long t0 = System.nanoTime();
    there.send(i);
    long v = back.receive();
    long t = System.nanoTime() - t0;
    if (v != i) {
      throw new AssertionError(peer + ": round " + i + " came back as " + v);
    }
    return t;
  }

  private static void echo(QueueChild.Ends there, QueueChild.Ends back) {
    back.send(there.receive());
  }
}
