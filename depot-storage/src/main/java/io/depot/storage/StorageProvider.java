package io.depot.storage;

import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.util.List;

/**
 * Stores bytes and returns a URI for them; loads the bytes a URI names. A workflow step stores its
 * output once and passes the URI on; the steps that need the bytes load them where they run.
 *
 * <h2>URIs</h2>
 *
 * A provider is opened on a <em>base URI</em> (its scope) and every blob it stores or reads lies
 * under it:
 *
 * <pre>
 * &lt;base&gt;[&lt;scope&gt;/...]sha256/&lt;64 hex digits&gt;    content-addressed (the file: provider shards: sha256/ab/cd/&lt;hex&gt;)
 * &lt;base&gt;[&lt;scope&gt;/...]keys/&lt;key&gt;                a caller-chosen key
 *
 * mem://&lt;space&gt;/&lt;scope&gt;/...           in this JVM (a named space shared by the providers of this JVM)
 * shm://&lt;store&gt;/&lt;scope&gt;/...           in the Depot shared-memory store {@code <store>} of this machine
 * file:///&lt;directory&gt;/&lt;scope&gt;/...     in a local directory
 * s3://&lt;bucket&gt;/&lt;prefix&gt;/...           in an S3 (or S3-compatible) bucket
 * redis://&lt;host&gt;:&lt;port&gt;/&lt;db&gt;/&lt;scope&gt;/...  in a Redis database
 * </pre>
 *
 * A provider refuses ({@link ScopeViolationException}) every URI that is not under its base:
 * another scheme, another backend, a sibling scope, or a path with {@code .} or {@code ..}
 * segments. {@link #withScope} narrows a provider to a sub-scope (a tenant, then a workflow); a
 * provider can read the blobs of its sub-scopes.
 *
 * <h2>Names</h2>
 *
 * Scope and key segments are 1 to 255 characters of {@code [A-Za-z0-9._~=-]}, not starting with a
 * dot; a key is such segments joined by {@code /}, at most {@value #MAX_KEY_LENGTH} characters; a
 * scope segment may not be {@code sha256} or {@code keys}. Backends may impose shorter limits (the
 * {@code shm:} object name is at most 255 bytes in all). No name ever needs percent-encoding, so a
 * blob URI has one spelling.
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Content addressing</b>: {@link #store(byte[])} names the blob by the SHA-256 of its
 *       bytes; storing the same bytes again returns the same URI and keeps one copy (concurrent
 *       stores of the same bytes, from any thread or process, are safe).
 *   <li><b>Integrity</b>: {@link #load}, {@link #open(URI)} and {@link #view} check the bytes
 *       against the SHA-256 recorded at store time (and, for content-addressed blobs, against the
 *       name); a mismatch is an {@link IntegrityException}, never returned data. Ranged reads
 *       ({@link #open(URI, long, long)}) are not verified, since verification needs the whole blob.
 *   <li><b>Atomicity</b>: a blob becomes visible whole or not at all; a failed or interrupted store
 *       leaves no partial blob behind. Storing under an existing key replaces it atomically
 *       (readers see the old or the new bytes).
 *   <li><b>Errors</b>: every failure is a {@link StorageException} naming the URI: {@link
 *       BlobNotFoundException}, {@link IntegrityException}, {@link ScopeViolationException}, {@link
 *       MalformedBlobUriException}, {@link UnsupportedSchemeException}, {@link
 *       BlobTooLargeException}, {@link StorageFullException}, {@link BackendUnavailableException},
 *       {@link BackendAccessDeniedException}, {@link InvalidBlobKeyException}.
 * </ul>
 *
 * <p>Providers are thread-safe. A provider holds its backend (a mapped store, a connection pool)
 * until {@link #close()}; providers made by {@link #withScope} share their parent's backend and
 * their {@code close} does nothing.
 */
public interface StorageProvider extends AutoCloseable {
  /**
   * The largest blob {@link #load} returns as an array; read larger blobs with {@link #open(URI)}.
   */
  long MAX_LOAD_BYTES = Integer.MAX_VALUE - 8;

  /** The longest caller-chosen key, in characters. */
  int MAX_KEY_LENGTH = 1024;

  /**
   * {@return the URI scheme this provider serves ({@code mem}, {@code shm}, {@code file}, {@code
   * s3}, {@code redis})}
   */
  String scheme();

  /**
   * {@return the base URI (scope) every blob of this provider lies under; it ends with {@code /}}
   */
  URI base();

  /**
   * {@return a provider confined to the sub-scope {@code scope} of this one (base {@code base() +
   * scope + "/"}), sharing its backend} {@code scope} is one or more segments joined by {@code /}.
   *
   * @param scope the sub-scope
   * @throws InvalidBlobKeyException if a segment breaks the naming rules
   */
  StorageProvider withScope(String scope);

  /**
   * {@return whether {@code uri} lies under {@link #base()}: this provider would serve it rather
   * than refuse it}
   *
   * @param uri the URI to check
   */
  boolean inScope(URI uri);

  /**
   * {@return the URI of the content-addressed blob with this SHA-256 (64 hex digits), stored or
   * not}
   *
   * @param sha256 the blob's SHA-256, 64 hex digits
   */
  URI contentUri(String sha256);

