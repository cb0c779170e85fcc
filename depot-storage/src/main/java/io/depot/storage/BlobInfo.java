package io.depot.storage;

import java.net.URI;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored blob's metadata.
 *
 * @param uri the blob's URI
 * @param size the blob's size in bytes
 * @param contentType its media type as given at store time ({@value
 *     StoreOptions#DEFAULT_CONTENT_TYPE} by default)
 * @param created when it was stored (for a content-addressed blob stored several times: when the
 *     stored copy was written, normally the first store)
 * @param sha256 the SHA-256 of its bytes, 64 lower-case hex digits (for a content-addressed blob,
 *     the same as the last segment of its URI)
 */
public record BlobInfo(URI uri, long size, String contentType, Instant created, String sha256) {
  /** Checks that no component is null and the size is not negative. */
  public BlobInfo {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(created, "created");
    Objects.requireNonNull(sha256, "sha256");
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0: size=" + size);
    }
  }
}
