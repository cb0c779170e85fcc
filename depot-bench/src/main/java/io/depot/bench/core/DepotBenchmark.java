package io.depot.bench.core;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectHandle;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process put/get on a store, with the copy of the same bytes as a baseline. Run: {@code java
 * -cp depot-bench/target/benchmarks.jar org.openjdk.jmh.Main DepotBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class DepotBenchmark {
  @Param({"64", "1024", "65536"})
  public int size;

  private Depot depot;
  private String storeName;
  private byte[] value;
  private MemorySegment copyTarget;
  private Arena arena;

  @Setup(Level.Trial)
  @SuppressWarnings("MustBeClosedChecker") // the arena lives for the trial: closed by tearDown
  public void setup() {
    storeName = "jmh-" + ProcessHandle.current().pid();
    Depot.destroy(storeName, DepotOptions.defaults());
    depot =
        Depot.create(
            storeName, DepotOptions.builder().capacity(256L << 20).maxObjects(65_536).build());
    value = new byte[size];
    depot.put("existing", value);
    arena = Arena.ofConfined();
    copyTarget = arena.allocate(size, 64);
    copyTarget.fill((byte) 0);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    depot.close();
    Depot.destroy(storeName, DepotOptions.defaults());
    arena.close();
  }

  /** Baseline: copying the value's bytes into touched memory. */
  @Benchmark
  public MemorySegment memcpy() {
    MemorySegment.copy(value, 0, copyTarget, ValueLayout.JAVA_BYTE, 0, size);
    return copyTarget;
  }

  /** get + close of an existing object (the handle's view is read once). */
  @Benchmark
  public long getClose() {
    try (ObjectHandle h = depot.get("existing")) {
      return h.size();
    }
  }

  /** getBytes of an existing object: copied out without a handle (no pin) up to 64 KiB. */
  @Benchmark
  public byte[] getBytes() {
    return depot.getBytes("existing");
  }

  /** put of a new object and its remove: one full write and free cycle. */
  @Benchmark
  public boolean putRemove() {
    depot.put("fresh", value);
    return depot.remove("fresh");
  }

  /** Atomic replace of an existing object. */
  @Benchmark
  public void replace() {
    depot.replace("existing", value);
  }
}
