package io.depot.bench;

import java.util.Arrays;

/** Per-operation latency samples in nanoseconds. */
public final class Stats {
  private final long[] samples;
  private int n;

  public Stats(int capacity) {
    samples = new long[capacity];
  }

  public void add(long nanos) {
    samples[n++] = nanos;
  }

  private long[] sorted() {
    long[] s = Arrays.copyOf(samples, n);
    Arrays.sort(s);
    return s;
  }

  public double percentileMicros(double p) {
    long[] s = sorted();
    return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))] / 1000.0;
  }

  public double meanMicros() {
    long sum = 0;
    for (int i = 0; i < n; i++) {
      sum += samples[i];
    }
    return sum / 1000.0 / n;
  }

  /** "median=… p99=… mean=…" in µs. */
  public String summary() {
    return String.format(
        "median=%.3f p99=%.3f mean=%.3f",
        percentileMicros(0.5), percentileMicros(0.99), meanMicros());
  }

  /** Parses a value from a line of "key=value" tokens. */
  public static double field(String line, String key) {
    for (String tok : line.split(" ")) {
      if (tok.startsWith(key + "=")) {
        return Double.parseDouble(tok.substring(key.length() + 1));
      }
    }
    throw new IllegalArgumentException("no " + key + " in: " + line);
  }
}
