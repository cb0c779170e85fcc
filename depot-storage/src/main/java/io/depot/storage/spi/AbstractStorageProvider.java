package io.depot.storage.spi;

import io.depot.storage.BlobNotFoundException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.IntegrityException;
import io.depot.storage.InvalidBlobKeyException;
import io.depot.storage.StorageException;
import io.depot.storage.StorageProvider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * What every provider shares: the URI layout and scope checks, scoped children sharing one backend,
 * and an idempotent close that releases the backend once, and the checks and conversions every data
 * operation makes the same way. Subclasses implement the data operations ({@link
 * BackendStorageProvider} also holds the shared backend).
 */
public abstract class AbstractStorageProvider implements StorageProvider {
  /** The URI layout of this provider's scope. */
  protected final BlobLayout layout;

  /** Shared by a root provider and all its scoped children: set when the root is closed. */
  private final AtomicBoolean closed;

  private final boolean root;

  /**
   * A root provider: it owns the backend, released by {@link #closeBackend()} on the first close.
   *
   * @param layout the URI layout of its scope
   */
  protected AbstractStorageProvider(BlobLayout layout) {
    this.layout = layout;
    this.closed = new AtomicBoolean();
    this.root = true;
  }

  /**
   * A scoped child of {@code parent}: shares its backend and its closed state; its close does
   * nothing.
   *
   * @param layout the URI layout of the sub-scope
   * @param parent the provider whose backend it shares
   */
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

  /**
   * {@return a provider for {@code child} (a sub-scope's layout) sharing this one's backend}
   *
   * @param child the sub-scope's layout
   */
  protected abstract StorageProvider newScoped(BlobLayout child);

  /** Releases the backend; called once, by the root's first {@link #close()}. */
  protected abstract void closeBackend();

  /**
   * Checks a backend-specific limit on a blob's location (for example a name length), before
   * anything is written. Does nothing by default.
   *
   * @param ref the blob's location
   * @throws io.depot.storage.InvalidBlobKeyException if the location is not valid on this backend
   */
  protected void checkRef(BlobRef ref) {}

  /**
   * Parses {@code uri} after checking that the provider is open.
   *
   * @param uri a blob URI
   * @return where the blob is
   */
  protected final BlobRef parse(URI uri) {
    checkOpen();
    BlobRef ref = layout.parse(uri);
    checkRef(ref);
    return ref;
  }

  /**
   * {@return the location {@code options} ask for: a key, or the content address {@code sha256}}
   *
   * @param options the store's options
   * @param sha256 the SHA-256 of the bytes stored
   */
  protected final BlobRef target(io.depot.storage.StoreOptions options, byte[] sha256) {
    String key = options.key(); // null: content addressed
    BlobRef ref = key == null ? layout.content(Sha256.hex(sha256)) : layout.key(key);
    checkRef(ref);
    return ref;
  }

