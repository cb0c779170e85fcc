package io.depot.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * What a Lettuce failure means, for the object store, the short-term memory and the storage
 * provider, each of which turns it into an exception of its own API: the credentials refused, the
 * server unreachable, a key of another type, a value too large, the server out of memory, another
 * Redis error, or no Redis failure at all. The detail is the messages of the cause chain, which
 * never hold the password.
 *
 * @param kind what went wrong
 * @param cause the failure, with futures' wrappers taken off
 * @param detail the messages of the cause chain, joined by {@code ": "}
 */
public record RedisFailure(Kind kind, Throwable cause, String detail) {
  /** The kinds of failure. */
  public enum Kind {
    /** WRONGPASS, NOAUTH, NOPERM and the like. */
    AUTHENTICATION,
    /** No connection, connection lost, a command timed out. */
    UNREACHABLE,
    /** WRONGTYPE: a key of another type where a Depot key was expected. */
    WRONG_TYPE,
    /** The server refused a value as larger than it accepts (proto-max-bulk-len). */
    TOO_LARGE,
    /** OOM: maxmemory reached. */
    OUT_OF_MEMORY,
    /** Any other error reply or client failure of Lettuce. */
    REDIS_ERROR,
    /** Not a failure of Lettuce or Redis. */
    OTHER
  }

  /**
   * Classifies {@code failure}.
   *
   * @param failure what a Lettuce call threw (possibly wrapped in a completion or execution
   *     exception)
   * @return its classification
   */
  public static RedisFailure of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    String detail = messages(t);
    String upper = detail.toUpperCase(Locale.ROOT);
    Kind kind;
    if (!(t instanceof RedisException)) {
      kind = Kind.OTHER;
    } else if (upper.contains("WRONGPASS")
        || upper.contains("NOAUTH")
        || upper.contains("NOPERM")
        || upper.contains("INVALID PASSWORD")
        || upper.contains("AUTH FAILED")
        || upper.contains("INVALID USERNAME-PASSWORD")) {
      kind = Kind.AUTHENTICATION;
    } else if (upper.contains("WRONGTYPE")) {
      kind = Kind.WRONG_TYPE;
    } else if (upper.contains("PROTO-MAX-BULK-LEN") || upper.contains("STRING EXCEEDS MAXIMUM")) {
      kind = Kind.TOO_LARGE;
    } else if (upper.startsWith("OOM") || upper.contains(": OOM ")) {
      kind = Kind.OUT_OF_MEMORY;
    } else if (t instanceof RedisConnectionException
        || t instanceof RedisCommandTimeoutException
        || upper.contains("NOT CONNECTED")
        || upper.contains("CONNECTION CLOSED")
        || upper.contains("CONNECTION REFUSED")
        || upper.contains("UNABLE TO CONNECT")) {
      kind = Kind.UNREACHABLE;
    } else {
      kind = Kind.REDIS_ERROR;
    }
    return new RedisFailure(kind, t, detail);
  }

  /** The distinct messages of {@code e}'s cause chain, joined by {@code ": "}. */
  @SuppressWarnings(
      "ReferenceEquality") // a cause that is the exception itself ends the chain: identity is meant
  static String messages(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && sb.indexOf(t.getMessage()) < 0) {
        if (!sb.isEmpty()) {
          sb.append(": ");
        }
        sb.append(t.getMessage());
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return sb.toString();
  }
}
