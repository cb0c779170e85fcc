package io.depot.bench.storage;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.spi.Sha256;
import io.depot.testkit.RedisServer;
import io.depot.testkit.S3Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Store + load throughput of every storage provider for 1 KiB, 1 MiB and 256 MiB blobs, against
 * baselines measured in the same run: a heap memcpy of the same size ({@code System.arraycopy},
 * what a store or load must at least do once), SHA-256 of the same size (a store hashes once, a
 * verified load once more), and, for {@code file:}, the disk's own sequential write speed into the
 * same directory (with and without {@code fsync}).
 *
 * <p>Each operation stores a distinct blob (the first 8 bytes carry a counter, so content
 * addressing never skips a store), loads it back (verified), and deletes it outside the timed
 * region. Times are medians over the measured operations after warm-up. Backends: {@code mem:};
 * {@code shm:} (a fresh store in {@code /dev/shm}); {@code file:} (a temporary directory, {@code
 * fsync} on and off); {@code s3:} (S3Proxy in this JVM on loopback, file-system blob store); {@code
 * redis:} (a real {@code redis-server} on loopback, limit raised to 512 MB less the trailer). A
 * scheme whose factory is not on the class path is reported as skipped.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Xmx3g -cp &lt;class path&gt; io.depot.bench.storage.StorageBench \
 *     [sizes=1k,1m,256m] [providers=mem,shm,file,file-nofsync,s3,redis] [seconds=2]
 * </pre>
 */
public final class StorageBench {

  private StorageBench() {}

  /** One measured figure: median nanoseconds per store and per load. */
  private record Result(String provider, long size, double storeNanos, double loadNanos, int ops) {
    double storeGbs() {
      return size / storeNanos;
    }

    double loadGbs() {
      return size / loadNanos;
    }

