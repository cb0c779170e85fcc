package io.depot.bench.peers;

import io.depot.Depot;
import io.depot.ObjectHandle;
import io.depot.stm.ShortTermMemory;
import io.depot.stm.StmValue;
import io.depot.stm.Workflow;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.File;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.openhft.chronicle.map.ChronicleMap;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.Txn;

/**
 * The key-value peers: each opened on a location the parent process prepared (a store, a file, a
 * server).
 */
final class KvPeers {
  /** Commands per pipelined batch of {@code redis-pipelined}. */
  static final int PIPELINE = 64;

  private KvPeers() {}

  /**
   * Opens {@code peer} on {@code location} for values of {@code size} bytes, {@code count} keys at
   * most (twice that with the warm-up keys).
   */
  static KvPeer open(String peer, String location, int size, int count) {
    return switch (peer) {
      case "depot" -> new DepotKv(location, io.depot.Prefault.AUTO, false);
      case "depot-eager" -> new DepotKv(location, io.depot.Prefault.EAGER, false);
      case "depot-copy" -> new DepotKv(location, io.depot.Prefault.AUTO, true);
      case "redis" -> new RedisKv(location, 1);
      case "redis-pipelined" -> new RedisKv(location, PIPELINE);
      case "depot-stm", "redis-stm" -> new StmKv(location);
      case "lmdb" -> new LmdbKv(location, size);
      case "chronicle-map" ->
          new ChronicleMapKv(location + "/map-" + size + ".dat", size, 2 * count);
      case "chm" -> new ChmKv();
      case "memcpy" -> new MemcpyKv(size, count);
      default -> throw new IllegalArgumentException("unknown key-value peer " + peer);
    };
  }

  /**
   * Depot: {@code put(name, byte[])} copies into the shared store; {@code get} returns a view of
   * it, no copy. With {@link io.depot.Prefault#AUTO} (the default) the process's pages are
   * pre-faulted in the background; with {@code EAGER}, before {@code open} returns. Read as a copy
   * ({@code copy}), the get is {@code getBytes(name)}: a value of up to 64 KiB copied out without a
   * handle (no pin), as Chronicle Map's {@code get} copies out.
   */
  static final class DepotKv implements KvPeer {
    private final Depot depot;
    private final boolean copy;

    DepotKv(String store, io.depot.Prefault prefault, boolean copy) {
      depot = Depot.open(store, io.depot.DepotOptions.builder().prefault(prefault).build());
      this.copy = copy;
    }

    @Override
    public void put(Key key, byte[] value) {
      depot.put(key.name(), value);
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      if (copy) {
        return java.util.Arrays.equals(depot.getBytes(key.name()), expected);
      }
      try (ObjectHandle h = depot.get(key.name())) {
        MemorySegment s = h.segment();
        return s.byteSize() == expected.length
            && MemorySegment.mismatch(
                    s, 0, s.byteSize(), MemorySegment.ofArray(expected), 0, expected.length)
                < 0;
      }
    }

    @Override
    public void replace(Key key, byte[] value) {
      depot.replace(key.name(), value);
    }

    @Override
    public int getMatch(Key key, byte[][] candidates) {
      try (ObjectHandle h = depot.get(key.name())) {
        return match(h.segment(), candidates);
      }
    }

    @Override
    public void remove(Key key) {
      depot.remove(key.name());
    }

    @Override
    public void close() {
      depot.close();
    }
  }

  /** The index of the candidate {@code s} equals, or -1. */
  static int match(MemorySegment s, byte[][] candidates) {
    for (int c = 0; c < candidates.length; c++) {
      byte[] b = candidates[c];
      if (s.byteSize() == b.length
          && MemorySegment.mismatch(s, 0, s.byteSize(), MemorySegment.ofArray(b), 0, b.length)
              < 0) {
        return c;
      }
    }
    return -1;
  }

  /** The index of the candidate {@code v} equals, or -1 ({@code v} may be null). */
  static int match(byte[] v, byte[][] candidates) {
    for (int c = 0; v != null && c < candidates.length; c++) {
      if (Arrays.equals(v, candidates[c])) {
        return c;
      }
    }
    return -1;
  }

  /**
   * The workflow short-term memory ({@link ShortTermMemory}) on {@code uri} ({@code shm:store} or
   * the Redis backend's {@code redis://…}): every key in workflow {@value #WORKFLOW}, values {@code
   * byte[]} (stored as raw bytes); a get is {@link Workflow#read}, compared in place (the store's
   * memory on {@code shm:}).
   */
  static final class StmKv implements KvPeer {
    /** The workflow instance of W4. */
    static final String WORKFLOW = "wf-1";

    private final ShortTermMemory stm;
    private final Workflow wf;

    StmKv(String uri) {
      stm = ShortTermMemory.open(uri);
      wf = stm.workflow(WORKFLOW);
    }

