package io.depot.redis.storage;

import io.depot.redis.RedisFailure;
import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.StorageException;
import io.depot.storage.StorageFullException;
import java.net.URI;

/** Maps Lettuce failures to storage exceptions naming the URI (never the password). */
final class RedisErrors {
  private RedisErrors() {}

  static StorageException map(String what, URI uri, Throwable e) {
    RedisFailure f = RedisFailure.of(e);
    Throwable t = f.cause();
    if (t instanceof StorageException se) {
      return se;
    }
    String detail = f.detail();
    return switch (f.kind()) {
      case AUTHENTICATION ->
          new BackendAccessDeniedException(
              what + ": redis refused the credentials: " + detail, uri, t);
      case OUT_OF_MEMORY ->
          new StorageFullException(
              what + ": redis is out of memory (maxmemory): " + detail, uri, t);
      case UNREACHABLE ->
          new BackendUnavailableException(what + ": cannot reach redis: " + detail, uri, t);
      case WRONG_TYPE, TOO_LARGE, REDIS_ERROR ->
          new BackendUnavailableException(what + ": redis error: " + detail, uri, t);
      case OTHER -> new StorageException(what + ": " + t, uri, t);
    };
  }
}