    /** Throughput of a store followed by a load: bytes moved twice over the summed time. */
    double roundTripGbs() {
      return 2.0 * size / (storeNanos + loadNanos);
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("arguments are key=value: " + arg);
      }
      a.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    long[] sizes =
        Arrays.stream(a.getOrDefault("sizes", "1k,1m,256m").split(","))
            .mapToLong(StorageBench::size)
            .toArray();
    List<String> providers =
        List.of(a.getOrDefault("providers", "mem,shm,file,file-nofsync,s3,redis").split(","));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "2"));

    System.out.printf(
        Locale.ROOT,
        "# StorageBench: JDK %s, %d cores, max heap %d MiB, schemes on class path: %s%n",
        Runtime.version(),
        Runtime.getRuntime().availableProcessors(),
        Runtime.getRuntime().maxMemory() >> 20,
        StorageProviders.schemes());

    Path fileDir = Files.createTempDirectory("depot-storage-bench-");
    Map<Long, Double> memcpy = new LinkedHashMap<>();
    Map<Long, Double> sha = new LinkedHashMap<>();
    System.out.println("# baselines (median GB/s, same sizes, this run)");
    for (long size : sizes) {
      memcpy.put(size, size / memcpyNanos((int) size, seconds / 3));
      sha.put(size, size / shaNanos((int) size, seconds / 3));
      System.out.printf(
          Locale.ROOT,
          "#   %-8s memcpy %7.2f GB/s   sha256 %5.2f GB/s%n",
          label(size),
          memcpy.get(size),
          sha.get(size));
    }
    double diskSync = diskWriteGbs(fileDir, 256L << 20, true);
    double diskNoSync = diskWriteGbs(fileDir, 256L << 20, false);
    System.out.printf(
        Locale.ROOT,
        "#   disk (%s): sequential write of 256 MiB %.2f GB/s with fsync, %.2f GB/s without" + "%n",
        fileDir.getParent(),
        diskSync,
        diskNoSync);

    List<Result> results = new ArrayList<>();
    String shmStore = "storage-bench-" + ProcessHandle.current().pid();
    long maxSize = Arrays.stream(sizes).max().orElse(0);
    try (S3Server s3 =
            providers.contains("s3") && StorageProviders.schemes().contains("s3")
                ? S3Server.start()
                : null;
        RedisServer redis =
            providers.contains("redis") && StorageProviders.schemes().contains("redis")
                ? RedisServer.start()
                : null) {
      if (s3 != null) {
        s3.createBucket("bench");
      }
      for (String name : providers) {
        URI base;
        Map<String, String> options = new LinkedHashMap<>();
        switch (name) {
          case "mem" -> base = URI.create("mem://bench/");
          case "shm" -> {
            base = URI.create("shm://" + shmStore + "/");
            options.put("capacity", Long.toString(Math.max(64L << 20, 3 * maxSize)));
          }
          case "file" -> base = fileDir.resolve("fsync").toUri();
          case "file-nofsync" -> {
            base = fileDir.resolve("nofsync").toUri();
            options.put("fsync", "false");
          }
          case "s3" -> {
            if (s3 == null) {
              System.out.println("# s3: skipped (no s3: provider on the class path)");
              continue;
            }
            base = URI.create("s3://bench/run/");
            options.put("endpoint", s3.endpoint().toString());
            options.put("access-key-id", s3.accessKey());
            options.put("secret-access-key", s3.secretKey());
          }
          case "redis" -> {
            if (redis == null) {
              System.out.println("# redis: skipped (no redis: provider on the class path)");
              continue;
            }
            base = URI.create(redis.uri() + "/0/bench/");
            options.put("max-blob-bytes", Long.toString((512L << 20) - 1024));
          }
          default -> throw new IllegalArgumentException("unknown provider " + name);
        }
        try (StorageProvider p = StorageProviders.provider(base, options)) {
          for (long size : sizes) {
            Result r = measure(name, p, (int) size, seconds);
            results.add(r);
            System.out.printf(
                Locale.ROOT, "#   measured %-12s %-8s %d ops%n", name, label(size), r.ops());
          }
        } finally {
          if (name.equals("shm")) {
            Depot.destroy(shmStore, DepotOptions.defaults());
          }
        }
      }
    } finally {
      deleteTree(fileDir);
    }

    System.out.println();
    System.out.println(
        "| provider | size | store ms | store GB/s | load ms | load GB/s | store+load GB/s | x memcpy |"
            + " x sha256 | x disk write |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Result r : results) {
      String disk =
          r.provider().equals("file")
              ? String.format(Locale.ROOT, "%.2f", r.storeGbs() / diskSync)
              : r.provider().equals("file-nofsync")
                  ? String.format(Locale.ROOT, "%.2f", r.storeGbs() / diskNoSync)
                  : "";
      System.out.printf(
          Locale.ROOT,
          "| %s | %s | %.4f | %.2f | %.4f | %.2f | %.2f | %.3f | %.2f | %s |%n",
          r.provider(),
          label(r.size()),
          r.storeNanos() / 1e6,
          r.storeGbs(),
          r.loadNanos() / 1e6,
          r.loadGbs(),
          r.roundTripGbs(),
          r.roundTripGbs() / memcpy.get(r.size()),
          r.roundTripGbs() / sha.get(r.size()),
          disk);
    }
    System.out.println();
    System.out.println(
        "x memcpy and x sha256: store+load throughput over the baseline of the same size; x disk"
            + " write: store throughput over the disk's sequential write (fsync matched).");
  }

  private static Result measure(String name, StorageProvider p, int size, double seconds) {
    byte[] data = new byte[size];
    new SplittableRandom(size).nextBytes(data);
    int warmup = size <= (4 << 10) ? 2000 : size <= (4 << 20) ? 20 : 1;
    int maxOps = size <= (4 << 10) ? 20_000 : size <= (4 << 20) ? 400 : 5;
    long counter = System.nanoTime();
    long warmupEnd = System.nanoTime() + (long) (seconds / 3 * 1e9);
    for (int i = 0; i < warmup && (i < 1 || System.nanoTime() < warmupEnd); i++) {
      roundTrip(name, p, data, ++counter, null, null);
    }
    List<Long> stores = new ArrayList<>();
    List<Long> loads = new ArrayList<>();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    for (int i = 0; i < maxOps && (i < 3 || System.nanoTime() < deadline); i++) {
      roundTrip(name, p, data, ++counter, stores, loads);
    }
    return new Result(name, size, median(stores), median(loads), stores.size());
  }

  /** Stores a distinct blob (counter in its first bytes), loads it back, deletes it (untimed). */
  private static void roundTrip(
      String name,
      StorageProvider p,
      byte[] data,
      long counter,
      List<Long> stores,
      List<Long> loads) {
    if (data.length >= 8) {
      ByteBuffer.wrap(data).putLong(0, counter);
    } else if (data.length > 0) {
      data[0] = (byte) counter;
    }
    long t0 = System.nanoTime();
    URI uri = p.store(data);
    long t1 = System.nanoTime();
    byte[] back = p.load(uri);
    long t2 = System.nanoTime();
    if (back.length != data.length) {
      throw new IllegalStateException(
          name + ": loaded " + back.length + " bytes, stored " + data.length);
    }
    p.delete(uri);
    if (stores != null) {
      stores.add(t1 - t0);
      loads.add(t2 - t1);
    }
  }

  private static double memcpyNanos(int size, double seconds) {
    byte[] src = new byte[size];
    byte[] dst = new byte[size];
    new SplittableRandom(1).nextBytes(src);
    List<Long> t = new ArrayList<>();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    for (int i = 0; i < 1_000_000 && (i < 5 || System.nanoTime() < deadline); i++) {
      long t0 = System.nanoTime();
      System.arraycopy(src, 0, dst, 0, size);
      t.add(System.nanoTime() - t0);
      src[i % size] ^= dst[(i * 31) % size]; // keep the copy observable
    }
    return median(t.subList(t.size() / 2, t.size()));
  }

  private static double shaNanos(int size, double seconds) {
    byte[] src = new byte[size];
    new SplittableRandom(2).nextBytes(src);
    List<Long> t = new ArrayList<>();
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    for (int i = 0; i < 1_000_000 && (i < 5 || System.nanoTime() < deadline); i++) {
      long t0 = System.nanoTime();
      byte[] d = Sha256.of(src);
      t.add(System.nanoTime() - t0);
      src[0] ^= d[0];
    }
    return median(t.subList(t.size() / 2, t.size()));
  }

  /**
   * Sequential write of {@code bytes} to a new file in {@code dir} (1 MiB writes), best of 3, GB/s.
   */
  private static double diskWriteGbs(Path dir, long bytes, boolean fsync) throws IOException {
    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
    new SplittableRandom(3).ints(buf.capacity() / 4).forEach(buf::putInt);
    double best = 0;
    for (int round = 0; round < 3; round++) {
      Path f = dir.resolve("disk-baseline-" + round);
      long t0 = System.nanoTime();
      try (FileChannel ch =
          FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        for (long done = 0; done < bytes; done += buf.capacity()) {
          buf.clear();
          while (buf.hasRemaining()) {
            ch.write(buf);
          }
        }
        if (fsync) {
          ch.force(true);
        }
      }
      long t = System.nanoTime() - t0;
      Files.delete(f);
      best = Math.max(best, bytes / (double) t);
    }
    return best;
  }

  private static double median(List<Long> values) {
    long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
  }

  private static long size(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    long unit =
        t.endsWith("k") ? 1L << 10 : t.endsWith("m") ? 1L << 20 : t.endsWith("g") ? 1L << 30 : 1;
    long n = Long.parseLong(unit == 1 ? t : t.substring(0, t.length() - 1)) * unit;
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("sizes are at most 2 GiB: " + s);
    }
    return n;
  }

  private static String label(long size) {
    return size >= 1L << 20 && size % (1L << 20) == 0
        ? (size >> 20) + " MiB"
        : size >= 1024 && size % 1024 == 0 ? (size >> 10) + " KiB" : size + " B";
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
