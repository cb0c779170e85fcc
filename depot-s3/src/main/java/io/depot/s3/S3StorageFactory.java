package io.depot.s3;

import io.depot.InvalidArgumentException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.StorageProvider;
import io.depot.storage.spi.BlobLayout;
import io.depot.storage.spi.ProviderOptions;
import io.depot.storage.spi.StorageProviderFactory;
import java.net.URI;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3BaseClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Opens {@code s3://<bucket>/[<prefix>/...]} providers on the AWS SDK v2. Credentials come from the
 * SDK's standard chain (system properties, environment, web identity, profile files, container and
 * instance roles) unless both static keys are given. Options:
 *
 * <ul>
 *   <li>{@code endpoint}: an S3-compatible endpoint (for example {@code http://127.0.0.1:9000});
 *       implies path-style addressing and, unless {@code region} is given, region {@code us-east-1}
 *       when the SDK's region chain finds none;
 *   <li>{@code region}: the signing region (default: the SDK's region chain);
 *   <li>{@code path-style} (true with {@code endpoint}, else false): path-style instead of
 *       virtual-host addressing;
 *   <li>{@code access-key-id}, {@code secret-access-key}: static credentials (both or neither);
 *   <li>{@code part-size} (8m, 5m..1g): the multipart upload part, the heap buffered per streaming
 *       store;
 *   <li>{@code max-blob-bytes} (5t): the largest blob accepted ({@link
 *       io.depot.storage.BlobTooLargeException} beyond, nothing stored);
 *   <li>{@code copy-threshold} (5g) and {@code copy-part-size} (1g): above the threshold the
 *       server-side copy of a streamed blob to its key is a multipart copy of such parts;
 *   <li>{@code checksums} ({@code when-supported} on AWS, {@code when-required} with {@code
 *       endpoint}): the SDK's request checksum calculation and response validation (S3-compatible
 *       servers may not support the newer checksum headers);
 *   <li>{@code max-attempts} (the SDK's default): attempts per request, retries included;
 *   <li>{@code create-bucket} (false): create the bucket when opening if it does not exist.
 * </ul>
 */
public final class S3StorageFactory implements StorageProviderFactory {
  /** The scheme. */
  public static final String SCHEME = "s3";

  private static final Set<String> OPTIONS =
      Set.of(
          "endpoint",
          "region",
          "path-style",
          "access-key-id",
          "secret-access-key",
          "part-size",
          "max-blob-bytes",
          "copy-threshold",
          "copy-part-size",
          "checksums",
          "max-attempts",
          "create-bucket");

  /** For {@link java.util.ServiceLoader}. */
  public S3StorageFactory() {}

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public StorageProvider open(URI base, Map<String, String> options) {
    ProviderOptions opts = new ProviderOptions(options, base, OPTIONS);
    BlobLayout layout = BlobLayout.of(base, 0, true);
    String bucket = layout.authority();
    if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
      throw new MalformedBlobUriException(
          "an s3: base names a bucket (3..63 of [a-z0-9.-]): s3://<bucket>/", base);
    }
    URI endpoint = opts.has("endpoint") ? URI.create(opts.string("endpoint")) : null;
    boolean pathStyle = opts.bool("path-style", endpoint != null);
    String checksums =
        opts.string("checksums", endpoint != null ? "when-required" : "when-supported");
    if (!checksums.equals("when-required") && !checksums.equals("when-supported")) {
      throw new InvalidArgumentException(
          "storage option checksums must be when-supported or when-required:"
              + " checksums="
              + checksums
              + " base="
              + base);
    }
    boolean required = checksums.equals("when-required");
    if (opts.has("access-key-id") != opts.has("secret-access-key")) {
      throw new InvalidArgumentException(
          "storage options access-key-id and secret-access-key go together: base=" + base);
    }
    AwsCredentialsProvider credentials =
        opts.has("access-key-id")
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    opts.string("access-key-id"), opts.string("secret-access-key")))
            : DefaultCredentialsProvider.builder().build();
    Region region = region(opts, endpoint);
    int maxAttempts = (int) opts.integer("max-attempts", 0, 1, 20);
    int partSize = (int) opts.size("part-size", 8L << 20, 5L << 20, 1L << 30);
    long maxBlob = opts.size("max-blob-bytes", 5L << 40, 0, 5L << 40);
    long copyThreshold = opts.size("copy-threshold", 5L << 30, 5L << 20, 5L << 30);
    long copyPart = opts.size("copy-part-size", 1L << 30, 5L << 20, 5L << 30);

    S3Client sync;
    try {
      sync =
          configure(
                  S3Client.builder().httpClientBuilder(ApacheHttpClient.builder()),
                  endpoint,
                  region,
                  credentials,
                  pathStyle,
                  required,
                  maxAttempts)
              .build();
    } catch (RuntimeException e) {
      closeQuietly(credentials);
      throw new BackendUnavailableException(
          "s3: cannot build the client: " + e.getMessage(), layout.base(), e);
    }
    S3StorageProvider.Backend backend =
        new S3StorageProvider.Backend(
            sync,
            () ->
                configure(
                        S3AsyncClient.builder()
                            .httpClientBuilder(NettyNioAsyncHttpClient.builder()),
                        endpoint,
                        region,
                        credentials,
                        pathStyle,
                        required,
                        maxAttempts)
                    .build(),
            credentials instanceof AutoCloseable c ? c : null,
            bucket,
            partSize,
            maxBlob,
            copyThreshold,
            copyPart);
    if (opts.bool("create-bucket", false)) {
      try {
        sync.headBucket(b -> b.bucket(bucket));
      } catch (RuntimeException e) {
        try {
          sync.createBucket(b -> b.bucket(bucket));
        } catch (RuntimeException create) {
          backend.close();
          throw S3Errors.map("s3: cannot create the bucket", layout.base(), create);
        }
      }
    }
    return new S3StorageProvider(layout, backend);
  }

  private static @Nullable Region region(ProviderOptions opts, @Nullable URI endpoint) {
    if (opts.has("region")) {
      return Region.of(opts.string("region"));
    }
    if (endpoint == null) {
      return null; // the client's own region chain; a missing region fails when the client is built
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (RuntimeException e) {
      return Region.US_EAST_1;
    }
  }

  private static <B extends AwsClientBuilder<B, C> & S3BaseClientBuilder<B, C>, C> B configure(
      B b,
      @Nullable URI endpoint,
      @Nullable Region region,
      AwsCredentialsProvider credentials,
      boolean pathStyle,
      boolean checksumsWhenRequired,
      int maxAttempts) {
    b.credentialsProvider(credentials).forcePathStyle(pathStyle);
    if (endpoint != null) {
      b.endpointOverride(endpoint);
    }
    if (region != null) {
      b.region(region);
    }
    if (checksumsWhenRequired) {
      b.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    if (maxAttempts > 0) {
      b.overrideConfiguration(
          ClientOverrideConfiguration.builder()
              .retryStrategy(r -> r.maxAttempts(maxAttempts))
              .build());
    }
    return b;
  }

  private static void closeQuietly(Object o) {
    if (o instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception ignored) {
        // nothing to lose
      }
    }
  }
}
