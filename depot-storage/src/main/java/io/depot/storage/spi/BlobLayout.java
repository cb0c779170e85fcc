package io.depot.storage.spi;

import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.ScopeViolationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The URI layout shared by all providers: a base URI ({@code scheme://authority/path/}) and, under
 * it, {@code [<scope>/...]sha256/<hex>} (with {@code shardDepth} two-digit shard directories before
 * the hex) or {@code [<scope>/...]keys/<key>}. Parses URIs with the scope check and builds
 * canonical ones. Immutable.
 *
 * <p>The base keeps its authority without user information, so credentials never appear in blob
 * URIs.
 */
public final class BlobLayout {
  private final String scheme;
  private final String authority;

  /** Raw (encoded) base path: starts and ends with '/'. */
  private final String rawBasePath;

  /** Decoded base path. */
  private final String basePath;

  private final int shardDepth;
  private final URI base;

  private BlobLayout(String scheme, String authority, String rawBasePath, int shardDepth) {
    this.scheme = scheme;
    this.authority = authority;
    this.rawBasePath = rawBasePath;
    this.shardDepth = shardDepth;
    this.base = URI.create(scheme + "://" + authority + rawBasePath);
    this.basePath = base.getPath();
  }

  /**
   * {@return the layout of a provider confined to {@code base}}
   *
   * @param base an absolute hierarchical URI without query or fragment; a missing trailing {@code
   *     /} is added
   * @param shardDepth the number of two-hex-digit shard segments before a content digest (0..4)
   * @param checkPath whether every segment of the base path must be a valid scope segment (false
   *     for {@code file:}, whose base is any directory)
   * @throws MalformedBlobUriException if {@code base} is not such a URI
   */
  public static BlobLayout of(URI base, int shardDepth, boolean checkPath) {
    Objects.requireNonNull(base, "base");
    if (shardDepth < 0 || shardDepth > 4) {
      throw new IllegalArgumentException("shardDepth must be 0..4: shardDepth=" + shardDepth);
    }
    if (!base.isAbsolute()
        || base.isOpaque()
        || base.getRawQuery() != null
        || base.getRawFragment() != null) {
      throw new MalformedBlobUriException(
          "a base URI must be absolute and hierarchical, without query or fragment", base);
    }
    String path =
        base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
    if (!path.endsWith("/")) {
      path = path + "/";
    }
    if (!path.startsWith("/")) {
      throw new MalformedBlobUriException("a base URI must have an absolute path", base);
    }
    List<String> segs =
        path.length() == 1 ? List.of() : segments(path.substring(1, path.length() - 1));
    for (String s : segs) {
      if (s.isEmpty()
          || s.equals(".")
          || s.equals("..")
          || (checkPath && !Names.isScopeSegment(s))) {
        throw new MalformedBlobUriException(
            "a base path must be segments of [A-Za-z0-9._~=-] (not starting with"
                + " '.', not 'sha256' or 'keys'): segment="
                + s,
            base);
      }
    }
    return new BlobLayout(
        base.getScheme().toLowerCase(java.util.Locale.ROOT), authorityOf(base), path, shardDepth);
  }

  /**
   * {@return the layout of the sub-scope {@code scope} (checked by {@link Names#checkScope})}
   *
   * @param scope one or more scope segments joined by {@code /}
   */
  public BlobLayout child(String scope) {
    Names.checkScope(scope, base);
    return new BlobLayout(scheme, authority, rawBasePath + scope + "/", shardDepth);
  }

  /** {@return the base URI, ending with {@code /}, without user information} */
  public URI base() {
    return base;
  }

  /** {@return the URI scheme} */
  public String scheme() {
    return scheme;
  }

  /** {@return the authority without user information ({@code ""} if none)} */
  public String authority() {
    return authority;
  }

  /** {@return the decoded base path, starting and ending with {@code /}} */
  public String basePath() {
    return basePath;
  }

  /** {@return how many levels of two-hex-digit folders shard content-addressed blobs (0: none)} */
  public int shardDepth() {
    return shardDepth;
  }

  /**
   * {@return whether {@code uri} lies under the base (same scheme and authority, path below the
   * base path, no dot segments)}
   *
   * @param uri the URI to check
   */
  public boolean inScope(URI uri) {
    if (uri == null
        || !uri.isAbsolute()
        || uri.isOpaque()
        || !scheme.equalsIgnoreCase(uri.getScheme())
        || !authority.equals(authorityOf(uri))) {
      return false;
    }
    String raw = uri.getRawPath();
    return raw != null && raw.startsWith(rawBasePath) && !hasDotSegment(raw);
  }

  /**
   * Parses a blob URI of this layout.
   *
   * @param uri the URI to parse
   * @return where the blob is
   * @throws ScopeViolationException if it is not under the base, or has {@code .} or {@code ..}
   *     segments
   * @throws MalformedBlobUriException if it is under the base but not a blob URI
   */
  public BlobRef parse(URI uri) {
    Objects.requireNonNull(uri, "uri");
    if (!uri.isAbsolute() || uri.isOpaque()) {
      throw new MalformedBlobUriException("a blob URI must be absolute and hierarchical", uri);
    }
    String raw = uri.getRawPath();
    if (raw != null && hasDotSegment(raw)) {
      throw new ScopeViolationException(
          "path traversal ('.' or '..' segment) refused in scope base=" + base, uri);
    }
    if (!inScope(uri)) {
      throw new ScopeViolationException("outside the provider's scope base=" + base, uri);
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new MalformedBlobUriException("a blob URI has no query or fragment", uri);
    }
    String rel = raw.substring(rawBasePath.length());
    if (rel.indexOf('%') >= 0) {
      throw new MalformedBlobUriException("a blob name is never percent-encoded", uri);
    }
    List<String> segs = segments(rel);
    int marker = -1;
    for (int i = 0; i < segs.size(); i++) {
      String s = segs.get(i);
      if (s.equals(Names.CONTENT) || s.equals(Names.KEYS)) {
        marker = i;
        break;
      }
      if (!Names.isScopeSegment(s)) {
        throw new MalformedBlobUriException("bad scope segment=" + s, uri);
      }
    }
    if (marker < 0) {
      throw new MalformedBlobUriException("a blob URI has a 'sha256/' or 'keys/' segment", uri);
    }
    StringBuilder scopePath = new StringBuilder();
    for (int i = 0; i < marker; i++) {
      scopePath.append(segs.get(i)).append('/');
    }
    List<String> rest = segs.subList(marker + 1, segs.size());
    if (segs.get(marker).equals(Names.CONTENT)) {
      if (rest.size() != shardDepth + 1 || !Sha256.isHex(rest.get(shardDepth))) {
        throw new MalformedBlobUriException(
            "a content-addressed blob URI ends with sha256/"
                + "xx/".repeat(shardDepth)
                + "<64 lower-case hex digits>",
            uri);
      }
      String hex = rest.get(shardDepth);
      for (int i = 0; i < shardDepth; i++) {
        if (!rest.get(i).equals(hex.substring(2 * i, 2 * i + 2))) {
          throw new MalformedBlobUriException(
              "shard segment=" + rest.get(i) + " does not match the digest", uri);
        }
      }
      return content(scopePath.toString(), hex);
    }
    String key = String.join("/", rest);
    if (!Names.isKey(key)) {
      throw new MalformedBlobUriException("bad key=" + key, uri);
    }
    return key(scopePath.toString(), key);
  }

  /**
   * {@return the content-addressed blob {@code sha256} (64 hex digits) directly under the base}
   *
   * @param sha256 the blob's SHA-256, 64 hex digits
   */
  public BlobRef content(String sha256) {
    if (!Sha256.isHex(sha256)) {
      throw new IllegalArgumentException(
          "sha256 must be 64 lower-case hex digits: sha256=" + sha256);
    }
    return content("", sha256);
  }

  /**
   * {@return the blob under a caller-chosen key directly under the base (checked by {@link
   * Names#checkKey})}
   *
   * @param key the caller-chosen key
   */
  public BlobRef key(String key) {
    return key("", Names.checkKey(key, base));
  }

  /**
   * {@return the blob a backend path denotes, if it is one: {@code path} is a decoded path below
   * the base path (for example an S3 key with {@code /} prepended, or a file's absolute path)}
   *
   * @param path the backend path
   */
  public Optional<BlobRef> fromPath(String path) {
    if (!path.startsWith(basePath)) {
      return Optional.empty();
    }
    String rel = path.substring(basePath.length());
    if (hasDotSegment("/" + rel)) {
      return Optional.empty();
    }
    try {
      return Optional.of(parse(new URI(scheme + "://" + authority + rawBasePath + rel)));
    } catch (URISyntaxException | MalformedBlobUriException | ScopeViolationException e) {
      return Optional.empty();
    }
  }

  private BlobRef content(String scopePath, String hex) {
    StringBuilder rel = new StringBuilder(scopePath).append(Names.CONTENT).append('/');
    for (int i = 0; i < shardDepth; i++) {
      rel.append(hex, 2 * i, 2 * i + 2).append('/');
    }
    rel.append(hex);
    URI uri = URI.create(scheme + "://" + authority + rawBasePath + rel);
    return new BlobRef(
        uri, basePath + rel, true, hex, scopePath, scopePath + Names.CONTENT + "/" + hex);
  }

  private BlobRef key(String scopePath, String key) {
    String rel = scopePath + Names.KEYS + "/" + key;
    URI uri = URI.create(scheme + "://" + authority + rawBasePath + rel);
    return new BlobRef(uri, basePath + rel, false, key, scopePath, rel);
  }

  private static String authorityOf(URI uri) {
    String host = uri.getHost();
    if (host != null) {
      return uri.getPort() < 0 ? host : host + ":" + uri.getPort();
    }
    String a = uri.getRawAuthority();
    if (a == null) {
      return "";
    }
    int at = a.lastIndexOf('@');
    return at < 0 ? a : a.substring(at + 1);
  }

  private static boolean hasDotSegment(String rawPath) {
    for (String s : rawPath.split("/", -1)) {
      if (s.equals(".")
          || s.equals("..")
          || s.equalsIgnoreCase("%2e")
          || s.equalsIgnoreCase("%2e%2e")
          || s.equalsIgnoreCase(".%2e")
          || s.equalsIgnoreCase("%2e.")) {
        return true;
      }
    }
    return false;
  }

  private static List<String> segments(String rel) {
    List<String> out = new ArrayList<>();
    if (rel.isEmpty()) {
      return out;
    }
    for (String s : rel.split("/", -1)) {
      out.add(s);
    }
    return out;
  }

  @Override
  public String toString() {
    return "BlobLayout[" + base + ", shardDepth=" + shardDepth + "]";
  }
}
