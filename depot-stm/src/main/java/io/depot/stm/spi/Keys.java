package io.depot.stm.spi;

import io.depot.InvalidArgumentException;
import io.depot.stm.InvalidKeyException;
import io.depot.stm.ShortTermMemory;
import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the generic layer and the backends. */
public final class Keys {
  private Keys() {}

  /**
   * Checks a workflow id or key and returns its length in UTF-8 bytes.
   *
   * @param what {@code "workflowId"} or {@code "key"}, for the message
   * @param s the workflow id or key
   * @return its length in UTF-8 bytes
   * @throws InvalidKeyException if null, empty, with an unpaired surrogate, or over {@link
   *     ShortTermMemory#MAX_ID_BYTES} bytes
   */
  public static int check(String s, String what) {
    if (s == null) {
      throw new InvalidKeyException(what + " is null");
    }
    int n = s.length();
    if (n == 0) {
      throw new InvalidKeyException(what + " is empty");
    }
    if (n > ShortTermMemory.MAX_ID_BYTES) {
      throw new InvalidKeyException(
          what
              + " is longer than "
              + ShortTermMemory.MAX_ID_BYTES
              + " bytes in UTF-8: length="
              + n
              + " "
              + what
              + "="
              + abbreviate(s));
    }
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          bytes += 4;
          i++;
        } else {
          throw new InvalidKeyException(
              what
                  + " is not valid UTF-16 (unpaired surrogate at index="
                  + i
                  + "): "
                  + what
                  + "="
                  + abbreviate(s));
        }
      } else {
        bytes += 3;
      }
    }
    if (bytes > ShortTermMemory.MAX_ID_BYTES) {
      throw new InvalidKeyException(
          what
              + " is longer than "
              + ShortTermMemory.MAX_ID_BYTES
              + " bytes in UTF-8: bytes="
              + bytes
              + " "
              + what
              + "="
              + abbreviate(s));
    }
    return bytes;
  }

  /**
   * {@return a string shortened for messages}
   *
   * @param s the string
   */
  public static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /**
   * Checks a TTL.
   *
   * @param d the TTL
   * @param what what the TTL is for, named in the message
   * @return {@code d}
   * @throws InvalidArgumentException unless positive
   */
  public static Duration positive(Duration d, String what) {
    Objects.requireNonNull(d, what);
    if (d.isNegative() || d.isZero()) {
      throw new InvalidArgumentException(what + " must be positive: " + what + "=" + d);
    }
    return d;
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * Escapes {@code %}, <code>{</code> and <code>}</code> as {@code %XX} (two upper-case hex
   * digits), so that an id or key can stand inside a Redis hash tag ({@code {…}}) without ending
   * it; {@link #unescape} is the inverse. Returns {@code s} itself when it has none of the three.
   *
   * @param s the id or key
   * @return the string escaped
   */
  public static String escape(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' || c == '{' || c == '}') {
        if (sb == null) {
          sb = new StringBuilder(s.length() + 6).append(s, 0, i);
        }
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? s : sb.toString();
  }

  /**
   * Decodes {@code %XX} escapes (two hex digits, one char each), the inverse of the escaping the
   * backends use to fit ids and keys into object or key names; anything else is kept as it is.
   *
   * @param s the escaped string
   * @return the string unescaped
   */
  public static String unescape(String s) {
    int pct = s.indexOf('%');
    if (pct < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length()).append(s, 0, pct);
    for (int i = pct; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%' && i + 2 < s.length()) {
        sb.append((char) Integer.parseInt(s, i + 1, i + 3, 16));
        i += 2;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
