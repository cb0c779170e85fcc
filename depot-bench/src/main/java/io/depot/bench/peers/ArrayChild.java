package io.depot.bench.peers;

import io.depot.Depot;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.bench.Memcpy;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Locale;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * W2 for the peers ({@code args: peer role location elements}): a {@code put} process stores one
 * float64 array of {@code elements} from a Java array (best of 3); a {@code get} process reads it
 * and sums it (best of 3, on touched pages), the sum checked. Depot: {@code put(name, NDArray)} and
 * {@link NDArray#sum()} over the view; LMDB: a value of the array's bytes written through {@code
 * MDB_RESERVE} as a {@link DoubleBuffer} and summed through a {@link DoubleBuffer} view of the map
 * (LMDB has no typed arrays: the closest equivalent); memcpy: heap array to touched native memory
 * (put) and a sum of the heap array (get), in one process. Prints {@code ARRAY op=… gibs=…}.
 */
public final class ArrayChild {
  private ArrayChild() {}

  public static void main(String[] args) throws Exception {
    String peer = args[0];
    String role = args[1];
    String location = args[2];
    int n = Integer.parseInt(args[3]);
    long bytes = 8L * n;
    double expected = (double) n * (n - 1) / 2;
    double[] values = role.equals("get") ? null : new double[n];
    if (values != null) {
      for (int i = 0; i < n; i++) {
        values[i] = i;
      }
    }
    switch (peer) {
      case "depot" -> {
        try (Depot d = Depot.open(location)) {
          if (role.equals("put")) {
            double best = 0;
            for (int r = 0; r < 3; r++) {
              d.remove("w2");
              long t0 = System.nanoTime();
              d.put("w2", NDArray.of(values));
              best = Math.max(best, gibs(bytes, System.nanoTime() - t0));
            }
            print("put", best);
          } else {
            try (ObjectHandle h = d.get("w2")) {
              NDArray a = h.asArray();
              double best = 0;
              for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                double s = a.sum();
                best = Math.max(best, gibs(bytes, System.nanoTime() - t0));
                check(s, expected, peer);
              }
              print("sum", best);
            }
          }
        }
      }
      case "lmdb" -> {
        try (Env<ByteBuffer> env =
            Env.create()
                .setMapSize(bytes * 3 + (64L << 20))
                .setMaxDbs(1)
                .open(new File(location), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC)) {
          Dbi<ByteBuffer> db = env.openDbi("w2", DbiFlags.MDB_CREATE);
          ByteBuffer key = ByteBuffer.allocateDirect(8).putLong(0, 2);
          if (role.equals("put")) {
            double best = 0;
            for (int r = 0; r < 3; r++) {
              long t0 = System.nanoTime();
              try (Txn<ByteBuffer> txn = env.txnWrite()) {
                db.reserve(txn, key, (int) bytes)
                    .order(ByteOrder.nativeOrder())
                    .asDoubleBuffer()
                    .put(values);
                txn.commit();
              }
              best = Math.max(best, gibs(bytes, System.nanoTime() - t0));
            }
            print("put", best);
          } else {
            try (Txn<ByteBuffer> txn = env.txnRead()) {
              DoubleBuffer b = db.get(txn, key).order(ByteOrder.nativeOrder()).asDoubleBuffer();
              double best = 0;
              for (int r = 0; r < 3; r++) {
                long t0 = System.nanoTime();
                double s = sum(b);
                best = Math.max(best, gibs(bytes, System.nanoTime() - t0));
                check(s, expected, peer);
              }
              print("sum", best);
            }
          }
        }
      }
      case "memcpy" -> {
        print("put", Memcpy.heapToNativeGiBs(bytes, 3));
        double best = 0;
        for (int r = 0; r < 3; r++) {
          long t0 = System.nanoTime();
          double s = sum(DoubleBuffer.wrap(values));
          best = Math.max(best, gibs(bytes, System.nanoTime() - t0));
          check(s, expected, peer);
        }
        print("sum", best);
      }
      default -> throw new IllegalArgumentException("unknown array peer " + peer);
    }
  }

  /** Eight accumulators over a buffer, in chunks: the same loop as {@link NDArray#sum()}. */
  static double sum(DoubleBuffer b) {
    double total = 0;
    int n = b.limit();
    for (int off = 0; off < n; off += 1 << 16) {
      total += chunk(b, off, Math.min(n, off + (1 << 16)));
    }
    return total;
  }

  private static double chunk(DoubleBuffer b, int from, int to) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    double s4 = 0;
    double s5 = 0;
    double s6 = 0;
    double s7 = 0;
    int i = from;
    for (; i + 8 <= to; i += 8) {
      s0 += b.get(i);
      s1 += b.get(i + 1);
      s2 += b.get(i + 2);
      s3 += b.get(i + 3);
      s4 += b.get(i + 4);
      s5 += b.get(i + 5);
      s6 += b.get(i + 6);
      s7 += b.get(i + 7);
    }
    for (; i < to; i++) {
      s0 += b.get(i);
    }
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  private static void check(double sum, double expected, String peer) {
    if (sum != expected) {
      throw new AssertionError(peer + ": sum " + sum + " != " + expected);
    }
  }

  private static double gibs(long bytes, long nanos) {
    return bytes / (nanos / 1e9) / (1L << 30);
  }

  private static void print(String op, double gibs) {
    System.out.printf(Locale.ROOT, "ARRAY op=%s gibs=%.3f%n", op, gibs);
  }
}
