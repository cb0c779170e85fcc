package io.depot.storage.shm;

import io.depot.Depot;
import io.depot.DirectoryFullException;
import io.depot.InvalidArgumentException;
import io.depot.ObjectExistsException;
import io.depot.ObjectHandle;
import io.depot.ObjectNotFoundException;
import io.depot.PutMode;
import io.depot.StoreFullException;
import io.depot.WriteClaim;
import io.depot.storage.BlobInfo;
import io.depot.storage.BlobNotFoundException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.StorageException;
import io.depot.storage.StorageFullException;
import io.depot.storage.StoreOptions;
import io.depot.storage.spi.BackendStorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.BlobRef;
import io.depot.storage.spi.BlobTrailer;
import io.depot.storage.spi.SegmentBlobView;
import io.depot.storage.spi.SegmentInputStream;
import io.depot.storage.spi.Sha256;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code shm://<store>/[<scope>/...]sha256/<hex>} and {@code .../keys/<key>}: one object per blob
 * in the Depot store {@code <store>} (its bytes followed by a {@link BlobTrailer}), named by the
 * URI path without its leading slash. Every process of the machine attached to the store shares the
 * blobs; {@link #view} hands out the shared memory itself.
 *
 * <h2>Writes</h2>
 *
 * A blob is written in place into a {@link WriteClaim} and published by its commit, so it is
 * visible whole or not at all, and a writer killed mid-store leaves nothing: its claim is reclaimed
 * by the store's recovery, at the latest when another process stores the same blob (the claim of
 * the name recovers it on contact). Content-addressed stores claim in {@link PutMode#CREATE} mode:
 * of concurrent writers of the same bytes one writes, the others wait for its commit (or claim the
 * name themselves if it aborts or dies). Keys are claimed in {@link PutMode#REPLACE} mode.
 *
 * <h2>Streams of unknown length</h2>
 *
 * The store's arena is fixed, and a blob's name (its digest) and size are known only at the end of
 * the stream, while the core has no rename. {@link #store(InputStream, StoreOptions)} therefore
 * spools the stream into uncommitted chunk claims of {@code chunk-size} bytes (invisible to
 * everyone, reclaimed if the process dies), then claims the final object at its exact size, copies
 * the chunks in (memory speed), commits it and aborts the chunks. A streamed store thus needs twice
 * the blob's size free in the arena while it runs, and a streamed blob is at most half the arena
 * ({@link BlobTooLargeException} beyond); an array or segment store needs its size once, up to the
 * whole arena.
 */
final class ShmStorageProvider extends BackendStorageProvider<ShmStorageProvider.Backend> {
  private static final int COPY_BUFFER = 1 << 16;

  /**
   * How long a content-addressed store waits for a live concurrent writer of the same bytes to
   * commit.
   */
  private static final Duration CONCURRENT_WRITER_WAIT = Duration.ofSeconds(30);

  /** How long it waits for that commit before it tries to claim the name again. */
  private static final Duration CONCURRENT_WRITER_POLL = Duration.ofMillis(20);

  private static final String SPOOL_PREFIX = ".depot-storage-spool/";
  private static final AtomicLong SPOOL_SEQUENCE = new AtomicLong();

  /**
   * The store and the settings a root provider and its scoped children share.
   *
   * @param depot the store
   * @param chunkSize the spool chunk of streamed stores
   * @param arenaBytes the arena's capacity (fixed at the store's creation)
   */
  record Backend(Depot depot, long chunkSize, long arenaBytes) {}

  ShmStorageProvider(BlobLayout layout, Depot depot, long chunkSize) {
    super(
        layout,
        new Backend(depot, chunkSize, depot.stats().arenaBytes()),
        b -> b.depot().close(),
        ShmStorageProvider::new);
  }

  private ShmStorageProvider(BlobLayout layout, BackendStorageProvider<Backend> parent) {
    super(layout, parent);
  }

  @Override
  protected void checkRef(BlobRef ref) {
    checkNameBytes(objectName(ref), Depot.MAX_NAME_BYTES, "object name (scope and key)", ref.uri());
  }

  private static String objectName(BlobRef ref) {
    return ref.path().substring(1);
  }

  // ---------------------------------------------------------------- store

  @Override
  public URI store(byte[] data, StoreOptions options) {
    return store(MemorySegment.ofArray(data), options);
  }

  @Override
  public URI store(MemorySegment data, StoreOptions options) {
    checkOpen();
    byte[] sha = Sha256.of(data);
    BlobRef ref = target(options, sha);
    BlobTrailer trailer =
        new BlobTrailer(data.byteSize(), Instant.now(), sha, options.contentType());
    publish(ref, trailer, (dst) -> MemorySegment.copy(data, 0, dst, 0, data.byteSize()));
    return ref.uri();
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    checkOpen();
    checkKey(options);
    List<WriteClaim> chunks = new ArrayList<>();
    String spool =
        SPOOL_PREFIX
            + Long.toHexString(ThreadLocalRandom.current().nextLong())
            + "-"
            + Long.toHexString(SPOOL_SEQUENCE.incrementAndGet())
            + "/";
    try {
      MessageDigest md = Sha256.newDigest();
      byte[] buf = new byte[COPY_BUFFER];
      long size = 0;
      WriteClaim chunk = null;
      long used = 0;
      while (true) {
        int n;
        try {
          n = in.read(buf);
        } catch (IOException e) {
          throw new StorageException("cannot read the stream to store (nothing stored)", base(), e);
        }
        if (n < 0) {
          break;
        }
        md.update(buf, 0, n);
        int off = 0;
        while (off < n) {
          if (chunk == null || used == chunkSize()) {
            if (size + off > arenaBytes() / 2) {
              throw new BlobTooLargeException(
                  "shm: a streamed blob is spooled before it is copied into place, so it"
                      + " is at most half the arena (store an array or segment for larger blobs): size>"
                      + (size + off)
                      + " arena="
                      + arenaBytes(),
                  base());
            }
            chunk =
                claim(
                    spool + chunks.size(),
                    chunkSize(),
                    PutMode.CREATE,
                    base(),
                    2 * (size + off + chunkSize()));
            chunks.add(chunk);
            used = 0;
          }
          int k = (int) Math.min(n - off, chunkSize() - used);
          MemorySegment.copy(buf, off, chunk.segment(), ValueLayout.JAVA_BYTE, used, k);
          used += k;
          off += k;
        }
        size += n;
      }
      byte[] sha = md.digest();
      BlobRef ref = target(options, sha);
      BlobTrailer trailer = new BlobTrailer(size, Instant.now(), sha, options.contentType());
      final long total = size;
      publish(
          ref,
          trailer,
          dst -> {
            long pos = 0;
            for (WriteClaim c : chunks) {
              long k = Math.min(chunkSize(), total - pos);
              MemorySegment.copy(c.segment(), 0, dst, pos, k);
              pos += k;
            }
          });
      return ref.uri();
    } finally {
      for (WriteClaim c : chunks) {
        c.close(); // aborts: spool chunks are never committed
      }
    }
  }

  /** Fills a claimed blob's data region. */
  private interface Filler {
    void fill(MemorySegment data);
  }

  /**
   * Claims the blob's object, fills it, writes the trailer and commits (content: at most once). Of
   * concurrent writers of the same content, one writes and the others wait for its commit; a writer
   * that died holding the name is recovered by the next claim of it (the store does that on
   * contact), so its bytes can be stored again at once.
   */
  private void publish(BlobRef ref, BlobTrailer trailer, Filler filler) {
    String name = objectName(ref);
    byte[] t = trailer.encode();
    long total = trailer.size() + t.length;
    long deadline = System.nanoTime() + CONCURRENT_WRITER_WAIT.toNanos();
    for (; ; ) {
      if (ref.contentAddressed() && depot().contains(name)) {
        return;
      }
      WriteClaim claim;
      try {
        claim =
            claim(
                name,
                total,
                ref.contentAddressed() ? PutMode.CREATE : PutMode.REPLACE,
                ref.uri(),
                total);
      } catch (ObjectExistsException e) {
        // a live writer of the same bytes: wait a little for its commit, then look again (if it
        // aborts or dies,
        // the next claim takes the name)
        if (System.nanoTime() - deadline > 0) {
          throw new StorageException(
              "shm: another process kept writing the same blob for "
                  + CONCURRENT_WRITER_WAIT
                  + " ("
                  + e.getMessage()
                  + ")",
              ref.uri(),
              e);
        }
        try {
          depot().get(name, CONCURRENT_WRITER_POLL).close();
          return;
        } catch (ObjectNotFoundException notYet) {
          continue;
        }
      }
      try (claim) {
        MemorySegment seg = claim.segment();
        filler.fill(seg.asSlice(0, trailer.size()));
        MemorySegment.copy(t, 0, seg, ValueLayout.JAVA_BYTE, trailer.size(), t.length);
        claim.commit();
        return;
      }
    }
  }

  private WriteClaim claim(String name, long size, PutMode mode, URI uri, long blobBytes) {
    try {
      return depot().claim(name, size, mode);
    } catch (StoreFullException | DirectoryFullException e) {
      if (blobBytes > arenaBytes()) {
        throw new BlobTooLargeException(
            "shm: blob larger than the store's arena: size>="
                + blobBytes
                + " arena="
                + arenaBytes(),
            uri,
            e);
      }
      throw new StorageFullException(
          "shm: store " + depot().name() + " has no room: " + e.getMessage(), uri, e);
    } catch (InvalidArgumentException e) {
      throw new BlobTooLargeException(
          "shm: blob larger than the store's arena: size>=" + blobBytes, uri, e);
    }
  }

  // ---------------------------------------------------------------- read

  /** A held object with its checked trailer; closing releases the handle. */
  private record Held(ObjectHandle handle, BlobTrailer trailer, MemorySegment data) {}

  private Held hold(BlobRef ref) {
    ObjectHandle h;
    try {
      h = depot().get(objectName(ref));
    } catch (ObjectNotFoundException e) {
      throw new BlobNotFoundException("no blob stored", ref.uri());
    }
    try {
      MemorySegment seg = h.segment();
      long total = seg.byteSize();
      byte[] tail =
          seg.asSlice(total - Math.min(total, BlobTrailer.TAIL_BYTES))
              .toArray(ValueLayout.JAVA_BYTE);
      int len = BlobTrailer.trailerLength(tail, total, ref.uri());
      byte[] t = seg.asSlice(total - len).toArray(ValueLayout.JAVA_BYTE);
      BlobTrailer trailer =
          BlobTrailer.decode(t, total, ref.uri()).checkName(ref.expectedSha256(), ref.uri());
      return new Held(h, trailer, seg.asSlice(0, trailer.size()));
    } catch (RuntimeException e) {
      h.close();
      throw e;
    }
  }

  @Override
  public byte[] load(URI uri) {
    BlobRef ref = parse(uri);
    Held held = hold(ref);
    try {
      if (held.trailer().size() > MAX_LOAD_BYTES) {
        throw new BlobTooLargeException(
            "blob too large for an array (use open or view): size=" + held.trailer().size(),
            ref.uri());
      }
      byte[] data = new byte[(int) held.trailer().size()];
      checkDigest(held.trailer().sha256(), Sha256.copyAndDigest(held.data(), data), ref.uri());
      return data;
    } finally {
      held.handle().close();
    }
  }

  @Override
  public InputStream open(URI uri) {
    BlobRef ref = parse(uri);
    Held held = hold(ref);
    return verifying(
        new SegmentInputStream(held.data(), held.handle()::close), held.trailer(), ref.uri());
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    BlobRef ref = parseRange(uri, offset, length);
    Held held = hold(ref);
    long size = held.trailer().size();
    MemorySegment range = held.data().asSlice(Math.min(offset, size), clip(size, offset, length));
    return new SegmentInputStream(range, held.handle()::close);
  }

  @Override
  public BlobView view(URI uri) {
    BlobRef ref = parse(uri);
    Held held = hold(ref);
    try {
      checkDigest(held.trailer().sha256(), Sha256.of(held.data()), ref.uri());
    } catch (RuntimeException e) {
      held.handle().close();
      throw e;
    }
    return new SegmentBlobView(ref.uri(), held.data(), held.handle()::close);
  }

  @Override
  public boolean zeroCopyViews() {
    return true;
  }

  @Override
  public BlobInfo info(URI uri) {
    BlobRef ref = parse(uri);
    Held held = hold(ref);
    held.handle().close();
    return held.trailer().info(ref.uri());
  }

  @Override
  public boolean exists(URI uri) {
    return depot().contains(objectName(parse(uri)));
  }

  @Override
  public boolean delete(URI uri) {
    return depot().remove(objectName(parse(uri)));
  }

  @Override
  public List<URI> list(String prefix) {
    checkOpen();
    return listed(
        depot().list(layout.basePath().substring(1)).stream().map(o -> "/" + o.name()).toList(),
        prefix);
  }

  /** The store (also for tests in this package). */
  Depot depot() {
    return backend().depot();
  }

  private long chunkSize() {
    return backend().chunkSize();
  }

  private long arenaBytes() {
    return backend().arenaBytes();
  }
}
