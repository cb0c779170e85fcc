package io.depot.bench.peers;

import io.depot.Depot;
import io.depot.DepotQueue;
import io.depot.DepotTimeoutException;
import io.depot.Entry;
import io.depot.bench.Memcpy;
import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;

/**
 * A queue process ({@code args: peer role location id warm count producers consumers [size]}): a
 * {@code producer} sends {@code warm + count} entries of {@code size} bytes (default {@value
 * #SIZE}), each carrying {@code id << 32 | sequence} in its first long (then, when it is the only
 * producer, one {@link #PILL} per consumer), and prints {@code QPRODUCER sent=… start=…} (when it
 * began its first timed entry); a {@code consumer} prints {@code QREADY} once open (the harness
 * starts the producers after that), receives until a pill, checks each producer's order, and notes
 * the time of its first and last timed entry (a sequence past the warm-up): {@code QCONSUMER
 * start=… end=… timed=… received=…}. The harness adds up the consumers' timed entries over the span
 * from the earliest producer start to the latest consumer end, so an unbounded queue's backlog read
 * late does not count as throughput ({@code System.nanoTime()} is CLOCK_MONOTONIC, comparable
 * across processes). Peer {@code memcpy} (W3's floor) prints {@code QMEMCPY gibs=…}: {@code count}
 * copies of {@code size} bytes from a heap array into 16 rotating touched native buffers.
 */
public final class QueueChild {
  /** Entry size. */
  static final int SIZE = 64;

  private QueueChild() {}

  /** The two ends of one queue system. */
  interface Ends extends AutoCloseable {
    /** Sends one entry whose first long is {@code v}; waits while the queue is full. */
    void send(long v);

    /** Receives one entry and returns its first long; waits while the queue is empty. */
    long receive();

    @Override
    void close();
  }

  /** The end-of-stream entry: each consumer stops at the first it receives. */
  static final long PILL = -1L;

