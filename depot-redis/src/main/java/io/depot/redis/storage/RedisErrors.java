package io.depot.redis.storage;

import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.StorageException;
import io.depot.storage.StorageFullException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps Lettuce failures to storage exceptions naming the URI (never the password). */
final class RedisErrors {
  private RedisErrors() {}

  static StorageException map(String what, URI uri, Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof StorageException se) {
      return se;
    }
    String detail = rootMessage(t);
    String upper = detail.toUpperCase(Locale.ROOT);
    if (upper.contains("WRONGPASS") || upper.contains("NOAUTH") || upper.contains("NOPERM")
        || upper.contains("INVALID PASSWORD") || upper.contains("INVALID USERNAME-PASSWORD")) {
      return new BackendAccessDeniedException(what + ": redis refused the credentials: " + detail, uri, t);
    }
    if (upper.startsWith("OOM") || upper.contains(": OOM ")) {
      return new StorageFullException(what + ": redis is out of memory (maxmemory): " + detail, uri, t);
    }
    if (t instanceof RedisConnectionException || t instanceof RedisCommandTimeoutException
        || upper.contains("NOT CONNECTED") || upper.contains("CONNECTION CLOSED")
        || upper.contains("CONNECTION REFUSED") || upper.contains("UNABLE TO CONNECT")) {
      return new BackendUnavailableException(what + ": cannot reach redis: " + detail, uri, t);
    }
    if (t instanceof RedisException) {
      return new BackendUnavailableException(what + ": redis error: " + detail, uri, t);
    }
    return new StorageException(what + ": " + t, uri, t);
  }

  private static String rootMessage(Throwable e) {
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
