package io.depot.stm.shm;

import io.depot.Depot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Depot object names of the shared-memory backend: collision-free for any workflow id and key, at
 * most {@value Depot#MAX_NAME_BYTES} UTF-8 bytes, readable when they fit.
 *
 * <pre>
 *   stm/w/&lt;workflow&gt;                         the workflow's metadata (epoch, deadline, id)
 *   stm/k/&lt;workflow&gt;/&lt;epoch&gt;/&lt;key&gt;         one object per key
 * </pre>
 *
 * A part is either the id or key <b>escaped</b> (every {@code %}, {@code /}, {@code #} and control
 * character as {@code %XX}, so it contains no {@code /} and never starts with {@code #}), or, when
 * that would not fit, {@code #} and the base64url SHA-256 of its UTF-8 bytes (44 characters).
 * Escaping is injective and the two forms cannot be confused, so distinct (id, key) pairs get
 * distinct names except for a SHA-256 collision, which readers detect: a hashed name's object
 * stores the full id and key, checked on every read. Workflow parts are hashed beyond {@value
 * #MAX_READABLE_WORKFLOW_BYTES} bytes so every workflow leaves room for readable keys. The epoch
 * (11 base64url characters of a random 64-bit number) changes when the workflow is cleared or
 * starts afresh after expiry, so the keys of an old epoch are dead at once and are removed without
 * any risk of removing a newer write.
 */
final class ObjectNames {
  static final String KEY_ROOT = "stm/k/";
  static final String META_ROOT = "stm/w/";
  static final int MAX_READABLE_WORKFLOW_BYTES = 120;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private ObjectNames() {}

  private static boolean needsEscape(char c) {
    return c == '%' || c == '/' || c == '#' || c < 0x20 || c == 0x7f;
  }

  /**
   * {@code s} with {@code % / #} and control characters as {@code %XX}; {@code s} itself if none.
   */
  static String escape(String s) {
    int n = s.length();
    int i = 0;
    while (i < n && !needsEscape(s.charAt(i))) {
      i++;
    }
    if (i == n) {
      return s;
    }
    StringBuilder sb = new StringBuilder(n + 8).append(s, 0, i);
    for (; i < n; i++) {
      char c = s.charAt(i);
      if (needsEscape(c)) {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  /** The UTF-8 length of a valid UTF-16 string. */
  static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** {@code #} and the base64url SHA-256 of the UTF-8 bytes of {@code s}. */
  static String hashed(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return "#" + B64.encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  static boolean isHashed(String part) {
    return !part.isEmpty() && part.charAt(0) == '#';
  }

  /**
   * The workflow part: escaped if it is at most {@value #MAX_READABLE_WORKFLOW_BYTES} bytes, else
   * hashed.
   */
  static String workflowPart(String id) {
    String e = escape(id);
    return utf8Length(e) <= MAX_READABLE_WORKFLOW_BYTES ? e : hashed(id);
  }

  /** The key part after a prefix of {@code prefixBytes}: escaped if the name fits, else hashed. */
  static String keyPart(String key, int prefixBytes) {
    String e = escape(key);
    return prefixBytes + utf8Length(e) <= Depot.MAX_NAME_BYTES ? e : hashed(key);
  }

  /** The epoch as 11 base64url characters. */
  static String epochText(long epoch) {
    return B64.encodeToString(
        ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(epoch).array());
  }

  static String metaName(String workflowPart) {
    return META_ROOT + workflowPart;
  }

  /** {@code stm/k/<workflow>/}: every epoch's keys. */
  static String keyRoot(String workflowPart) {
    return KEY_ROOT + workflowPart + "/";
  }

  /** {@code stm/k/<workflow>/<epoch>/}: the keys of one epoch. */
  static String keyPrefix(String workflowPart, long epoch) {
    return keyRoot(workflowPart) + epochText(epoch) + "/";
  }
}