  public static void main(String[] args) {
    String peer = args[0];
    String role = args[1];
    String location = args[2];
    long id = Long.parseLong(args[3]);
    int warm = Integer.parseInt(args[4]);
    int count = Integer.parseInt(args[5]);
    int producers = Integer.parseInt(args[6]);
    int consumers = Integer.parseInt(args[7]);
    int size = args.length > 8 ? Integer.parseInt(args[8]) : SIZE;
    if (peer.equals(
        "memcpy")) { // W3's floor: the producer's copies alone, into 16 rotating touched buffers
      System.out.printf(Locale.ROOT, "QMEMCPY gibs=%.3f%n", Memcpy.heapToRingGiBs(size, 16, count));
      return;
    }
    try (Ends q = open(peer, location, size)) {
      if (role.equals("pills")) { // sent once every producer is done
        for (int c = 0; c < consumers; c++) {
          q.send(PILL);
        }
        return;
      }
      if (role.equals("producer")) {
        long start = 0;
        for (int i = 0; i < warm + count; i++) {
          if (i == warm) {
            start = System.nanoTime();
          }
          q.send(id << 32 | i);
        }
        if (producers == 1) { // else the harness sends the pills once every producer is done
          for (int c = 0; c < consumers; c++) {
            q.send(PILL);
          }
        }
        System.out.println("QPRODUCER sent=" + (warm + count) + " start=" + start);
        return;
      }
      long[] last = new long[producers];
      java.util.Arrays.fill(last, -1);
      long start = 0;
      long end = 0;
      long timed = 0;
      long received = 0;
      System.out.println("QREADY");
      while (true) {
        long v = q.receive();
        if (v == PILL) {
          break;
        }
        int p = (int) (v >>> 32);
        long seq = v & 0xFFFF_FFFFL;
        if (p >= producers || seq <= last[p]) {
          throw new AssertionError(peer + ": entry " + Long.toHexString(v) + " out of order");
        }
        last[p] = seq;
        received++;
        if (seq >= warm) {
          end = System.nanoTime();
          if (timed++ == 0) {
            start = end;
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "QCONSUMER start=%d end=%d timed=%d received=%d%n",
          start,
          end,
          timed,
          received);
    }
  }

  /**
   * Opens {@code peer}'s ends on {@code location} for entries of {@code size} bytes (a multiple of
   * 8). A Redis location is the server's URI, optionally followed by {@code #key} (the list;
   * default {@code peers-queue}); a Depot location is {@code store/queue}.
   */
  static Ends open(String peer, String location, int size) {
    return switch (peer) {
      case "depot" -> new DepotEnds(location, size);
      case "chronicle-queue" -> new ChronicleEnds(location, size);
      case "agrona-1to1", "agrona-mto1" ->
          new AgronaEnds(location, peer.equals("agrona-1to1"), size);
      case "redis" -> new RedisEnds(location, size);
      default -> throw new IllegalArgumentException("unknown queue peer " + peer);
    };
  }

  /**
   * Bytes an agrona ring of {@code entries} small entries takes in its file (a power of two plus
   * the trailer).
   */
  static int agronaFileLength(int entries) {
    return org.agrona.BitUtil.findNextPositivePowerOfTwo(entries * record(SIZE))
        + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
  }

  /**
   * Bytes an agrona ring for about {@code entries} entries of {@code size} bytes takes in its file:
   * the largest power of two that {@code entries} records fill, doubled until a message of {@code
   * size} fits (agrona's largest message is an eighth of the capacity), plus the trailer.
   */
  static int agronaBigFileLength(int entries, int size) {
    int capacity = Integer.highestOneBit(entries * record(size));
    while (capacity >> 3 < size) {
      capacity <<= 1;
    }
    return capacity + org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH;
  }

  /**
   * Records of {@code size} bytes that fit at once in an agrona ring file of {@code fileLength}
   * bytes.
   */
  static int agronaEntries(int fileLength, int size) {
    return (fileLength - org.agrona.concurrent.ringbuffer.RingBufferDescriptor.TRAILER_LENGTH)
        / record(size);
  }

  private static int record(int size) {
    return org.agrona.BitUtil.align(
        size + org.agrona.concurrent.ringbuffer.RecordDescriptor.HEADER_LENGTH,
        org.agrona.concurrent.ringbuffer.RecordDescriptor.ALIGNMENT);
  }

  /**
   * Depot: {@code push} copies into a preallocated entry; {@code pop} returns the entry, read in
   * place.
   */
  static final class DepotEnds implements Ends {
    private final Depot depot;
    private final DepotQueue queue;
    private final MemorySegment value;

    DepotEnds(String location, int size) {
      value = MemorySegment.ofArray(new long[size / 8]);
      int slash = location.indexOf('/');
      depot = Depot.open(location.substring(0, slash));
      queue = depot.openQueue(location.substring(slash + 1));
    }

    @Override
    public void send(long v) {
      value.set(ValueLayout.JAVA_LONG, 0, v);
      queue.push(Duration.ofSeconds(60), value);
    }

    @Override
    public long receive() {
      while (true) {
        try (Entry e = queue.pop(Duration.ofSeconds(60))) {
          return e.track(0).get(ValueLayout.JAVA_LONG, 0);
        } catch (DepotTimeoutException timeout) {
          throw new IllegalStateException("depot queue: nothing for 60 s", timeout);
        }
      }
    }

    @Override
    public void close() {
      queue.close();
      depot.close();
    }
  }

  /**
   * Chronicle Queue on a directory in {@code /dev/shm}: an appender writes each entry as one
   * excerpt of raw bytes, a tailer reads them. Unbounded (a journal, not a ring): a full queue
   * never makes the producer wait.
   */
  static final class ChronicleEnds implements Ends {
    private final ChronicleQueue queue;
    private final int size;
    private ExcerptAppender appender;
    private ExcerptTailer tailer;
    private final Bytes<?> bytes;

    ChronicleEnds(String dir, int size) {
      this.size = size;
      bytes = Bytes.allocateElasticDirect(size);
      SingleChronicleQueueBuilder b = SingleChronicleQueueBuilder.binary(Path.of(dir));
      if (size > SIZE) { // an excerpt must fit in a quarter of a block (64 MiB by default)
        b.blockSize(Math.max(64L << 20, 8L * size));
      }
      queue = b.build();
    }

    @Override
    public void send(long v) {
      if (appender == null) {
        appender = queue.createAppender();
      }
      bytes.clear();
      bytes.writeLong(v);
      bytes.writeSkip(size - 8);
      appender.writeBytes(bytes);
    }

    @Override
    public long receive() {
      if (tailer == null) {
        tailer = queue.createTailer();
      }
      if (size > SIZE) { // large excerpts are read in place, as Depot's pop reads its entry
        while (true) {
          try (DocumentContext dc = tailer.readingDocument()) {
            if (dc.isPresent()) {
              Bytes<?> in = dc.wire().bytes();
              return in.readLong(in.readPosition());
            }
          }
          Thread.onSpinWait();
        }
      }
      bytes.clear();
      while (!tailer.readBytes(bytes)) {
        Thread.onSpinWait();
      }
      return bytes.readLong(0);
    }

    @Override
    public void close() {
      if (appender != null) {
        appender.close();
      }
      if (tailer != null) {
        tailer.close();
      }
      queue.close();
      bytes.releaseLast();
    }
  }

  /**
   * agrona's {@link OneToOneRingBuffer} (one producer) or {@link ManyToOneRingBuffer} (many
   * producers, one consumer) over a file in {@code /dev/shm} that every process maps: the plain
   * shared-memory ring, with spinning ends.
   */
  static final class AgronaEnds implements Ends {
    private final FileChannel channel;
    private final RingBuffer ring;
    private final UnsafeBuffer src;
    private final int size;
    private long received;

    AgronaEnds(String file, boolean oneToOne, int size) {
      this.size = size;
      src =
          new UnsafeBuffer(
              new byte[size]); // a heap source, as Depot's and Chronicle's producers copy from
      try {
        channel =
            FileChannel.open(Path.of(file), StandardOpenOption.READ, StandardOpenOption.WRITE);
        MappedByteBuffer map = channel.map(FileChannel.MapMode.READ_WRITE, 0, channel.size());
        UnsafeBuffer buffer = new UnsafeBuffer(map);
        ring = oneToOne ? new OneToOneRingBuffer(buffer) : new ManyToOneRingBuffer(buffer);
      } catch (IOException e) {
        throw new UncheckedIOException("agrona ring " + file, e);
      }
    }

    @Override
    public void send(long v) {
      src.putLong(0, v, ByteOrder.LITTLE_ENDIAN);
      while (!ring.write(1, src, 0, size)) {
        Thread.onSpinWait();
      }
    }

    @Override
    public long receive() {
      while (ring.read(
              (type, buffer, index, length) ->
                  received = buffer.getLong(index, ByteOrder.LITTLE_ENDIAN),
              1)
          == 0) {
        Thread.onSpinWait();
      }
      return received;
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // the mapping stays valid until unmapped
      }
    }
  }

  /**
   * Redis through Lettuce: {@code RPUSH} to a list, {@code BLPOP} from it; each a round trip on one
   * connection.
   */
  static final class RedisEnds implements Ends {
    private final byte[] key;
    private final RedisClient client;
    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final RedisCommands<byte[], byte[]> sync;
    private final ByteBuffer value;

    RedisEnds(String location, int size) {
      int hash = location.indexOf('#');
      String uri = hash < 0 ? location : location.substring(0, hash);
      key =
          (hash < 0 ? "peers-queue" : location.substring(hash + 1))
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      value = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
      client = RedisClient.create(uri);
      connection = client.connect(ByteArrayCodec.INSTANCE);
      sync = connection.sync();
    }

    @Override
    public void send(long v) {
      value.putLong(0, v);
      sync.rpush(key, value.array());
    }

    @Override
    public long receive() {
      KeyValue<byte[], byte[]> kv = sync.blpop(60, key);
      if (kv == null || !kv.hasValue()) {
        throw new IllegalStateException("redis BLPOP: nothing for 60 s");
      }
      return ByteBuffer.wrap(kv.getValue()).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    }

    @Override
    public void close() {
      connection.close();
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
