package io.depot.storage.spi;

import java.net.URI;
import org.jspecify.annotations.Nullable;

/**
 * A parsed blob URI: where a provider finds the blob.
 *
 * @param uri the canonical blob URI
 * @param path the decoded URI path, starting with {@code /} (for {@code file:} the file's absolute
 *     path; for the other schemes the backend name after the authority)
 * @param contentAddressed whether the blob is named by its SHA-256
 * @param name the 64 hex digits of a content-addressed blob, or the caller-chosen key
 * @param scopePath the scope segments between the provider's base and the {@code sha256}/{@code
 *     keys} segment, each followed by {@code /} ({@code ""} if none)
 * @param relativeName the name relative to the provider's base, never sharded: {@code
 *     <scopePath>sha256/<hex>} or {@code <scopePath>keys/<key>}
 */
public record BlobRef(
    URI uri,
    String path,
    boolean contentAddressed,
    String name,
    String scopePath,
    String relativeName) {
  /** {@return the expected SHA-256 of a content-addressed blob, else {@code null}} */
  public byte @Nullable [] expectedSha256() {
    return contentAddressed ? Sha256.unhex(name) : null;
  }

  @Override
  public String toString() {
    return uri.toString();
  }
}
