package io.depot.bench.peers;

import io.depot.bench.JitSettled;
import io.depot.bench.Stats;
import java.util.SplittableRandom;

/**
 * A key-value workload process ({@code args: peer role location sizes counts warmMillis [prefix]},
 * sizes and counts comma-separated, one run per size; every key name starts with {@code prefix},
 * W4's workflow scope). {@code put}: puts the warm-up keys {@code w0..} and removes them, round
 * after round for {@code warmMillis} (at least 2 rounds, at least {@link KvPeer#warmOps} puts when
 * {@code warmMillis > 0}, and then until the JIT has settled: {@link JitSettled}), puts them once
 * more (left for the reader's warm-up), then times a put of each of {@code k0..k<count-1>}. {@code
 * get}: gets and verifies the {@code w} keys for {@code warmMillis} (and until the JIT has
 * settled), then times a get + verify of each {@code k} key: the first half in the order they were
 * put ({@code KVGET}), the second half in a seeded random order ({@code KVGETR}). {@code both}: the
 * two in this process (the in-JVM baselines). Prints {@code KVPUT median_ns=… p99_ns=…}, {@code
 * KVGET …} and {@code KVGETR …}.
 *
 * <p>The warm-up rounds run the timed loops themselves ({@link #timedPuts}, {@link #timedGets} on
 * the {@code w} keys), so that the timed run is compiled code from its first key. Timed from a loop
 * the JIT had not compiled yet, every operation carried the interpreter's cost of the loop and of
 * its two {@code System.nanoTime()} calls: up to 0.13 µs (a 64 B memcpy put measured 0.16 µs
 * instead of 0.03).
 */
public final class KvChild {
  private KvChild() {}

  /** The value of key {@code i}: seeded random bytes, the same in every process. */
  static byte[] value(int i, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(i * 31L + size).nextBytes(b);
    return b;
  }

  public static void main(String[] args) {
    String peer = args[0];
    String role = args[1];
    String location = args[2];
    String[] sizes = args[3].split(",");
    String[] counts = args[4].split(",");
    long warmNanos = Long.parseLong(args[5]) * 1_000_000L;
    String prefix = args.length > 6 ? args[6] : "";
    for (int s = 0; s < sizes.length; s++) {
      run(
          peer,
          role,
          location,
          Integer.parseInt(sizes[s]),
          Integer.parseInt(counts[s]),
          warmNanos,
          prefix);
    }
  }

  private static void run(
      String peer,
      String role,
      String location,
      int size,
      int count,
      long warmNanos,
      String prefix) {
    byte[][] values = new byte[count][];
    KvPeer.Key[] warm = new KvPeer.Key[count];
    KvPeer.Key[] keys = new KvPeer.Key[count];
    for (int i = 0; i < count; i++) {
      values[i] = value(i, size);
      warm[i] = KvPeer.Key.of(prefix + "w" + size + "_", i);
      keys[i] = KvPeer.Key.of(prefix + "k" + size + "_", i);
    }
    try (KvPeer kv = KvPeers.open(peer, location, size, count)) {
      if (!role.equals("get")) {
        long until = System.nanoTime() + warmNanos;
        long minOps = warmNanos > 0 ? kv.warmOps(size) : 0;
        JitSettled jit = new JitSettled(until);
        for (int round = 0; warming(round, count, until, minOps, warmNanos > 0, jit); round++) {
          timedPuts(kv, warm, values); // the timed loop itself, so that it is compiled too
          for (int i = 0;
              i < warm.length;
              i += kv.batch()) { // batched as the timed puts (pipelined: DELs)
            kv.removeAll(warm, i, Math.min(warm.length, i + kv.batch()));
          }
        }
        timedPuts(kv, warm, values);
        System.out.println("KVPUT size=" + size + " " + summary(timedPuts(kv, keys, values)));
      }
      if (!role.equals("put")) {
        long until = System.nanoTime() + warmNanos;
        long minOps = warmNanos > 0 ? kv.warmOps(size) : 0;
        JitSettled jit = new JitSettled(until);
        for (int round = 0; warming(round, count, until, minOps, warmNanos > 0, jit); round++) {
          timedGets(kv, warm, values, peer); // the timed loop itself, so that it is compiled too
        }
        // The first half of the keys is read in the order it was put, the second half in a seeded
        // random order: the order a user's reads rarely follow (a store that lays objects out in
        // put order is prefetched through the first), and the one they mostly do.
        int half = Math.max(1, count / 2);
        int from = count > 1 ? half : 0; // a single key is read both ways
        KvPeer.Key[] inOrder = java.util.Arrays.copyOfRange(keys, 0, half);
        byte[][] inOrderValues = java.util.Arrays.copyOfRange(values, 0, half);
        KvPeer.Key[] shuffled = java.util.Arrays.copyOfRange(keys, from, count);
        byte[][] shuffledValues = java.util.Arrays.copyOfRange(values, from, count);
        shuffle(shuffled, shuffledValues, new SplittableRandom(size));
        System.out.println(
            "KVGET size=" + size + " " + summary(timedGets(kv, inOrder, inOrderValues, peer)));
        System.out.println(
            "KVGETR size=" + size + " " + summary(timedGets(kv, shuffled, shuffledValues, peer)));
      }
    }
  }

  /**
   * Whether a warm-up goes on after {@code round} rounds of {@code count} operations: at least 2
   * rounds, until {@code until}, at least {@code minOps} operations, and then (if {@code
   * untilSettled}) until the JIT has settled.
   */
  private static boolean warming(
      int round, int count, long until, long minOps, boolean untilSettled, JitSettled jit) {
    return round < 2
        || System.nanoTime() < until
        || (long) round * count < minOps
        || (untilSettled && !jit.settled());
  }

  private static Stats timedPuts(KvPeer kv, KvPeer.Key[] keys, byte[][] values) {
    int b = kv.batch();
    Stats s = new Stats(keys.length);
    for (int i = 0; i < keys.length; i += b) {
      int to = Math.min(keys.length, i + b);
      long t0 = System.nanoTime();
      kv.putAll(keys, values, i, to);
      long per = (System.nanoTime() - t0) / (to - i);
      for (int j = i; j < to; j++) {
        s.add(per);
      }
    }
    return s;
  }

  private static Stats timedGets(KvPeer kv, KvPeer.Key[] keys, byte[][] values, String peer) {
    int b = kv.batch();
    Stats s = new Stats(keys.length);
    for (int i = 0; i < keys.length; i += b) {
      int to = Math.min(keys.length, i + b);
      long t0 = System.nanoTime();
      boolean ok = kv.getVerifyAll(keys, values, i, to);
      long per = (System.nanoTime() - t0) / (to - i);
      if (!ok) {
        throw new AssertionError(
            peer + ": a value read back differs from the one put (keys " + i + ".." + to + ")");
      }
      for (int j = i; j < to; j++) {
        s.add(per);
      }
    }
    return s;
  }

  /** Shuffles {@code keys} and {@code values} alike (Fisher-Yates). */
  private static void shuffle(KvPeer.Key[] keys, byte[][] values, SplittableRandom random) {
    for (int i = keys.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      KvPeer.Key k = keys[i];
      keys[i] = keys[j];
      keys[j] = k;
      byte[] v = values[i];
      values[i] = values[j];
      values[j] = v;
    }
  }

  static String summary(Stats s) {
    return String.format(
        java.util.Locale.ROOT,
        "median_ns=%.1f p99_ns=%.1f",
        s.percentileMicros(0.5) * 1000,
        s.percentileMicros(0.99) * 1000);
  }
}
