package io.depot.redis.store;

import io.depot.InvalidArgumentException;
import io.depot.spi.ObjectStoreProvider;
import io.lettuce.core.RedisURI;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A store URI's settings: {@code redis[s]://[user:password@]host:port[/db]} and the parameters
 * {@code prefix} (default {@code depot}, 1 or more of {@code [A-Za-z0-9._-]}), {@code timeout}
 * (default 5s), {@code maxValueBytes} (default 512 MiB, Redis's largest value), {@code claimIdle}
 * (how long a popped entry whose consumer stopped heart-beating stays with it before another
 * consumer takes it over; default 5s), and {@code cluster=true} (the host is a seed node of a Redis
 * Cluster); {@code largeValues} (the base URI of a storage provider, URL-encoded, e.g. {@code
 * s3://bucket/depot/} or {@code file:///data/blobs/}) with {@code largeValueBytes} (default 1 MiB):
 * values larger than that are stored there and the object holds a reference to them.
 */
record RedisStoreOptions(
    RedisURI redisUri,
    String redacted,
    String prefix,
    Duration timeout,
    long maxValueBytes,
    Duration claimIdle,
    boolean cluster,
    @Nullable URI largeValues,
    long largeValueBytes) {
  static final long DEFAULT_LARGE_VALUE_BYTES = 1L << 20;

  static final long MAX_REDIS_VALUE = 512L << 20;

  static RedisStoreOptions parse(URI uri) {
    String redacted = redact(uri);
    Map<String, String> params = new LinkedHashMap<>(ObjectStoreProvider.parameters(uri));
    String prefix = params.getOrDefault("prefix", "depot");
    if (prefix.isEmpty() || !prefix.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidArgumentException(
          "prefix must be 1 or more of [A-Za-z0-9._-]: prefix=" + prefix + ": uri=" + redacted);
    }
    Duration timeout = duration(params, "timeout", Duration.ofSeconds(5), redacted);
    Duration claimIdle = duration(params, "claimIdle", Duration.ofSeconds(5), redacted);
    long maxValue = MAX_REDIS_VALUE;
    if (params.containsKey("maxValueBytes")) {
      try {
        maxValue = Long.parseLong(params.get("maxValueBytes"));
      } catch (NumberFormatException e) {
        maxValue = -1;
      }
      if (maxValue < 1 || maxValue > MAX_REDIS_VALUE) {
        throw new InvalidArgumentException(
            "maxValueBytes must be 1.."
                + MAX_REDIS_VALUE
                + ": maxValueBytes="
                + params.get("maxValueBytes")
                + ": uri="
                + redacted);
      }
    }
    boolean cluster = Boolean.parseBoolean(params.getOrDefault("cluster", "false"));
    URI largeValues = null;
    if (params.containsKey("largeValues")) {
      try {
        largeValues = new URI(params.get("largeValues"));
      } catch (java.net.URISyntaxException e) {
        throw new InvalidArgumentException(
            "largeValues is not a URI: largeValues="
                + params.get("largeValues")
                + ": uri="
                + redacted,
            e);
      }
    }
    long largeValueBytes = DEFAULT_LARGE_VALUE_BYTES;
    if (params.containsKey("largeValueBytes")) {
      try {
        largeValueBytes = Long.parseLong(params.get("largeValueBytes"));
      } catch (NumberFormatException e) {
        largeValueBytes = -1;
      }
      if (largeValueBytes < 0) {
        throw new InvalidArgumentException(
            "largeValueBytes must be a byte count: largeValueBytes="
                + params.get("largeValueBytes")
                + ": uri="
                + redacted);
      }
    }
    for (String k : params.keySet()) {
      if (!k.matches(
          "prefix|timeout|claimIdle|maxValueBytes|cluster|largeValues|largeValueBytes")) {
        throw new InvalidArgumentException(
            "unknown parameter="
                + k
                + " (known: prefix, timeout, claimIdle,"
                + " maxValueBytes, cluster, largeValues, largeValueBytes): uri="
                + redacted);
      }
    }
    String base =
        uri.getScheme()
            + "://"
            + (uri.getRawAuthority() == null ? "" : uri.getRawAuthority())
            + (uri.getRawPath() == null ? "" : uri.getRawPath());
    RedisURI redisUri;
    try {
      redisUri = RedisURI.create(base);
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException(
          "invalid Redis URI (" + e.getMessage() + "): uri=" + redacted, e);
    }
    redisUri.setTimeout(timeout);
    return new RedisStoreOptions(
        redisUri,
        redacted,
        prefix,
        timeout,
        maxValue,
        claimIdle,
        cluster,
        largeValues,
        largeValueBytes);
  }

  private static Duration duration(
      Map<String, String> params, String key, Duration dflt, String redacted) {
    String v = params.get(key);
    if (v == null) {
      return dflt;
    }
    try {
      Duration d =
          v.matches("\\d+ms")
              ? Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)))
              : v.matches("\\d+s")
                  ? Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)))
                  : v.matches("\\d+m")
                      ? Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)))
                      : Duration.parse(v);
      if (d.isNegative() || d.isZero()) {
        throw new InvalidArgumentException(
            key + " must be positive: " + key + "=" + v + ": uri=" + redacted);
      }
      return d;
    } catch (RuntimeException e) {
      if (e instanceof InvalidArgumentException iae) {
        throw iae;
      }
      throw new InvalidArgumentException(
          key
              + " must be a duration such as 500ms, 5s, 1m or PT5S: "
              + key
              + "="
              + v
              + ": uri="
              + redacted,
          e);
    }
  }

  static String redact(URI uri) {
    String s = uri.toString();
    String info = uri.getRawUserInfo();
    if (info == null) {
      return s;
    }
    int colon = info.indexOf(':');
    return s.replace(info + "@", (colon < 0 ? "***" : info.substring(0, colon) + ":***") + "@");
  }
}
