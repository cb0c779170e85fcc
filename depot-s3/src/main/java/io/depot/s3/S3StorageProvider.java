package io.depot.s3;

import io.depot.storage.AsyncStorageProvider;
import io.depot.storage.BlobInfo;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.IntegrityException;
import io.depot.storage.StoreOptions;
import io.depot.storage.spi.BackendStorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.BlobRef;
import io.depot.storage.spi.Sha256;
import io.depot.storage.spi.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code s3://<bucket>/[<prefix>/...]sha256/<hex>} and {@code .../keys/<key>}: one S3 object per
 * blob, its key the URI path without the leading slash. The object holds the raw bytes (usable by
 * any S3 client); its {@code Content-Type} is the blob's content type, and the user metadata {@code
 * depot-sha256} and {@code depot-created} record the digest and the store time.
 *
 * <h2>Writes</h2>
 *
 * An array, and a stream that ends within the first part, is one {@code PutObject} (its digest
 * known before the upload). A longer stream is uploaded as a multipart upload of {@code part-size}
 * parts (one part buffered in the heap at a time) under a temporary key {@code
 * <base>.tmp/<random>}, hashed on the way; once complete it is copied server-side to its final key
 * with its metadata ({@code CopyObject}, or a multipart {@code UploadPartCopy} above {@code
 * copy-threshold}), and the temporary object is deleted. A failure aborts the upload or deletes the
 * temporary object: no partial blob is ever visible under a blob key. Content-addressed stores skip
 * the upload when the object exists ({@code HeadObject}). Buckets should expire incomplete
 * multipart uploads (a lifecycle rule) to clean up after killed processes.
 */
