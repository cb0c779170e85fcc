package io.depot.stm.spi;

import io.depot.stm.InvalidUriException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A memory URI taken apart: {@code <scheme>:<body>[?<name>=<value>&...]}.
 *
 * @param text the URI as given
 * @param scheme the scheme, lower case
 * @param body what follows {@code scheme:} up to {@code ?} (e.g. {@code agents} or {@code
 *     //host:6379/0})
 * @param params the query parameters, decoded, in order
 */
public record StmUri(String text, String scheme, String body, Map<String, String> params) {
  /** Copies the parameters. */
  public StmUri {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  /**
   * Parses {@code text}.
   *
   * @param text the URI's text
   * @return the parsed URI
   * @throws InvalidUriException if it has no scheme or a malformed query
   */
  public static StmUri parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidUriException("memory URI is null or blank: uri=" + text);
    }
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new InvalidUriException(
          "memory URI has no scheme (e.g. shm:, redis://, mem:): uri=" + text);
    }
    String scheme = text.substring(0, colon).toLowerCase(Locale.ROOT);
    for (int i = 0; i < scheme.length(); i++) {
      char c = scheme.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
        throw new InvalidUriException("invalid scheme=" + scheme + ": uri=" + text);
      }
    }
    String rest = text.substring(colon + 1);
    int q = rest.indexOf('?');
    String body = q < 0 ? rest : rest.substring(0, q);
    Map<String, String> params = new LinkedHashMap<>();
    if (q >= 0 && q + 1 < rest.length()) {
      for (String pair : rest.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new InvalidUriException(
              "query parameter needs name=value: parameter=" + pair + " uri=" + text);
        }
        try {
          params.put(
              URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new InvalidUriException(
              "malformed escape in parameter=" + pair + ": uri=" + text, e);
        }
      }
    }
    return new StmUri(text, scheme, body, params);
  }

  /**
   * {@return the parameter {@code name}, or {@code defaultValue}}
   *
   * @param name the parameter's name
   * @param defaultValue the value if it is absent
   */
  public @Nullable String param(String name, @Nullable String defaultValue) {
    return params.getOrDefault(name, defaultValue);
  }

  /**
   * {@return a size parameter ({@code 1048576}, {@code 64k}, {@code 256m}, {@code 2g}), or {@code
   * defaultValue}}
   *
   * @param name the parameter's name
   * @param defaultValue the value if it is absent
   * @throws InvalidUriException naming it if malformed
   */
  public long sizeParam(String name, long defaultValue) {
    String v = params.get(name);
    if (v == null) {
      return defaultValue;
    }
    long n = io.depot.ByteSize.tryParse(v);
    if (n < 0) {
      throw new InvalidUriException(
          "not a size: " + name + "=" + v + " (e.g. 1048576, 64k, 256m, 1g): uri=" + text);
    }
    return n;
  }

  /**
   * {@return a duration parameter ({@code 500ms}, {@code 30s}, {@code 15m}, {@code 2h}, {@code 1d},
   * ISO-8601 {@code PT30M}, or {@code 0}), or null}
   *
   * @param name the parameter's name
   * @throws InvalidUriException naming it if malformed
   */
  public @Nullable Duration durationParam(String name) {
    String v = params.get(name);
    if (v == null) {
      return null;
    }
    String s = v.trim().toLowerCase(Locale.ROOT);
    try {
      if (s.equals("0")) {
        return Duration.ZERO;
      }
      if (s.startsWith("p")) {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      }
      if (s.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2)));
      }
      long n = Long.parseLong(s.substring(0, s.length() - 1));
      return switch (s.charAt(s.length() - 1)) {
        case 's' -> Duration.ofSeconds(n);
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> throw new NumberFormatException("no unit");
      };
    } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
      throw new InvalidUriException(
          "not a duration: " + name + "=" + v + " (e.g. 500ms, 30s, 15m, 2h, PT1H): uri=" + text,
          e);
    }
  }

  /**
   * {@link #text()} with any password in the authority replaced by {@code ***}.
   *
   * @return the text, redacted
   */
  public String redacted() {
    return redact(text);
  }

  /**
   * {@code uri} with any password in the authority ({@code //user:password@} or {@code
   * //password@}) hidden.
   *
   * @param uri a URI's text
   * @return the text, redacted
   */
  public static String redact(String uri) {
    int start = uri.indexOf("//");
    if (start < 0) {
      return uri;
    }
    int at = uri.indexOf('@', start);
    int slash = uri.indexOf('/', start + 2);
    if (at < 0 || (slash >= 0 && slash < at)) {
      return uri;
    }
    String userInfo = uri.substring(start + 2, at);
    int colon = userInfo.indexOf(':');
    String shown = colon >= 0 ? userInfo.substring(0, colon) + ":***" : "***";
    return uri.substring(0, start + 2) + shown + uri.substring(at);
  }
}