    @Override
    public void put(Key key, byte[] value) {
      wf.put(key.name(), value);
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      Optional<StmValue> v = wf.read(key.name());
      if (v.isEmpty()) {
        return false;
      }
      try (StmValue value = v.get()) {
        return match(value.bytes(), new byte[][] {expected}) == 0;
      }
    }

    @Override
    public void remove(Key key) {
      wf.remove(key.name());
    }

    @Override
    public void close() {
      wf.close();
      stm.close();
    }
  }

  /**
   * Redis through Lettuce, one connection. With {@code batch == 1} each command is a round trip
   * (the synchronous API). Otherwise, pipelining as Lettuce's documentation shows it: a second,
   * dedicated connection with {@code setAutoFlushCommands(false)}, on which the asynchronous API
   * queues {@code batch} commands, one {@code flushCommands()} writes them at once and the caller
   * awaits all their futures; a sample is the batch's time over its size. The warm-up's removes are
   * pipelined too, so that the asynchronous path is compiled before it is timed (with one round
   * trip per remove, the warm-up ran a few dozen batches and the timed ones ran at 10 µs/op).
   */
  static final class RedisKv implements KvPeer {
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final StatefulRedisConnection<byte[], byte[]> pipeline;
    private final RedisCommands<byte[], byte[]> sync;
    private final RedisAsyncCommands<byte[], byte[]> async;
    private final int batch;

    RedisKv(String uri, int batch) {
      this.batch = batch;
      client = RedisClient.create(uri);
      connection = client.connect(ByteArrayCodec.INSTANCE);
      sync = connection.sync();
      if (batch > 1) {
        pipeline = client.connect(ByteArrayCodec.INSTANCE);
        pipeline.setAutoFlushCommands(false);
        async = pipeline.async();
      } else {
        pipeline = null;
        async = null;
      }
    }

    @Override
    public int batch() {
      return batch;
    }

    /**
     * Pipelined, Lettuce's asynchronous path (Netty's event loop, the futures) took about 4,000
     * batches of 64 to reach its steady 2.5 µs/op for 64 B SETs on this machine (8 µs/op before):
     * at least 300,000 operations, or 256 MiB of values, whichever is fewer.
     */
    @Override
    public long warmOps(int size) {
      return batch == 1 ? 0 : Math.min(300_000, (256L << 20) / size);
    }

    @Override
    public void put(Key key, byte[] value) {
      if (batch > 1) {
        putAll(new Key[] {key}, new byte[][] {value}, 0, 1);
      } else {
        sync.set(key.bytes(), value);
      }
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      if (batch > 1) {
        return getVerifyAll(new Key[] {key}, new byte[][] {expected}, 0, 1);
      }
      return Arrays.equals(sync.get(key.bytes()), expected);
    }

