package io.depot.storage.spi;

import io.depot.storage.InvalidBlobKeyException;
import io.depot.storage.StorageProvider;
import java.net.URI;

/** The naming rules of scopes and keys (see {@link StorageProvider}). */
public final class Names {
  /** The segment that starts a content-addressed name. */
  public static final String CONTENT = "sha256";

  /** The segment that starts a caller-chosen key. */
  public static final String KEYS = "keys";

  /** The longest segment, in characters. */
  public static final int MAX_SEGMENT = 255;

  private Names() {}

  /**
   * {@return whether {@code s} is a valid segment: 1..255 of {@code [A-Za-z0-9._~=-]}, not starting
   * with a dot}
   *
   * @param s the text to check
   */
  public static boolean isSegment(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_SEGMENT || s.charAt(0) == '.') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '_'
              || c == '~'
              || c == '='
              || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@return whether {@code s} is a valid scope segment: a segment other than {@value #CONTENT} and
   * {@value #KEYS}}
   *
   * @param s the text to check
   */
  public static boolean isScopeSegment(String s) {
    return isSegment(s) && !s.equals(CONTENT) && !s.equals(KEYS);
  }

  /**
   * {@return whether {@code key} is valid: segments joined by {@code /}, at most {@link
   * StorageProvider#MAX_KEY_LENGTH}}
   *
   * @param key the text to check
   */
  public static boolean isKey(String key) {
    if (key.isEmpty() || key.length() > StorageProvider.MAX_KEY_LENGTH) {
      return false;
    }
    int start = 0;
    while (true) {
      int slash = key.indexOf('/', start);
      String seg = slash < 0 ? key.substring(start) : key.substring(start, slash);
      if (!isSegment(seg)) {
        return false;
      }
      if (slash < 0) {
        return true;
      }
      start = slash + 1;
    }
  }

  /**
   * Checks a caller-chosen key.
   *
   * @param base the provider's base, named in the message
   * @param key the key to check
   * @return {@code key}
   * @throws InvalidBlobKeyException if it breaks the rules
   */
  public static String checkKey(String key, URI base) {
    if (key == null || !isKey(key)) {
      throw new InvalidBlobKeyException(
          "key must be segments of [A-Za-z0-9._~=-] (not starting with '.') joined by"
              + " '/', at most "
              + StorageProvider.MAX_KEY_LENGTH
              + " characters: key="
              + key,
          base);
    }
    return key;
  }

  /**
   * Checks a scope: one or more scope segments joined by {@code /}.
   *
   * @param scope the scope to check
   * @param base the provider's base, named in the message
   * @return {@code scope}
   * @throws InvalidBlobKeyException if it breaks the rules
   */
  public static String checkScope(String scope, URI base) {
    boolean ok = scope != null && isKey(scope);
    if (ok) {
      for (String seg : scope.split("/", -1)) {
        ok &= isScopeSegment(seg);
      }
    }
    if (!ok) {
      throw new InvalidBlobKeyException(
          "scope must be segments of [A-Za-z0-9._~=-] (not starting with '.', not '"
              + CONTENT
              + "' or '"
              + KEYS
              + "') joined by '/': scope="
              + scope,
          base);
    }
    return scope;
  }
}
