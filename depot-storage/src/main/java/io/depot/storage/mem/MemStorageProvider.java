package io.depot.storage.mem;

import io.depot.storage.BlobInfo;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.IntegrityException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StoreOptions;
import io.depot.storage.spi.BackendStorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.BlobRef;
import io.depot.storage.spi.BlobTrailer;
import io.depot.storage.spi.SegmentBlobView;
import io.depot.storage.spi.Sha256;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URI;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * {@code mem://<space>/<scope>/...}: blobs in this JVM's heap, shared by every provider of the JVM
 * opened on the same space. Stores copy the caller's bytes; loads return copies; views are
 * zero-copy read-only views of the stored array. A blob is at most {@link #maxBlobBytes()}: a
 * quarter of the JVM's maximum heap, and never more than {@link StorageProvider#MAX_LOAD_BYTES}
 * (one array), so that a large store is a {@link BlobTooLargeException}, never an {@link
 * OutOfMemoryError}.
 */
final class MemStorageProvider extends BackendStorageProvider<MemSpace> {
  MemStorageProvider(BlobLayout layout, MemSpace space) {
    super(layout, space, MemSpace::release, MemStorageProvider::new);
  }

  private MemStorageProvider(BlobLayout layout, BackendStorageProvider<MemSpace> parent) {
    super(layout, parent);
  }

  /** The largest blob this provider accepts: a quarter of the maximum heap, at most one array. */
  public static long maxBlobBytes() {
    return Math.min(MAX_LOAD_BYTES, Runtime.getRuntime().maxMemory() / 4);
  }

  @Override
  public URI store(byte[] data, StoreOptions options) {
    checkOpen();
    if (data.length > maxBlobBytes()) {
      throw new BlobTooLargeException(
          "mem: blobs are at most "
              + maxBlobBytes()
              + " bytes (a quarter of the heap): "
              + "size="
              + data.length,
          base());
    }
    byte[] copy = new byte[data.length];
    return put(copy, Sha256.copyAndDigest(MemorySegment.ofArray(data), copy), options);
  }

  @Override
  public URI store(MemorySegment data, StoreOptions options) {
    checkOpen();
    if (data.byteSize() > maxBlobBytes()) {
      throw new BlobTooLargeException(
          "mem: blobs are at most "
              + maxBlobBytes()
              + " bytes (a quarter of the heap): "
              + "size="
              + data.byteSize(),
          base());
    }
    byte[] copy = new byte[(int) data.byteSize()];
    return put(copy, Sha256.copyAndDigest(data, copy), options);
  }

  @Override
  public URI store(InputStream in, StoreOptions options) {
    checkOpen();
    checkKey(options);
    byte[] owned = readAll(in, maxBlobBytes(), base());
    return put(owned, Sha256.of(owned), options);
  }

  private URI put(byte[] owned, byte[] sha, StoreOptions options) {
    BlobRef ref = target(options, sha);
    MemSpace.Blob blob =
        new MemSpace.Blob(
            owned, new BlobTrailer(owned.length, Instant.now(), sha, options.contentType()));
    if (ref.contentAddressed()) {
      backend().blobs.putIfAbsent(ref.path(), blob);
    } else {
      backend().blobs.put(ref.path(), blob);
    }
    return ref.uri();
  }

  private MemSpace.Blob get(BlobRef ref) {
    return found(backend().blobs.get(ref.path()), ref);
  }

  private MemSpace.Blob verified(BlobRef ref) {
    MemSpace.Blob blob = get(ref);
    byte[] expected = blob.meta().checkName(ref.expectedSha256(), ref.uri()).sha256();
    byte[] actual = Sha256.of(blob.data());
    if (!Arrays.equals(expected, actual) || blob.data().length != blob.meta().size()) {
      throw new IntegrityException(
          "blob bytes do not match their SHA-256: expected="
              + Sha256.hex(expected)
              + " actual="
              + Sha256.hex(actual),
          ref.uri());
    }
    return blob;
  }

  @Override
  public byte[] load(URI uri) {
    BlobRef ref = parse(uri);
    MemSpace.Blob blob = get(ref);
    byte[] expected = blob.meta().checkName(ref.expectedSha256(), ref.uri()).sha256();
    byte[] copy = new byte[blob.data().length];
    checkDigest(
        expected, Sha256.copyAndDigest(MemorySegment.ofArray(blob.data()), copy), ref.uri());
    return copy;
  }

  @Override
  public InputStream open(URI uri) {
    BlobRef ref = parse(uri);
    MemSpace.Blob blob = get(ref);
    return verifying(
        new ByteArrayInputStream(blob.data()),
        blob.meta().checkName(ref.expectedSha256(), uri),
        ref.uri());
  }

  @Override
  public InputStream open(URI uri, long offset, long length) {
    byte[] data = get(parseRange(uri, offset, length)).data();
    long n = clip(data.length, offset, length);
    return new ByteArrayInputStream(data, (int) Math.min(offset, data.length), (int) n);
  }

  @Override
  public BlobView view(URI uri) {
    BlobRef ref = parse(uri);
    MemorySegment seg = MemorySegment.ofArray(verified(ref).data()).asReadOnly();
    return SegmentBlobView.ofHeap(ref.uri(), seg);
  }

  @Override
  public boolean zeroCopyViews() {
    return true;
  }

  @Override
  public BlobInfo info(URI uri) {
    BlobRef ref = parse(uri);
    return get(ref).meta().info(ref.uri());
  }

  @Override
  public boolean exists(URI uri) {
    return backend().blobs.containsKey(parse(uri).path());
  }

  @Override
  public boolean delete(URI uri) {
    return backend().blobs.remove(parse(uri).path()) != null;
  }

  @Override
  public List<URI> list(String prefix) {
    checkOpen();
    String basePath = layout.basePath();
    return listed(
        backend().blobs.keySet().stream().filter(path -> path.startsWith(basePath)).toList(),
        prefix);
  }

  /** For tests: the stored array itself (not a copy), so a test can damage it. */
  byte[] storedBytes(URI uri) {
    return get(parse(uri)).data();
  }
}