    @Override
    public void putAll(Key[] keys, byte[][] values, int from, int to) {
      if (batch == 1) {
        KvPeer.super.putAll(keys, values, from, to);
        return;
      }
      RedisFuture<?>[] futures = new RedisFuture<?>[to - from];
      for (int i = from; i < to; i++) {
        futures[i - from] = async.set(keys[i].bytes(), values[i]);
      }
      pipeline.flushCommands();
      if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), futures)) {
        throw new IllegalStateException("redis pipelined SET timed out");
      }
    }

    @Override
    public boolean getVerifyAll(Key[] keys, byte[][] expected, int from, int to) {
      if (batch == 1) {
        return KvPeer.super.getVerifyAll(keys, expected, from, to);
      }
      List<RedisFuture<byte[]>> futures = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        futures.add(async.get(keys[i].bytes()));
      }
      pipeline.flushCommands();
      if (!LettuceFutures.awaitAll(
          Duration.ofSeconds(60), futures.toArray(new RedisFuture<?>[0]))) {
        throw new IllegalStateException("redis pipelined GET timed out");
      }
      boolean ok = true;
      for (int i = from; i < to; i++) {
        try {
          ok &= Arrays.equals(futures.get(i - from).get(), expected[i]);
        } catch (Exception e) {
          throw new IllegalStateException("redis pipelined GET " + keys[i].name(), e);
        }
      }
      return ok;
    }

    @Override
    public void replace(Key key, byte[] value) {
      sync.set(key.bytes(), value);
    }

    @Override
    public int getMatch(Key key, byte[][] candidates) {
      return match(sync.get(key.bytes()), candidates);
    }

    @Override
    public void remove(Key key) {
      sync.del(key.bytes());
    }

    @Override
    public void removeAll(Key[] keys, int from, int to) {
      if (batch == 1) {
        KvPeer.super.removeAll(keys, from, to);
        return;
      }
      RedisFuture<?>[] futures = new RedisFuture<?>[to - from];
      for (int i = from; i < to; i++) {
        futures[i - from] = async.del(keys[i].bytes());
      }
      pipeline.flushCommands();
      if (!LettuceFutures.awaitAll(Duration.ofSeconds(60), futures)) {
        throw new IllegalStateException("redis pipelined DEL timed out");
      }
    }

    @Override
    public void close() {
      if (pipeline != null) {
        pipeline.close();
      }
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /**
   * LMDB through lmdbjava (direct {@link ByteBuffer}s) on an environment in {@code /dev/shm},
   * opened {@code MDB_NOSYNC} (Depot does not sync either). A put is one write transaction that
   * reserves the value's space in the map ({@code MDB_RESERVE}) and copies into it, then commits; a
   * get is one read transaction whose value is a view of the map, compared in place.
   */
  static final class LmdbKv implements KvPeer {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> dbi;
    private final ByteBuffer keyBuffer = ByteBuffer.allocateDirect(64);

    LmdbKv(String dir, int size) {
      env =
          Env.create()
              .setMapSize(4L << 30)
              .setMaxDbs(8)
              .setMaxReaders(16)
              .open(new File(dir), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC);
      dbi = env.openDbi("kv" + size, DbiFlags.MDB_CREATE);
    }

    private ByteBuffer key(Key key) {
      keyBuffer.clear();
      keyBuffer.put(key.bytes()).flip();
      return keyBuffer;
    }

    @Override
    public void put(Key key, byte[] value) {
      try (Txn<ByteBuffer> txn = env.txnWrite()) {
        dbi.reserve(txn, key(key), value.length).put(value);
        txn.commit();
      }
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        ByteBuffer v = dbi.get(txn, key(key));
        return v != null
            && v.remaining() == expected.length
            && v.mismatch(ByteBuffer.wrap(expected)) < 0;
      }
    }

    @Override
    public int getMatch(Key key, byte[][] candidates) {
      try (Txn<ByteBuffer> txn = env.txnRead()) {
        ByteBuffer v = dbi.get(txn, key(key));
        return v == null ? -1 : match(MemorySegment.ofBuffer(v), candidates);
      }
    }

    @Override
    public void remove(Key key) {
      dbi.delete(key(key));
    }

    @Override
    public void close() {
      env.close();
    }
  }

  /**
   * Chronicle Map ({@code byte[]} keys and values) persisted to a file in {@code /dev/shm}: every
   * process maps the same file. A get returns a copy of the value (the map's {@code get}); it is
   * compared after.
   */
  static final class ChronicleMapKv implements KvPeer {
    private final ChronicleMap<byte[], byte[]> map;

    ChronicleMapKv(String file, int size, int entries) {
      try {
        map =
            ChronicleMap.of(byte[].class, byte[].class)
                .name("peers-" + size)
                .entries(Math.max(entries, 1_000))
                .averageKeySize(12)
                .averageValueSize(size)
                .createPersistedTo(new File(file));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("chronicle map " + file, e);
      }
    }

    @Override
    public void put(Key key, byte[] value) {
      map.put(key.bytes(), value);
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      return Arrays.equals(map.get(key.bytes()), expected);
    }

    @Override
    public int getMatch(Key key, byte[][] candidates) {
      return match(map.get(key.bytes()), candidates);
    }

    @Override
    public void remove(Key key) {
      map.remove(key.bytes());
    }

    @Override
    public void close() {
      map.close();
    }
  }

  /**
   * In-JVM baseline: a {@link ConcurrentHashMap} of copies; nothing is shared with another process.
   */
  static final class ChmKv implements KvPeer {
    private final ConcurrentHashMap<String, byte[]> map = new ConcurrentHashMap<>();

    @Override
    public void put(Key key, byte[] value) {
      map.put(key.name(), value.clone());
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      return Arrays.equals(map.get(key.name()), expected);
    }

    @Override
    public void remove(Key key) {
      map.remove(key.name());
    }

    @Override
    public void close() {
      map.clear();
    }
  }

  /**
   * In-JVM floor: a put is a copy of the value into its slot of touched native memory, a get
   * compares the slot with the expected bytes. No index, no sharing, no concurrency control.
   */
  static final class MemcpyKv implements KvPeer {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment slab;
    private final int size;
    private final int slots;

    MemcpyKv(int size, int count) {
      this.size = size;
      this.slots = Math.max(1, count);
      slab = arena.allocate((long) size * slots, 64);
      slab.fill((byte) 1);
    }

    @Override
    public void put(Key key, byte[] value) {
      MemorySegment.copy(
          value, 0, slab, ValueLayout.JAVA_BYTE, (long) (key.index() % slots) * size, value.length);
    }

    @Override
    public boolean getVerify(Key key, byte[] expected) {
      long off = (long) (key.index() % slots) * size;
      return MemorySegment.mismatch(
              slab, off, off + size, MemorySegment.ofArray(expected), 0, expected.length)
          < 0;
    }

    @Override
    public void remove(Key key) {
      // nothing to free: slots are reused
    }

    @Override
    public void close() {
      arena.close();
    }
  }
}