final class S3StorageProvider extends BackendStorageProvider<S3StorageProvider.Backend>
    implements AsyncStorageProvider {
  static final String META_SHA256 = "depot-sha256";
  static final String META_CREATED = "depot-created";

  /** S3's longest object key, in UTF-8 bytes. */
  static final int MAX_KEY_BYTES = 1024;

  /** S3's most parts of a multipart upload. */
  private static final int MAX_PARTS = 10_000;

  /**
   * The part size doubles every this many parts, so that a stream of any length fits in {@link
   * #MAX_PARTS}.
   */
  private static final int PARTS_PER_SIZE = 1_000;

  private static final long MAX_PART = 5L << 30;

  /** The clients and settings shared by a root provider and its scoped children. */
  static final class Backend {
    final S3Client sync;
    private final Supplier<S3AsyncClient> asyncFactory;
    private @Nullable S3AsyncClient async;
    final @Nullable AutoCloseable credentials;
    final String bucket;
    final int partSize;
    final long maxBlobBytes;
    final long copyThreshold;
    final long copyPartSize;

    Backend(
        S3Client sync,
        Supplier<S3AsyncClient> asyncFactory,
        @Nullable AutoCloseable credentials,
        String bucket,
        int partSize,
        long maxBlobBytes,
        long copyThreshold,
        long copyPartSize) {
      this.sync = sync;
      this.asyncFactory = asyncFactory;
      this.credentials = credentials;
      this.bucket = bucket;
      this.partSize = partSize;
      this.maxBlobBytes = maxBlobBytes;
      this.copyThreshold = copyThreshold;
      this.copyPartSize = copyPartSize;
    }

    /** The async client, built on first use (it starts event-loop threads). */
    synchronized S3AsyncClient async() {
      if (async == null) {
        async = asyncFactory.get();
      }
      return async;
    }

    synchronized void close() {
      sync.close();
      if (async != null) {
        async.close();
      }
      if (credentials != null) {
        try {
          credentials.close();
        } catch (Exception ignored) {
          // releasing a credentials cache cannot lose data
        }
      }
    }
  }

  S3StorageProvider(BlobLayout layout, Backend backend) {
    super(layout, backend, Backend::close, S3StorageProvider::new);
  }

  private S3StorageProvider(BlobLayout layout, BackendStorageProvider<Backend> parent) {
    super(layout, parent);
  }

  @Override
  protected void checkRef(BlobRef ref) {
    checkNameBytes(key(ref), MAX_KEY_BYTES, "object key (prefix, scope and key)", ref.uri());
  }

  private static String key(BlobRef ref) {
    return ref.path().substring(1);
  }

  private static Map<String, String> metadata(byte[] sha, Instant created) {
    return Map.of(
        META_SHA256, Sha256.hex(sha), META_CREATED, Long.toString(created.toEpochMilli()));
  }

  private void checkLimit(long size, URI uri) {
    checkLimit(size, backend().maxBlobBytes, uri);
  }

  // ---------------------------------------------------------------- store

  @Override
  public URI store(byte[] data, StoreOptions options) {
    checkOpen();
    byte[] sha = Sha256.of(data);
    BlobRef ref = checkedTarget(options, sha, data.length, backend().maxBlobBytes);
    try {
      if (ref.contentAddressed() && head(ref) != null) {
        return ref.uri();
      }
      put(ref, options.contentType(), sha, data, data.length);
      return ref.uri();
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot store blob", ref.uri(), e);
    }
  }

  private void put(BlobRef ref, String contentType, byte[] sha, byte[] data, int length) {
    backend()
        .sync
        .putObject(
            b ->
                b.bucket(backend().bucket)
                    .key(key(ref))
                    .contentType(contentType)
                    .contentLength((long) length)
                    .metadata(metadata(sha, Instant.now())),
            RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(data, 0, length), length, contentType));
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    checkOpen();
    checkKey(options);
    byte[] buf = new byte[backend().partSize];
    int n = readChunk(in, buf);
    MessageDigest md = Sha256.newDigest();
    if (n < buf.length) {
      md.update(buf, 0, n);
      byte[] sha = md.digest();
      BlobRef ref = target(options, sha);
      try {
        if (ref.contentAddressed() && head(ref) != null) {
          return ref.uri();
        }
        put(ref, options.contentType(), sha, buf, n);
        return ref.uri();
      } catch (RuntimeException e) {
        throw S3Errors.map("cannot store blob", ref.uri(), e);
      }
    }
    return multipartStore(in, options, buf, n, md);
  }

  private URI multipartStore(
      InputStream in, StoreOptions options, byte[] first, int firstLength, MessageDigest md) {
    String tmpKey =
        layout.basePath().substring(1)
            + ".tmp/"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong())
            + HexFormat.of().toHexDigits(System.nanoTime());
    URI uri = base();
    String uploadId;
    try {
      uploadId =
          backend()
              .sync
              .createMultipartUpload(
                  b -> b.bucket(backend().bucket).key(tmpKey).contentType(options.contentType()))
              .uploadId();
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot start a multipart upload", uri, e);
    }
    boolean completed = false;
    try {
      List<CompletedPart> parts = new ArrayList<>();
      byte[] buf = first;
      int len = firstLength;
      long size = 0;
      while (len > 0) {
        md.update(buf, 0, len);
        size += len;
        checkLimit(size, uri);
        int partNumber = parts.size() + 1;
        if (partNumber > MAX_PARTS) {
          throw new BlobTooLargeException(
              "s3: stream needs more than " + MAX_PARTS + " parts: size>=" + size, uri);
        }
        final byte[] part = buf;
        final int partLength = len;
        String etag =
            backend()
                .sync
                .uploadPart(
                    b ->
                        b.bucket(backend().bucket)
                            .key(tmpKey)
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .contentLength((long) partLength),
                    RequestBody.fromContentProvider(
                        () -> new ByteArrayInputStream(part, 0, partLength),
                        partLength,
                        options.contentType()))
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
        if (parts.size() % PARTS_PER_SIZE == 0
            && buf.length * 2L <= Math.min(MAX_PART, Integer.MAX_VALUE - 8)) {
          buf = new byte[buf.length * 2];
        }
        len = readChunk(in, buf);
      }
      backend()
          .sync
          .completeMultipartUpload(
              b ->
                  b.bucket(backend().bucket)
                      .key(tmpKey)
                      .uploadId(uploadId)
                      .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
      completed = true;
      byte[] sha = md.digest();
      BlobRef ref = target(options, sha);
      uri = ref.uri();
      if (!ref.contentAddressed() || head(ref) == null) {
        copy(tmpKey, ref, size, options.contentType(), sha);
      }
      return ref.uri();
    } catch (RuntimeException e) {
      if (!completed) {
        try {
          backend()
              .sync
              .abortMultipartUpload(b -> b.bucket(backend().bucket).key(tmpKey).uploadId(uploadId));
        } catch (RuntimeException abortFailure) {
          e.addSuppressed(abortFailure);
        }
      }
      throw S3Errors.map("cannot store blob", uri, e);
    } finally {
      if (completed) {
        try {
          backend().sync.deleteObject(b -> b.bucket(backend().bucket).key(tmpKey));
        } catch (RuntimeException ignored) {
          // a leftover temporary object is not a blob: lists skip it, a lifecycle rule may expire
          // it
        }
      }
    }
  }

  /** Server-side copy of the temporary object to the blob's key, with its metadata. */
  private void copy(String tmpKey, BlobRef ref, long size, String contentType, byte[] sha) {
    Map<String, String> meta = metadata(sha, Instant.now());
    if (size <= backend().copyThreshold) {
      backend()
          .sync
          .copyObject(
              b ->
                  b.sourceBucket(backend().bucket)
                      .sourceKey(tmpKey)
                      .destinationBucket(backend().bucket)
                      .destinationKey(key(ref))
                      .metadataDirective(MetadataDirective.REPLACE)
                      .contentType(contentType)
                      .metadata(meta));
      return;
    }
    String uploadId =
        backend()
            .sync
            .createMultipartUpload(
                b ->
                    b.bucket(backend().bucket)
                        .key(key(ref))
                        .contentType(contentType)
                        .metadata(meta))
            .uploadId();
    try {
      List<CompletedPart> parts = new ArrayList<>();
      for (long off = 0; off < size; off += backend().copyPartSize) {
        long end = Math.min(size, off + backend().copyPartSize) - 1;
        int partNumber = parts.size() + 1;
        String range = "bytes=" + off + "-" + end;
        String etag =
            backend()
                .sync
                .uploadPartCopy(
                    b ->
                        b.sourceBucket(backend().bucket)
                            .sourceKey(tmpKey)
                            .destinationBucket(backend().bucket)
                            .destinationKey(key(ref))
                            .uploadId(uploadId)
                            .partNumber(partNumber)
                            .copySourceRange(range))
                .copyPartResult()
                .eTag();
        parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
      }
      backend()
          .sync
          .completeMultipartUpload(
              b ->
                  b.bucket(backend().bucket)
                      .key(key(ref))
                      .uploadId(uploadId)
                      .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build()));
    } catch (RuntimeException e) {
      try {
        backend()
            .sync
            .abortMultipartUpload(b -> b.bucket(backend().bucket).key(key(ref)).uploadId(uploadId));
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      throw e;
    }
  }

  // ---------------------------------------------------------------- read

  /** The object's metadata, or {@code null} if it does not exist. */
  private @Nullable HeadObjectResponse head(BlobRef ref) {
    try {
      return backend().sync.headObject(b -> b.bucket(backend().bucket).key(key(ref)));
    } catch (RuntimeException e) {
      if (S3Errors.isNotFound(e)) {
        return null;
      }
      throw e;
    }
  }

  /** The digest the object's bytes must have: the name's, or the recorded one of a keyed blob. */
  private static byte[] expectedSha(BlobRef ref, Map<String, String> metadata) {
    String recorded = metadata.get(META_SHA256);
    if (ref.contentAddressed()) {
      if (recorded != null && !recorded.equals(ref.name())) {
        throw new IntegrityException(
            "s3: the object's " + META_SHA256 + " metadata does not match its name", ref.uri());
      }
      return Objects.requireNonNull(ref.expectedSha256()); // content addressed: the name's
    }
    if (recorded == null || !Sha256.isHex(recorded)) {
      throw new IntegrityException(
          "s3: the object has no " + META_SHA256 + " metadata to verify it", ref.uri());
    }
    return Sha256.unhex(recorded);
  }

  private static void verify(byte[] data, byte[] expected, URI uri) {
    checkDigest(expected, Sha256.of(data), uri);
  }

  @Override
  public byte[] load(URI uri) {
    BlobRef ref = parse(uri);
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = backend().sync.getObject(b -> b.bucket(backend().bucket).key(key(ref)));
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot load blob", ref.uri(), e);
    }
    try (in) {
      GetObjectResponse r = in.response();
      long size = r.contentLength();
      if (size > MAX_LOAD_BYTES) {
        in.abort();
        throw new BlobTooLargeException(
            "blob too large for an array (use open): size=" + size, ref.uri());
      }
      byte[] expected = expectedSha(ref, r.metadata());
      byte[] data = in.readNBytes((int) size);
      if (data.length != size || in.read() >= 0) {
        throw new IntegrityException(
            "s3: object length does not match Content-Length=" + size, ref.uri());
      }
      verify(data, expected, ref.uri());
      return data;
    } catch (IOException | RuntimeException e) {
      in.abort();
      throw S3Errors.map("cannot load blob", ref.uri(), e);
    }
  }

  @Override
  public InputStream open(URI uri) {
    BlobRef ref = parse(uri);
    ResponseInputStream<GetObjectResponse> in;
    try {
      in = backend().sync.getObject(b -> b.bucket(backend().bucket).key(key(ref)));
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot open blob", ref.uri(), e);
    }
    try {
      GetObjectResponse r = in.response();
      return new VerifyingInputStream(
          new AbortOnClose(in, r.contentLength()),
          r.contentLength(),
          expectedSha(ref, r.metadata()),
          ref.uri());
    } catch (RuntimeException e) {
      in.abort();
      throw e;
    }
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    BlobRef ref = parseRange(uri, offset, length);
    try {
      if (length == 0) {
        found(head(ref), ref);
        return InputStream.nullInputStream();
      }
      long last = offset + length - 1 < offset ? Long.MAX_VALUE : offset + length - 1;
      String range =
          last == Long.MAX_VALUE ? "bytes=" + offset + "-" : "bytes=" + offset + "-" + last;
      ResponseInputStream<GetObjectResponse> in =
          backend().sync.getObject(b -> b.bucket(backend().bucket).key(key(ref)).range(range));
      return new AbortOnClose(in, in.response().contentLength());
    } catch (RuntimeException e) {
      if (S3Errors.isRangeNotSatisfiable(e)) {
        return InputStream
            .nullInputStream(); // the object exists; the range starts at or past its end
      }
      throw S3Errors.map("cannot open blob", ref.uri(), e);
    }
  }

  @Override
  public BlobInfo info(URI uri) {
    BlobRef ref = parse(uri);
    HeadObjectResponse h;
    try {
      h = head(ref);
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot read blob metadata", ref.uri(), e);
    }
    return info(ref, found(h, ref));
  }

  private static BlobInfo info(BlobRef ref, HeadObjectResponse h) {
    byte[] sha = expectedSha(ref, h.metadata());
    String created = h.metadata().get(META_CREATED);
    Instant when;
    try {
      when = created == null ? h.lastModified() : Instant.ofEpochMilli(Long.parseLong(created));
    } catch (NumberFormatException e) {
      when = h.lastModified();
    }
    String type = h.contentType() == null ? StoreOptions.DEFAULT_CONTENT_TYPE : h.contentType();
    return new BlobInfo(ref.uri(), h.contentLength(), type, when, Sha256.hex(sha));
  }

  @Override
  public boolean exists(URI uri) {
    BlobRef ref = parse(uri);
    try {
      return head(ref) != null;
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot check blob", ref.uri(), e);
    }
  }

  @Override
  public boolean delete(URI uri) {
    BlobRef ref = parse(uri);
    try {
      if (head(ref) == null) {
        return false;
      }
      backend().sync.deleteObject(b -> b.bucket(backend().bucket).key(key(ref)));
      return true;
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot delete blob", ref.uri(), e);
    }
  }

  @Override
  public List<URI> list(String prefix) {
    checkOpen();
    List<String> paths = new ArrayList<>();
    String s3Prefix = layout.basePath().substring(1) + prefix;
    try {
      for (S3Object o :
          backend()
              .sync
              .listObjectsV2Paginator(
                  ListObjectsV2Request.builder().bucket(backend().bucket).prefix(s3Prefix).build())
              .contents()) {
        paths.add("/" + o.key());
      }
    } catch (RuntimeException e) {
      throw S3Errors.map("cannot list blobs", base(), e);
    }
    return listed(paths, prefix);
  }

  // ---------------------------------------------------------------- async

  @Override
  protected RuntimeException asyncFailure(String what, URI uri, Throwable failure) {
    return S3Errors.map(what, uri, failure);
  }

  private CompletableFuture<HeadObjectResponse> headAsync(BlobRef ref) {
    return backend()
        .async()
        .headObject(b -> b.bucket(backend().bucket).key(key(ref)))
        .exceptionallyCompose(
            e ->
                S3Errors.isNotFound(e)
                    ? CompletableFuture.<HeadObjectResponse>completedFuture(null)
                    : CompletableFuture.<HeadObjectResponse>failedFuture(e));
  }

  @Override
  public CompletableFuture<URI> storeAsync(byte[] data, StoreOptions options) {
    return storeCopyAsync(
        data,
        options,
        backend().maxBlobBytes,
        (ref, copy, sha) -> {
          CompletableFuture<Boolean> exists =
              ref.contentAddressed()
                  ? headAsync(ref).thenApply(h -> h != null)
                  : CompletableFuture.completedFuture(false);
          return exists.thenCompose(
              e ->
                  e
                      ? CompletableFuture.completedFuture(ref.uri())
                      : backend()
                          .async()
                          .putObject(
                              b ->
                                  b.bucket(backend().bucket)
                                      .key(key(ref))
                                      .contentType(options.contentType())
                                      .contentLength((long) copy.length)
                                      .metadata(metadata(sha, Instant.now())),
                              AsyncRequestBody.fromBytesUnsafe(copy))
                          .thenApply(r -> ref.uri()));
        });
  }

  @Override
  public CompletableFuture<byte[]> loadAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot load blob",
        ref -> {
          CompletableFuture<ResponseBytes<GetObjectResponse>> get =
              backend()
                  .async()
                  .getObject(
                      b -> b.bucket(backend().bucket).key(key(ref)),
                      AsyncResponseTransformer.toBytes());
          return get.thenApply(
              bytes -> {
                byte[] data = bytes.asByteArrayUnsafe();
                verify(data, expectedSha(ref, bytes.response().metadata()), ref.uri());
                return data;
              });
        });
  }

  @Override
  public CompletableFuture<BlobInfo> infoAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot read blob metadata",
        ref -> headAsync(ref).thenApply(h -> info(ref, found(h, ref))));
  }

  @Override
  public CompletableFuture<Boolean> existsAsync(URI uri) {
    return blobAsync(uri, "cannot check blob", ref -> headAsync(ref).thenApply(h -> h != null));
  }

  @Override
  public CompletableFuture<Boolean> deleteAsync(URI uri) {
    return blobAsync(
        uri,
        "cannot delete blob",
        ref ->
            headAsync(ref)
                .thenCompose(
                    h ->
                        h == null
                            ? CompletableFuture.completedFuture(false)
                            : backend()
                                .async()
                                .deleteObject(b -> b.bucket(backend().bucket).key(key(ref)))
                                .thenApply(r -> true)));
  }

  /** Aborts the HTTP connection when closed before the end (instead of draining a large object). */
  private static final class AbortOnClose extends InputStream {
    private final ResponseInputStream<GetObjectResponse> in;
    private final long length;
    private long read;

    AbortOnClose(ResponseInputStream<GetObjectResponse> in, long length) {
      this.in = in;
      this.length = length;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        read++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        read += n;
      }
      return n;
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      if (read < length) {
        in.abort();
      }
      in.close();
    }
  }
}