  /**
   * Checks a caller-chosen key before anything is read or written (a stream is not consumed for a
   * key that will be refused).
   *
   * @param options the store's options
   * @throws io.depot.storage.InvalidBlobKeyException if the key breaks the rules or the backend's
   *     limits
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
   * @param offset the range's first byte
   * @param length the range's length
   * @throws IllegalArgumentException if offset or length is negative
   */
  protected static void checkRange(long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "offset and length must be >= 0: offset=" + offset + " length=" + length);
    }
  }

  /**
   * Checks a range's arguments, then parses {@code uri} after checking that the provider is open:
   * the start of every {@link #open(URI, long, long)}.
   *
   * @param uri a blob URI
   * @param offset the range's first byte
   * @param length the range's length
   * @return where the blob is
   * @throws IllegalArgumentException if offset or length is negative
   */
  protected final BlobRef parseRange(URI uri, long offset, long length) {
    checkRange(offset, length);
    return parse(uri);
  }

  /**
   * {@return the clipped length of {@code [offset, offset + length)} in a blob of {@code size}
   * bytes}
   *
   * @param size the blob's size
   * @param offset the range's first byte
   * @param length the range's length
   */
  protected static long clip(long size, long offset, long length) {
    return offset >= size ? 0 : Math.min(length, size - offset);
  }

  /**
   * Reads a whole stream into an array of at most {@code limit} bytes.
   *
   * @param in the stream to read (not closed)
   * @param limit the most bytes accepted
   * @param uri named in the exceptions
   * @return the stream's bytes
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
            throw new BlobTooLargeException(
                "stream longer than the provider's limit: limit=" + limit, uri);
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

  /**
   * What a backend returned for a blob, where {@code null} means that nothing is stored there.
   *
   * @param <T> the value's type
   * @param value the backend's answer
   * @param ref the blob, for the exception
   * @return {@code value}, never {@code null}
   * @throws BlobNotFoundException if {@code value} is {@code null}
   */
  protected static <T> T found(@Nullable T value, BlobRef ref) {
    if (value == null) {
      throw new BlobNotFoundException("no blob stored", ref.uri());
    }
    return value;
  }

  /**
   * A stream of a whole blob: exactly the size its trailer records, checked at the end against the
   * trailer's SHA-256 (a {@link VerifyingInputStream}).
   *
   * @param in the blob's bytes, positioned at the first
   * @param trailer the blob's trailer
   * @param uri the blob, for the exceptions
   * @return the verifying stream
   */
  protected static InputStream verifying(InputStream in, BlobTrailer trailer, URI uri) {
    return new VerifyingInputStream(in, trailer.size(), trailer.sha256(), uri);
  }

  /**
   * Checks a blob's bytes against the SHA-256 they must have.
   *
   * @param expected the recorded (or named) SHA-256
   * @param actual the SHA-256 of the bytes read
   * @param uri the blob, for the exception
   * @throws IntegrityException if they differ
   */
  protected static void checkDigest(byte[] expected, byte[] actual, URI uri) {
    if (!Arrays.equals(expected, actual)) {
      throw new IntegrityException(
          "blob bytes do not match their SHA-256: expected="
              + Sha256.hex(expected)
              + " actual="
              + Sha256.hex(actual),
          uri);
    }
  }

  /**
   * Checks a blob's size against the provider's {@code max-blob-bytes} option.
   *
   * @param size the blob's size so far
   * @param maxBlobBytes the limit
   * @param uri the blob (or the base), for the exception
   * @throws BlobTooLargeException if {@code size} is over the limit
   */
  protected final void checkLimit(long size, long maxBlobBytes, URI uri) {
    if (size > maxBlobBytes) {
      throw new BlobTooLargeException(
          scheme()
              + ": blob over the provider's limit: size>="
              + size
              + " max-blob-bytes="
              + maxBlobBytes,
          uri);
    }
  }

  /**
   * Checks the length of a backend's name for a blob (from {@link #checkRef}).
   *
   * @param name the backend's name for the blob
   * @param maxBytes the backend's limit, in UTF-8 bytes
   * @param what what the name is, for the message ({@code "object key (prefix, scope and key)"})
   * @param uri the blob, for the exception
   * @throws InvalidBlobKeyException if {@code name} is longer
   */
  protected final void checkNameBytes(String name, int maxBytes, String what, URI uri) {
    if (name.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
      throw new InvalidBlobKeyException(
          scheme() + ": the " + what + " is longer than " + maxBytes + " bytes", uri);
    }
  }

  /**
   * Reads until {@code buf} is full or the caller's stream to store ends.
   *
   * @param in the stream being stored
   * @param buf the buffer to fill
   * @return how many bytes were read ({@code buf.length} unless the stream ended)
   * @throws StorageException if reading fails (nothing is stored; the {@link IOException} as cause)
   */
  protected final int readChunk(InputStream in, byte[] buf) {
    try {
      return in.readNBytes(buf, 0, buf.length);
    } catch (IOException e) {
      throw new StorageException("cannot read the stream to store (nothing stored)", base(), e);
    }
  }

  /**
   * The blob URIs among backend paths: those of {@code paths} that name blobs under this provider's
   * base whose relative name starts with {@code prefix}, sorted (what {@link #list} returns).
   *
   * @param paths decoded URI paths, as {@link BlobLayout#fromPath} takes them
   * @param prefix the caller's prefix of relative names
   * @return the sorted URIs
   */
  protected final List<URI> listed(Iterable<String> paths, String prefix) {
    List<URI> out = new ArrayList<>();
    for (String path : paths) {
      layout
          .fromPath(path)
          .filter(r -> r.relativeName().startsWith(prefix))
          .ifPresent(r -> out.add(r.uri()));
    }
    out.sort(null);
    return out;
  }

  /**
   * Starts an asynchronous operation: a failure before the future exists (a closed provider, a
   * refused URI) fails the future instead of being thrown.
   *
   * @param <T> the result's type
   * @param start starts the operation
   * @return its future, or a failed one
   */
  protected static <T> CompletableFuture<T> async(Supplier<CompletableFuture<T>> start) {
    try {
      return start.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A blob operation on a remote backend's asynchronous client: parses {@code uri} (a refused URI
   * fails the future), starts the operation on its reference, and maps the operation's failure with
   * {@link #asyncFailure}.
   *
   * @param <T> the result's type
   * @param uri the blob's URI
   * @param what what the operation does, for the failure's message ("cannot load blob")
   * @param op starts the operation on the parsed reference
   * @return its future
   */
  protected final <T> CompletableFuture<T> blobAsync(
      URI uri, String what, Function<BlobRef, CompletableFuture<T>> op) {
    return async(
        () -> {
          BlobRef ref = parse(uri);
          return mapped(op.apply(ref), what, ref.uri());
        });
  }

  /**
   * {@code future}, with its failure replaced by {@link #asyncFailure}'s translation.
   *
   * @param <T> the result's type
   * @param future a backend call's future
   * @param what what the call does, for the failure's message
   * @param uri the blob's URI, for the failure's message
   * @return the mapped future
   */
  protected final <T> CompletableFuture<T> mapped(
      CompletableFuture<T> future, String what, URI uri) {
    return future.exceptionallyCompose(
        e -> CompletableFuture.<T>failedFuture(asyncFailure(what, uri, e)));
  }

  /**
   * Translates a failure of a backend's asynchronous call into Depot's storage exceptions. This
   * default unwraps a {@link java.util.concurrent.CompletionException} and passes a {@link
   * StorageException} through; anything else becomes a {@link StorageException} naming {@code what}
   * and {@code uri}. Remote backends override it with their own error classification.
   *
   * @param what what the call did
   * @param uri the blob's URI
   * @param failure the call's failure
   * @return the exception the caller's future fails with
   */
  protected RuntimeException asyncFailure(String what, URI uri, Throwable failure) {
    Throwable cause =
        failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof StorageException se
        ? se
        : new StorageException(what + ": " + cause, uri, cause);
  }

  /**
   * The reference a store of {@code size} bytes writes to, checked against the backend's limit.
   *
   * @param options the store's options (its name, if any)
   * @param sha256 the data's digest (the name of a content-addressed blob)
   * @param size the data's length
   * @param maxBlobBytes the backend's largest blob
   * @return the target reference
   * @throws BlobTooLargeException if {@code size} is over {@code maxBlobBytes}
   */
  protected final BlobRef checkedTarget(
      io.depot.storage.StoreOptions options, byte[] sha256, long size, long maxBlobBytes) {
    BlobRef ref = target(options, sha256);
    checkLimit(size, maxBlobBytes, ref.uri());
    return ref;
  }

  /** Starts writing a blob's bytes to a backend: the backend's part of {@link #storeCopyAsync}. */
  @FunctionalInterface
  protected interface AsyncPut {
    /**
     * Starts the write.
     *
     * @param ref where the blob goes (checked, within the limit)
     * @param data the bytes to write: the provider's own copy
     * @param sha256 their SHA-256
     * @return the write's future (its value is not used)
     */
    CompletableFuture<?> start(BlobRef ref, byte[] data, byte[] sha256);
  }

  /**
   * An asynchronous store of an array, on a backend's asynchronous client: checks that the provider
   * is open, copies {@code data} (the caller may reuse its array as soon as this returns), digests
   * the copy, checks the target against {@code maxBlobBytes} and starts {@code put}. A failure
   * before the write fails the future; the write's failure is mapped with {@link #asyncFailure}.
   *
   * @param data the bytes to store
   * @param options the store's options (its name, if any)
   * @param maxBlobBytes the backend's largest blob
   * @param put starts the write
   * @return the blob's URI, once written
   */
  protected final CompletableFuture<URI> storeCopyAsync(
      byte[] data, io.depot.storage.StoreOptions options, long maxBlobBytes, AsyncPut put) {
    return async(
        () -> {
          checkOpen();
          byte[] copy = data.clone();
          byte[] sha = Sha256.of(copy);
          BlobRef ref = checkedTarget(options, sha, copy.length, maxBlobBytes);
          return mapped(
              put.start(ref, copy, sha).thenApply(r -> ref.uri()), "cannot store blob", ref.uri());
        });
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + layout.base() + "]";
  }
}
