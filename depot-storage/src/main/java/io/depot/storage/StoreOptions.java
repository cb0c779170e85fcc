package io.depot.storage;

import java.net.URI;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a blob is stored: its content type, and optionally a caller-chosen key instead of its
 * SHA-256. Immutable; start from {@link #DEFAULT}, {@link #contentType(String)} or {@link
 * #key(String)} and chain.
 *
 * <pre>{@code
 * provider.store(bytes, StoreOptions.key("reports/q1.pdf").withContentType("application/pdf"));
 * }</pre>
 */
public final class StoreOptions {
  /** The content type of a blob stored without one. */
  public static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  /** The longest content type, in characters. */
  public static final int MAX_CONTENT_TYPE_LENGTH = 255;

  /** Content addressed, {@value #DEFAULT_CONTENT_TYPE}. */
  public static final StoreOptions DEFAULT = new StoreOptions(DEFAULT_CONTENT_TYPE, null);

  private final String contentType;
  private final @Nullable String key;

  private StoreOptions(String contentType, @Nullable String key) {
    this.contentType = contentType;
    this.key = key;
  }

  /**
   * Content-addressed with this content type.
   *
   * @param contentType the blob's content type
   * @return the options
   * @throws InvalidBlobKeyException if it is empty, longer than {@value #MAX_CONTENT_TYPE_LENGTH}
   *     characters, or not printable US-ASCII
   */
  public static StoreOptions contentType(String contentType) {
    return DEFAULT.withContentType(contentType);
  }

  /**
   * Stored under a caller-chosen key (URI {@code <base>/keys/<key>}), replacing atomically any blob
   * under that key; {@value #DEFAULT_CONTENT_TYPE}. The key's syntax is checked by the provider
   * (see {@link StorageProvider}).
   *
   * @param key the caller-chosen key
   * @return the options
   */
  public static StoreOptions key(String key) {
    return DEFAULT.withKey(key);
  }

  /**
   * These options with another content type (checked as in {@link #contentType(String)}).
   *
   * @param contentType the blob's content type
   * @return the new options
   */
  public StoreOptions withContentType(String contentType) {
    return new StoreOptions(checkContentType(contentType), key);
  }

  /**
   * These options with a caller-chosen key, or content addressing if {@code key} is null.
   *
   * @param key the caller-chosen key, or {@code null}
   * @return the new options
   */
  public StoreOptions withKey(@Nullable String key) {
    return new StoreOptions(contentType, key);
  }

  /** {@return the content type stored with the blob} */
  public String contentType() {
    return contentType;
  }

  /** {@return the caller-chosen key, or {@code null} for content addressing} */
  public @Nullable String key() {
    return key;
  }

  /** {@return whether the blob is named by its SHA-256} */
  public boolean contentAddressed() {
    return key == null;
  }

  private static String checkContentType(String contentType) {
    Objects.requireNonNull(contentType, "contentType");
    if (contentType.isEmpty() || contentType.length() > MAX_CONTENT_TYPE_LENGTH) {
      throw new InvalidBlobKeyException(
          "content type must be 1.."
              + MAX_CONTENT_TYPE_LENGTH
              + " characters: contentType="
              + contentType,
          (URI) null);
    }
    for (int i = 0; i < contentType.length(); i++) {
      char c = contentType.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new InvalidBlobKeyException(
            "content type must be printable US-ASCII: contentType="
                + contentType.replaceAll("[^\\x20-\\x7e]", "?"),
            (URI) null);
      }
    }
    return contentType;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof StoreOptions other
        && contentType.equals(other.contentType)
        && Objects.equals(key, other.key);
  }

  @Override
  public int hashCode() {
    return Objects.hash(contentType, key);
  }

  @Override
  public String toString() {
    return "StoreOptions[contentType="
        + contentType
        + (key == null ? ", content-addressed" : ", key=" + key)
        + "]";
  }
}
