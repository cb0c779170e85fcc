package io.depot.storage.spi;

import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.StorageException;
import io.depot.storage.StorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every provider shares: the URI layout and scope checks, scoped children sharing one backend, and an
 * idempotent close that releases the backend once. Subclasses implement the data operations.
 */
public abstract class AbstractStorageProvider implements StorageProvider {
  /** The URI layout of this provider's scope. */
  protected final BlobLayout layout;
  /** Shared by a root provider and all its scoped children: set when the root is closed. */
  private final AtomicBoolean closed;
  private final boolean root;

  /** A root provider: it owns the backend, released by {@link #closeBackend()} on the first close. */
  protected AbstractStorageProvider(BlobLayout layout) {
    this.layout = layout;
    this.closed = new AtomicBoolean();
    this.root = true;
  }

  /** A scoped child of {@code parent}: shares its backend and its closed state; its close does nothing. */
  protected AbstractStorageProvider(BlobLayout layout, AbstractStorageProvider parent) {
    this.layout = layout;
    this.closed = parent.closed;
    this.root = false;
  }

  @Override
  public final String scheme() {
    return layout.scheme();
  }

  @Override
  public final URI base() {
    return layout.base();
  }

  @Override
  public final boolean inScope(URI uri) {
    return layout.inScope(uri);
  }

  @Override
  public URI contentUri(String sha256) {
    return layout.content(sha256).uri();
  }

  @Override
  public URI keyUri(String key) {
    BlobRef ref = layout.key(key);
    checkRef(ref);
    return ref.uri();
  }

  @Override
  public final StorageProvider withScope(String scope) {
    checkOpen();
    return newScoped(layout.child(scope));
  }

  /** A provider for {@code child} (a sub-scope's layout) sharing this one's backend. */
  protected abstract StorageProvider newScoped(BlobLayout child);

  /** Releases the backend; called once, by the root's first {@link #close()}. */
  protected abstract void closeBackend();

  /**
   * Checks a backend-specific limit on a blob's location (for example a name length), before anything is written.
   * Does nothing by default.
   *
   * @throws io.depot.storage.InvalidBlobKeyException if the location is not valid on this backend
   */
  protected void checkRef(BlobRef ref) {}

  /** Parses {@code uri} after checking that the provider is open. */
  protected final BlobRef parse(URI uri) {
    checkOpen();
    BlobRef ref = layout.parse(uri);
    checkRef(ref);
    return ref;
  }

  /** The location {@code options} ask for: a key, or the content address {@code sha256}. */
  protected final BlobRef target(io.depot.storage.StoreOptions options, byte[] sha256) {
    String key = options.key(); // null: content addressed
    BlobRef ref = key == null ? layout.content(Sha256.hex(sha256)) : layout.key(key);
    checkRef(ref);
    return ref;
  }

  /**
   * Checks a caller-chosen key before anything is read or written (a stream is not consumed for a key that will be
   * refused).
   *
   * @throws io.depot.storage.InvalidBlobKeyException if the key breaks the rules or the backend's limits
   */
  protected final void checkKey(io.depot.storage.StoreOptions options) {
    String key = options.key(); // null: content addressed
    if (key != null) {
      checkRef(layout.key(key));
    }
  }

  /**
   * Checks that the provider (or its root) is open.
   *
   * @throws StorageException if it is closed
   */
  protected final void checkOpen() {
    if (closed.get()) {
      throw new StorageException("storage provider is closed", layout.base());
    }
  }

  /** A heap copy of the verified blob; providers with zero-copy views override. */
  @Override
  public BlobView view(URI uri) {
    byte[] bytes = load(uri);
    return SegmentBlobView.ofHeap(uri, MemorySegment.ofArray(bytes).asReadOnly());
  }

  @Override
  public boolean zeroCopyViews() {
    return false;
  }

  @Override
  public final void close() {
    if (root && closed.compareAndSet(false, true)) {
      closeBackend();
    }
  }

  /**
   * Checks a range's arguments.
   *
   * @throws IllegalArgumentException if offset or length is negative
   */
  protected static void checkRange(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0: offset=" + offset + " length=" + length);
    }
  }

  /** The clipped length of {@code [offset, offset + length)} in a blob of {@code size} bytes. */
  protected static long clip(long size, long offset, long length) {
    return offset >= size ? 0 : Math.min(length, size - offset);
  }

  /**
   * Reads a whole stream into an array of at most {@code limit} bytes.
   *
   * @throws BlobTooLargeException if the stream is longer (naming {@code uri})
   * @throws StorageException if reading fails (the {@link IOException} as cause)
   */
  protected static byte[] readAll(InputStream in, long limit, URI uri) {
    try {
      byte[] buf = new byte[(int) Math.min(8192, limit)];
      int n = 0;
      while (true) {
        if (n == buf.length) {
          if (n >= limit) {
            if (in.read() < 0) {
              return buf;
            }
            throw new BlobTooLargeException("stream longer than the provider's limit: limit=" + limit, uri);
          }
          buf = Arrays.copyOf(buf, (int) Math.min(limit, Math.max(2L * n, 8192)));
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          return n == buf.length ? buf : Arrays.copyOf(buf, n);
        }
        n += r;
      }
    } catch (IOException e) {
      throw new StorageException("cannot read the stream to store", uri, e);
    }
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + layout.base() + "]";
  }
}
