package io.depot.bench.peers;

import io.depot.bench.JitSettled;
import io.depot.bench.Stats;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The mixed workload ({@code args: peer role location keys size millis id}): writers and readers at
 * once on {@code keys} values of {@code size} bytes. Each key has two versions ({@link #versions}:
 * seeded random bytes, different in their first byte); writer 0 first puts version 0 of every key
 * and prints {@code FILLED}. A {@code writer} replaces random keys with one of their versions, a
 * {@code reader} reads random keys and checks each value is one of the key's versions, whole (a
 * torn or foreign value fails the run). Writers and readers first warm up on their own (up to 1 s,
 * and until the JIT has settled: {@link JitSettled}), print {@code READY}, wait for {@code GO} on
 * standard input (the harness sends it once all are ready, so they run at the same time), run for
 * {@code millis} and print {@code MIXED ops=… nanos=… p999_ns=…} (the 99.9th percentile of the
 * operations timed on their own, one in {@value #SAMPLE_EVERY}).
 */
public final class MixedChild {
  /** One operation in this many is timed on its own (the p99.9 latency of the MIXED line). */
  static final int SAMPLE_EVERY = 16;

  private static final int MAX_SAMPLES = 1 << 21;

  private MixedChild() {}

  /** Version {@code v} of key {@code i}. */
  static byte[] version(int i, int v, int size) {
    byte[] b = KvChild.value(i * 2 + v, size);
    b[0] = (byte) v;
    return b;
  }

  static byte[][][] versions(int keys, int size) {
    byte[][][] all = new byte[keys][2][];
    for (int i = 0; i < keys; i++) {
      all[i][0] = version(i, 0, size);
      all[i][1] = version(i, 1, size);
    }
    return all;
  }

  public static void main(String[] args) throws IOException {
    String peer = args[0];
    String role = args[1];
    String location = args[2];
    int keys = Integer.parseInt(args[3]);
    int size = Integer.parseInt(args[4]);
    long nanos = Long.parseLong(args[5]) * 1_000_000L;
    int id = Integer.parseInt(args[6]);
    byte[][][] values = versions(keys, size);
    KvPeer.Key[] names = new KvPeer.Key[keys];
    for (int i = 0; i < keys; i++) {
      names[i] = KvPeer.Key.of("m_", i);
    }
    try (KvPeer kv = KvPeers.open(peer, location, size, keys)) {
      boolean writer = role.equals("writer");
      if (writer && id == 0) { // the harness starts the others once every key is there
        for (int i = 0; i < keys; i++) {
          kv.put(names[i], values[i][0]);
        }
        System.out.println("FILLED");
      }
      SplittableRandom random = new SplittableRandom(id * 7919L + (writer ? 1 : 2));
      // warm-up on the live keys, alone or beside the others' warm-ups: the code path compiled
      // before timing. Four processes warming up at once on 2 cores left C2 compiling the write
      // path until the end of a 2 s timed run: the warm-up lasts until the JIT has settled too.
      long warmUntil = System.nanoTime() + Math.min(nanos, 1_000_000_000L);
      JitSettled jit = new JitSettled(warmUntil);
      do {
        for (int i = 0; i < 256; i++) {
          step(kv, writer, random, names, values, peer);
        }
      } while (System.nanoTime() < warmUntil || !jit.settled());
      // The values (20 MiB for 10,000 keys) move out of the young generation now, not in a pause of
      // the timed run: on this kind of virtual machine, the first young collections copying them
      // into untouched heap pages took 70 to 170 ms each (page faults), a twentieth of the run.
      System.gc();
      System.out.println("READY");
      try (BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        String go = in.readLine();
        if (!"GO".equals(go)) {
          throw new IllegalStateException("expected GO, got " + go);
        }
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      long ops = 0;
      Stats sampled = new Stats(MAX_SAMPLES);
      long t0 = System.nanoTime();
      long end = t0 + nanos;
      long now = t0;
      while (now < end) {
        for (int i = 0; i < 64; i++) {
          if ((i & (SAMPLE_EVERY - 1)) == 0 && ops < (long) MAX_SAMPLES * SAMPLE_EVERY) {
            long s = System.nanoTime();
            step(kv, writer, random, names, values, peer);
            sampled.add(System.nanoTime() - s);
          } else {
            step(kv, writer, random, names, values, peer);
          }
        }
        ops += 64;
        now = System.nanoTime();
      }
      System.out.printf(
          Locale.ROOT,
          "MIXED ops=%d nanos=%d p999_ns=%.0f%n",
          ops,
          now - t0,
          sampled.percentileMicros(0.999) * 1000);
    }
  }

  private static void step(
      KvPeer kv,
      boolean writer,
      SplittableRandom random,
      KvPeer.Key[] names,
      byte[][][] values,
      String peer) {
    int k = random.nextInt(names.length);
    if (writer) {
      kv.replace(names[k], values[k][random.nextInt(2)]);
    } else if (kv.getMatch(names[k], values[k]) < 0) {
      throw new AssertionError(
          peer + ": key " + names[k].name() + " holds neither of its versions");
    }
  }
}
