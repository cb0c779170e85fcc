package io.depot.redis.storage;

import io.depot.storage.AsyncStorageProvider;
import io.depot.storage.BlobInfo;
import io.depot.storage.BlobNotFoundException;
import io.depot.storage.IntegrityException;
import io.depot.storage.StoreOptions;
import io.depot.storage.spi.BackendStorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.BlobRef;
import io.depot.storage.spi.BlobTrailer;
import io.depot.storage.spi.Sha256;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * {@code redis://<host>:<port>/<db>/[<scope>/...]sha256/<hex>} and {@code .../keys/<key>}: one
 * Redis string per blob, its key {@code <namespace>:<path>} ({@code <path>} the URI path without
 * the leading slash, db included), its value the blob's bytes followed by a {@link BlobTrailer}.
 * For small blobs: a blob is at most {@code max-blob-bytes} (64 MiB by default; Redis itself caps a
 * string at 512 MB).
 *
 * <h2>Writes</h2>
 *
 * An array is one {@code SET} (content-addressed: {@code SET NX}, so the first copy stays; keyed: a
 * plain {@code SET}, an atomic replacement). A stream is {@code APPEND}ed in {@value #CHUNK}-byte
 * chunks to a temporary key {@code <namespace>:<base>.tmp/<random>} that expires after {@link
 * #TEMP_TTL} (so a killed writer leaves nothing for long), then published by a Lua script that
 * renames it into place and removes the expiry in one atomic step. A failed or over-limit stream
 * deletes its temporary key; nothing is ever visible under a blob key until whole.
 *
 * <h2>Reads</h2>
 *
 * A blob of at most one chunk is read with one command. A larger one streams by {@code GETRANGE}
 * chunks, so the heap holds one chunk; a keyed blob replaced while it streams fails the digest
 * check at the end rather than mixing versions silently.
 *
 * <p>Standalone Redis (or a primary); Redis Cluster is not supported.
 */
final class RedisStorageProvider extends BackendStorageProvider<RedisStorageProvider.Backend>
    implements AsyncStorageProvider {
  static final int CHUNK = 1 << 20;
  static final Duration TEMP_TTL = Duration.ofHours(1);

  /**
   * Renames the temporary key into place and removes its expiry; with ARGV[1] = "nx", keeps an
   * existing blob.
   */
  private static final String PUBLISH =
      """
      if ARGV[1] == 'nx' and redis.call('EXISTS', KEYS[2]) == 1 then
        redis.call('DEL', KEYS[1])
        return 0
      end
      redis.call('RENAME', KEYS[1], KEYS[2])
      redis.call('PERSIST', KEYS[2])
      return 1
      """;

  /** The value's length and its last ARGV[1] bytes, or nothing if the key does not exist. */
  private static final String TAIL =
      """
      local n = redis.call('STRLEN', KEYS[1])
      if n == 0 then return {} end
      local from = n - tonumber(ARGV[1])
      if from < 0 then from = 0 end
      return {n, redis.call('GETRANGE', KEYS[1], from, -1)}
      """;

  /** The connection and settings shared by a root provider and its scoped children. */
  static final class Backend {
    final AbstractRedisClient client;
    final StatefulConnection<byte[], byte[]> connection;

    /** The commands a standalone server and a cluster share. */
    final RedisClusterCommands<byte[], byte[]> sync;

    final RedisClusterAsyncCommands<byte[], byte[]> async;
    final String namespace;

    /**
     * What every key starts with: {@code <namespace>:}, or on a cluster {@code {<namespace>}:}, a
     * hash tag that puts a namespace's blobs and their temporary keys in one slot (the publishing
     * script renames one to the other).
     */
    final String keyPrefix;

    final long maxBlobBytes;

    Backend(
        AbstractRedisClient client,
        StatefulConnection<byte[], byte[]> connection,
        RedisClusterCommands<byte[], byte[]> sync,
        RedisClusterAsyncCommands<byte[], byte[]> async,
        boolean cluster,
        String namespace,
        long maxBlobBytes) {
      this.client = client;
      this.connection = connection;
      this.sync = sync;
      this.async = async;
      this.namespace = namespace;
      this.keyPrefix = cluster ? "{" + namespace + "}:" : namespace + ":";
      this.maxBlobBytes = maxBlobBytes;
    }

    void close() {
      try {
        connection.close();
      } finally {
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      }
    }
  }

  RedisStorageProvider(BlobLayout layout, Backend backend) {
    super(layout, backend, Backend::close, RedisStorageProvider::new);
  }

  private RedisStorageProvider(BlobLayout layout, BackendStorageProvider<Backend> parent) {
    super(layout, parent);
  }

  private byte[] key(BlobRef ref) {
    return (backend().keyPrefix + ref.path().substring(1)).getBytes(StandardCharsets.UTF_8);
  }

  private <T> T call(String what, URI uri, Supplier<T> command) {
    try {
      return command.get();
    } catch (RuntimeException e) {
      throw RedisErrors.map(what, uri, e);
    }
  }

  private void checkLimit(long size, URI uri) {
    checkLimit(size, backend().maxBlobBytes, uri);
  }

  // ---------------------------------------------------------------- store

  private static byte[] value(byte[] data, BlobTrailer trailer) {
    byte[] t = trailer.encode();
    byte[] v = Arrays.copyOf(data, data.length + t.length);
    System.arraycopy(t, 0, v, data.length, t.length);
    return v;
  }

  @Override
  public URI store(byte[] data, StoreOptions options) {
    checkOpen();
    byte[] sha = Sha256.of(data);
    BlobRef ref = checkedTarget(options, sha, data.length, backend().maxBlobBytes);
    byte[] v = value(data, new BlobTrailer(data.length, Instant.now(), sha, options.contentType()));
    call(
        "cannot store blob",
        ref.uri(),
        () ->
            ref.contentAddressed()
                ? backend().sync.set(key(ref), v, SetArgs.Builder.nx())
                : backend().sync.set(key(ref), v));
    return ref.uri();
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    checkOpen();
    checkKey(options);
    byte[] tmp =
        (backend().keyPrefix
                + layout.basePath().substring(1)
                + ".tmp/"
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
                + HexFormat.of().toHexDigits(System.nanoTime()))
            .getBytes(StandardCharsets.UTF_8);
    URI uri = base();
    boolean published = false;
    try {
      MessageDigest md = Sha256.newDigest();
      byte[] buf = new byte[CHUNK];
      long size = 0;
      int n;
      while ((n = readChunk(in, buf)) > 0) {
        size += n;
        checkLimit(size, uri);
        md.update(buf, 0, n);
        byte[] chunk = n == buf.length ? buf : Arrays.copyOf(buf, n);
        boolean first = size == n;
        call("cannot store blob", uri, () -> backend().sync.append(tmp, chunk));
        if (first) {
          call("cannot store blob", uri, () -> backend().sync.pexpire(tmp, TEMP_TTL.toMillis()));
        }
      }
      byte[] sha = md.digest();
      BlobRef ref = target(options, sha);
      uri = ref.uri();
      byte[] trailer = new BlobTrailer(size, Instant.now(), sha, options.contentType()).encode();
      call("cannot store blob", uri, () -> backend().sync.append(tmp, trailer));
      byte[][] keys = {tmp, key(ref)};
      byte[] mode = (ref.contentAddressed() ? "nx" : "replace").getBytes(StandardCharsets.US_ASCII);
      call(
          "cannot store blob",
          uri,
          () -> backend().sync.<Long>eval(PUBLISH, ScriptOutputType.INTEGER, keys, mode));
      published = true;
      return ref.uri();
    } finally {
      if (!published) {
        try {
          backend().sync.del(tmp);
        } catch (RuntimeException ignored) {
          // the temporary key expires by itself
        }
      }
    }
  }

  // ---------------------------------------------------------------- read

  /** A stored value's length and trailer. */
  private record Stored(long total, BlobTrailer trailer, byte[] tailBytes) {}

  /** The value's length and trailer, or {@code null} if the key does not exist. */
  private @Nullable Stored stored(BlobRef ref) {
    List<Object> r =
        call(
            "cannot read blob",
            ref.uri(),
            () ->
                backend()
                    .sync
                    .<List<Object>>eval(
                        TAIL,
                        ScriptOutputType.MULTI,
                        new byte[][] {key(ref)},
                        Integer.toString(BlobTrailer.MAX_BYTES)
                            .getBytes(StandardCharsets.US_ASCII)));
    return r.isEmpty() ? null : parseTail(ref, r);
  }

  private static Stored parseTail(BlobRef ref, List<Object> r) {
    long total = (Long) r.get(0);
    byte[] tail = (byte[]) r.get(1);
    int len =
        BlobTrailer.trailerLength(
            Arrays.copyOfRange(
                tail, tail.length - Math.min(tail.length, BlobTrailer.TAIL_BYTES), tail.length),
            total,
            ref.uri());
    if (len > tail.length) {
      throw new IntegrityException("damaged blob trailer (length)", ref.uri());
    }
    BlobTrailer t =
        BlobTrailer.decode(
                Arrays.copyOfRange(tail, tail.length - len, tail.length), total, ref.uri())
            .checkName(ref.expectedSha256(), ref.uri());
    return new Stored(total, t, tail);
  }

  private static byte[] verifiedData(BlobRef ref, byte[] value) {
    BlobTrailer t =
        BlobTrailer.decodeFrom(value, ref.uri()).checkName(ref.expectedSha256(), ref.uri());
    MessageDigest md = Sha256.newDigest();
    md.update(value, 0, (int) t.size());
    checkDigest(t.sha256(), md.digest(), ref.uri());
    return Arrays.copyOf(value, (int) t.size());
  }

  @Override
  public byte[] load(URI uri) {
    BlobRef ref = parse(uri);
    byte[] value =
        found(call("cannot load blob", ref.uri(), () -> backend().sync.get(key(ref))), ref);
    return verifiedData(ref, value);
  }

  @Override
  public InputStream open(URI uri) {
    BlobRef ref = parse(uri);
    Stored s = found(stored(ref), ref);
    long size = s.trailer().size();
    return verifying(new RangeStream(ref, 0, size), s.trailer(), ref.uri());
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    BlobRef ref = parseRange(uri, offset, length);
    Stored s = found(stored(ref), ref);
    long size = s.trailer().size();
    return new RangeStream(ref, Math.min(offset, size), clip(size, offset, length));
  }

  @Override
  public BlobInfo info(URI uri) {
    BlobRef ref = parse(uri);
    Stored s = found(stored(ref), ref);
    return s.trailer().info(ref.uri());
  }

  @Override
  public boolean exists(URI uri) {
    BlobRef ref = parse(uri);
    return call("cannot check blob", ref.uri(), () -> backend().sync.exists(key(ref))) > 0;
  }

  @Override
  public boolean delete(URI uri) {
    BlobRef ref = parse(uri);
    return call("cannot delete blob", ref.uri(), () -> backend().sync.del(key(ref))) > 0;
  }

  @Override
  public List<URI> list(String prefix) {
    checkOpen();
    String ns = backend().keyPrefix;
    String pattern = ns + escapeGlob(layout.basePath().substring(1) + prefix) + "*";
    ScanArgs args = ScanArgs.Builder.matches(pattern.getBytes(StandardCharsets.UTF_8)).limit(1000);
    List<String> paths = new ArrayList<>();
    call(
        "cannot list blobs",
        base(),
        () -> {
          KeyScanCursor<byte[]> cursor = backend().sync.scan(args);
          while (true) {
            for (byte[] k : cursor.getKeys()) {
              paths.add("/" + new String(k, StandardCharsets.UTF_8).substring(ns.length()));
            }
            if (cursor.isFinished()) {
              return null;
            }
            cursor =
                backend()
                    .sync
                    .scan(cursor, args); // the cursor itself: a cluster's also names its node
          }
        });
    return listed(paths, prefix);
  }

  private static String escapeGlob(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        sb.append('\\');
      }
      sb.append(c);
    }
    return sb.toString();
  }

  /** Reads {@code [offset, offset + length)} of the value by {@code GETRANGE} chunks. */
  private final class RangeStream extends InputStream {
    private final BlobRef ref;
    private final long end;
    private long pos;
    private byte[] chunk = new byte[0];
    private int chunkPos;

    RangeStream(BlobRef ref, long offset, long length) {
      this.ref = ref;
      this.pos = offset;
      this.end = offset + length;
    }

    private boolean fill() {
      if (chunkPos < chunk.length) {
        return true;
      }
      if (pos >= end) {
        return false;
      }
      long last = Math.min(end, pos + CHUNK) - 1;
      byte[] k = key(ref);
      long from = pos;
      chunk = call("cannot read blob", ref.uri(), () -> backend().sync.getrange(k, from, last));
      chunkPos = 0;
      if (chunk.length == 0) {
        throw new BlobNotFoundException("blob deleted while being read", ref.uri());
      }
      pos += chunk.length;
      return true;
    }

    @Override
    public int read() {
      return fill() ? chunk[chunkPos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, chunk.length - chunkPos);
      System.arraycopy(chunk, chunkPos, b, off, n);
      chunkPos += n;
      return n;
    }

    @Override
    public int available() {
      return chunk.length - chunkPos;
    }
  }

  // ---------------------------------------------------------------- async

  @Override
  protected RuntimeException asyncFailure(String what, URI uri, Throwable failure) {
    return RedisErrors.map(what, uri, failure);
  }

  @Override
  public CompletableFuture<URI> storeAsync(byte[] data, StoreOptions options) {
    return storeCopyAsync(
        data,
        options,
        backend().maxBlobBytes,
        (ref, copy, sha) -> {
          byte[] v =
              value(copy, new BlobTrailer(copy.length, Instant.now(), sha, options.contentType()));
          return (ref.contentAddressed()
                  ? backend().async.set(key(ref), v, SetArgs.Builder.nx())
                  : backend().async.set(key(ref), v))
              .toCompletableFuture();
        });
  }

  @Override
  public CompletableFuture<byte[]> loadAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot load blob",
        ref ->
            backend()
                .async
                .get(key(ref))
                .toCompletableFuture()
                .thenApply(value -> verifiedData(ref, found(value, ref))));
  }

  @Override
  public CompletableFuture<BlobInfo> infoAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot read blob metadata",
        ref -> {
          CompletableFuture<List<Object>> tail =
              backend()
                  .async
                  .<List<Object>>eval(
                      TAIL,
                      ScriptOutputType.MULTI,
                      new byte[][] {key(ref)},
                      Integer.toString(BlobTrailer.MAX_BYTES).getBytes(StandardCharsets.US_ASCII))
                  .toCompletableFuture();
          return tail.thenApply(
              r -> {
                if (r.isEmpty()) {
                  throw new BlobNotFoundException("no blob stored", ref.uri());
                }
                return parseTail(ref, r).trailer().info(ref.uri());
              });
        });
  }

  @Override
  public CompletableFuture<Boolean> existsAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot check blob",
        ref -> backend().async.exists(key(ref)).toCompletableFuture().thenApply(n -> n > 0));
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot delete blob",
        ref -> backend().async.del(key(ref)).toCompletableFuture().thenApply(n -> n > 0));
  }
}