  /**
   * {@return the URI of the blob under a caller-chosen key, stored or not}
   *
   * @param key the caller-chosen key
   * @throws InvalidBlobKeyException if the key breaks the naming rules
   */
  URI keyUri(String key);

  // ---------------------------------------------------------------- store

  /**
   * Stores {@code data} content-addressed, as {@value StoreOptions#DEFAULT_CONTENT_TYPE}.
   *
   * @param data the bytes to store
   * @return {@code <base>sha256/<hex>}; the same URI for the same bytes
   */
  default URI store(byte[] data) {
    return store(data, StoreOptions.DEFAULT);
  }

  /**
   * Stores {@code data} as {@code options} say: content-addressed (an existing copy is kept) or
   * under a key (replacing atomically).
   *
   * @param data the bytes to store
   * @param options how to store them
   * @return the blob's URI
   * @throws BlobTooLargeException if the blob is over the provider's limit
   * @throws StorageFullException if the backend has no room for it
   */
  URI store(byte[] data, StoreOptions options);

  /**
   * Stores the bytes of a segment (for example a zero-copy view of another blob) as {@code options}
   * say.
   *
   * @param data the bytes to store
   * @param options how to store them
   * @return the blob's URI
   * @see #store(byte[], StoreOptions)
   */
  default URI store(MemorySegment data, StoreOptions options) {
    try (InputStream in = new io.depot.storage.spi.SegmentInputStream(data)) {
      return store(in, options);
    } catch (java.io.IOException e) {
      throw new StorageException("cannot read the segment", base(), e);
    }
  }

  /**
   * Stores everything {@code in} yields up to its end, streaming: the provider holds at most a
   * bounded buffer of it in the heap (a part, a chunk), so blobs larger than the heap can be
   * stored. Does not close {@code in}.
   *
   * <p>If reading {@code in} fails, nothing is stored and a {@link StorageException} with the
   * {@link java.io.IOException} as cause is thrown.
   *
   * @param in the bytes to store
   * @param options how to store them
   * @return the blob's URI
   * @throws BlobTooLargeException if the stream is longer than the provider's limit (nothing is
   *     stored)
   */
  URI store(InputStream in, StoreOptions options);

  // ---------------------------------------------------------------- read

  /**
   * {@return the whole blob, verified}
   *
   * @param uri the blob's URI
   * @throws BlobNotFoundException if nothing is stored at {@code uri}
   * @throws IntegrityException if the bytes do not match their SHA-256
   * @throws BlobTooLargeException if the blob is larger than {@link #MAX_LOAD_BYTES}
   * @throws ScopeViolationException if {@code uri} is outside this provider's scope
   * @throws MalformedBlobUriException if {@code uri} is in scope but not a blob URI
   */
  byte[] load(URI uri);

  /**
   * {@return a stream of the whole blob} The bytes are verified as they stream: the read that
   * reaches the end throws {@link IntegrityException} if they do not match, so read to the end
   * before trusting them. Close the stream; it may hold a connection, a file or a shared-memory
   * handle.
   *
   * @param uri the blob's URI
   * @throws BlobNotFoundException if nothing is stored at {@code uri}
   */
  InputStream open(URI uri);

  /**
   * {@return a stream of {@code length} bytes of the blob starting at {@code offset}, clipped to
   * the blob's end (an offset at or past the end gives an empty stream)} <b>Not verified</b>
   * against the blob's SHA-256.
   *
   * @param uri the blob's URI
   * @param offset the range's first byte
   * @param length the range's length
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   * @throws BlobNotFoundException if nothing is stored at {@code uri}
   */
  InputStream open(URI uri, long offset, long length);

  /**
   * {@return a read-only view of the whole blob, verified when opened: zero-copy where {@link
   * #zeroCopyViews()}, else a heap copy} Close it.
   *
   * @param uri the blob's URI
   * @throws BlobNotFoundException if nothing is stored at {@code uri}
   * @throws IntegrityException if the bytes do not match their SHA-256
   */
  BlobView view(URI uri);

  /** {@return whether {@link #view} hands out the stored bytes themselves rather than a copy} */
  boolean zeroCopyViews();

  /**
   * {@return the blob's metadata (not verified against its bytes)}
   *
   * @param uri the blob's URI
   * @throws BlobNotFoundException if nothing is stored at {@code uri}
   */
  BlobInfo info(URI uri);

  /**
   * {@return whether a blob is stored at {@code uri}}
   *
   * @param uri the blob's URI
   */
  boolean exists(URI uri);

  /**
   * Deletes the blob. Readers that already hold it (an open stream or view) may finish reading.
   *
   * @param uri the blob's URI
   * @return whether a blob was stored there
   */
  boolean delete(URI uri);

  /**
   * {@return the URIs of the blobs under this provider's base whose name relative to the base
   * ({@code sha256/<hex>}, {@code keys/<key>}, {@code <scope>/sha256/<hex>}, ...; never sharded)
   * starts with {@code prefix}, sorted} A snapshot: blobs stored or deleted meanwhile may or may
   * not appear.
   *
   * @param prefix the start of the relative names to list ({@code ""}: all)
   */
  List<URI> list(String prefix);

  /** Releases the backend (a no-op for providers made by {@link #withScope}). Idempotent. */
  @Override
  void close();
}
