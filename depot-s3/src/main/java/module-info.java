/** The {@code s3:} storage provider, on the AWS SDK v2: any S3-compatible object storage. */
@SuppressWarnings("module") // "s3" ends with a digit: the service's name
module io.depot.s3 {
  requires static transitive org.jspecify; // @NullMarked and @Nullable in the API: compile-time
  // only
  requires transitive io.depot.storage;
  requires software.amazon.awssdk.services.s3;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.http.apache;
  requires software.amazon.awssdk.http.nio.netty;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.retries.api;

  exports io.depot.s3;

  provides io.depot.storage.spi.StorageProviderFactory with
      io.depot.s3.S3StorageFactory;
}
