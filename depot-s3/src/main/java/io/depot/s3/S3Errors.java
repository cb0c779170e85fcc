package io.depot.s3;

import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.BlobNotFoundException;
import io.depot.storage.StorageException;
import java.net.URI;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Maps AWS SDK failures to storage exceptions naming the URI (never the credentials). */
final class S3Errors {
  private S3Errors() {}

  /** Whether {@code e} (or its cause) says the object does not exist. */
  static boolean isNotFound(Throwable e) {
    Throwable t = unwrap(e);
    return t instanceof NoSuchKeyException
        || (t instanceof S3Exception s3
            && s3.statusCode() == 404
            && !(t instanceof NoSuchBucketException)
            && !"NoSuchBucket".equals(code(s3)));
  }

  /** Whether {@code e} (or its cause) is an HTTP 416: a range starting past the object's end. */
  static boolean isRangeNotSatisfiable(Throwable e) {
    return unwrap(e) instanceof S3Exception s3 && s3.statusCode() == 416;
  }

  /** The storage exception for a failure of {@code what} on {@code uri}. */
  static StorageException map(String what, URI uri, Throwable e) {
    Throwable t = unwrap(e);
    if (t instanceof StorageException se) {
      return se;
    }
    if (isNotFound(t)) {
      return new BlobNotFoundException("no blob stored", uri);
    }
    if (t instanceof S3Exception s3) {
      String code = code(s3);
      int status = s3.statusCode();
      if (t instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
        return new BackendUnavailableException(what + ": s3: the bucket does not exist", uri, t);
      }
      if (status == 401
          || status == 403
          || "AccessDenied".equals(code)
          || "InvalidAccessKeyId".equals(code)
          || "SignatureDoesNotMatch".equals(code)) {
        return new BackendAccessDeniedException(
            what + ": s3: credentials or permission refused: status=" + status + " code=" + code,
            uri,
            t);
      }
      return new BackendUnavailableException(
          what + ": s3: status=" + status + " code=" + code, uri, t);
    }
    if (t instanceof SdkClientException sce) {
      String m = String.valueOf(sce.getMessage());
      if (m.contains("credentials")) {
        return new BackendAccessDeniedException(what + ": s3: no credentials: " + m, uri, t);
      }
      return new BackendUnavailableException(
          what + ": s3: cannot reach the endpoint: " + m, uri, t);
    }
    if (t instanceof SdkException) {
      return new BackendUnavailableException(what + ": s3: " + t.getMessage(), uri, t);
    }
    if (t instanceof RuntimeException re) {
      return new StorageException(what + ": " + re, uri, re);
    }
    return new StorageException(what + ": " + t, uri, t);
  }

  private static @Nullable String code(S3Exception e) {
    return e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
  }

  private static Throwable unwrap(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
