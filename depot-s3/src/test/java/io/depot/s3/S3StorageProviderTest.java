package io.depot.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.storage.AsyncStorageProvider;
import io.depot.storage.BackendAccessDeniedException;
import io.depot.storage.BackendUnavailableException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.IntegrityException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.StoreOptions;
import io.depot.storage.contract.StorageProviderContract;
import io.depot.storage.contract.TestData;
import io.depot.testkit.S3Server;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * The contract against a real S3-compatible server (S3Proxy on loopback), plus S3-specific
 * behaviour.
 */
class S3StorageProviderTest extends StorageProviderContract {
  private static final String BUCKET = "depot-contract";
  private S3Server server;
  private S3Client raw;

  @Override
  protected boolean expectsAsync() {
    return true;
  }

  @Override
  protected StorageProvider openProvider() {
    server = S3Server.start();
    server.createBucket(BUCKET);
    raw =
        S3Client.builder()
            .endpointOverride(server.endpoint())
            .forcePathStyle(true)
            .region(Region.of(server.region()))
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(server.accessKey(), server.secretKey())))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .build();
    return StorageProviders.provider(
        URI.create("s3://" + BUCKET + "/contract/"), options(Map.of()));
  }

  private Map<String, String> options(Map<String, String> extra) {
    Map<String, String> o =
        new HashMap<>(
            Map.of(
                "endpoint",
                server.endpoint().toString(),
                "access-key-id",
                server.accessKey(),
                "secret-access-key",
                server.secretKey(),
                "part-size",
                "5m"));
    o.putAll(extra);
    return o;
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    Map<String, String> config = new HashMap<>();
    config.put(StorageProviders.STORE, storeBase.toString());
    options(Map.of()).forEach((k, v) -> config.put("depot.storage.s3." + k, v));
    return config;
  }

  @Override
  protected void tamper(URI uri) throws Exception {
    String key = uri.getPath().substring(1);
    byte[] bytes;
    GetObjectResponse r;
    try (var in = raw.getObject(b -> b.bucket(BUCKET).key(key))) {
      r = in.response();
      bytes = in.readAllBytes();
    }
    bytes[0] ^= 1;
    raw.putObject(
        b -> b.bucket(BUCKET).key(key).metadata(r.metadata()).contentType(r.contentType()),
        RequestBody.fromBytes(bytes));
  }

  @Override
  protected void cleanUp() {
    if (raw != null) {
      raw.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void objectsAreRawBytesWithMetadata() {
    byte[] data = TestData.bytes(12_345, 1);
    URI uri = p.store(data, StoreOptions.contentType("image/png"));
    String key = uri.getPath().substring(1);
    HeadObjectResponse h = raw.headObject(b -> b.bucket(BUCKET).key(key));
    assertEquals(data.length, h.contentLength());
    assertEquals("image/png", h.contentType());
    assertEquals(TestData.sha256(data), h.metadata().get("depot-sha256"));
    assertArrayEquals(data, raw.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
    assertInstanceOf(AsyncStorageProvider.class, p);
  }

  @Test
  void largeStreamsAreMultipartUploadsCopiedIntoPlace() throws Exception {
    int size = (12 << 20) + 5; // three 5 MiB parts
    byte[] data = TestData.bytes(size, 2);
    try (StorageProvider small =
        StorageProviders.provider(
            p.base(), options(Map.of("copy-threshold", "5m", "copy-part-size", "5m")))) {
      URI key =
          small.store(
              TestData.stream(size, 2, 1 << 16),
              StoreOptions.key("big").withContentType("video/mp4"));
      assertArrayEquals(data, small.load(key));
      assertEquals("video/mp4", small.info(key).contentType());
      URI content = small.store(TestData.stream(size, 2, 1 << 16), StoreOptions.DEFAULT);
      assertEquals(small.contentUri(TestData.sha256(data)), content);
      try (InputStream in = small.open(content, size - 10, 100)) {
        assertArrayEquals(java.util.Arrays.copyOfRange(data, size - 10, size), in.readAllBytes());
      }
    }
    List<String> keys =
        raw
            .listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(p.base().getPath().substring(1)))
            .contents()
            .stream()
            .map(o -> o.key())
            .filter(k -> !k.endsWith("/"))
            .toList(); // jclouds lists folders
    assertEquals(2, keys.size(), "no temporary object left: " + keys);
    assertEquals(
        List.of(),
        raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads(),
        "no upload left open");
  }

  @Test
  void failedMultipartUploadsAreAborted() {
    assertThrows(
        io.depot.storage.StorageException.class,
        () -> p.store(TestData.failingStream(20 << 20, 3, 11 << 20), StoreOptions.DEFAULT));
    assertEquals(List.of(), raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads());
    assertEquals(List.of(), p.list(""));
  }

  @Test
  void blobsOverTheLimitAreRefusedAndNothingIsStored() {
    try (StorageProvider limited =
        StorageProviders.provider(p.base(), options(Map.of("max-blob-bytes", "6m")))) {
      BlobTooLargeException e =
          assertThrows(BlobTooLargeException.class, () -> limited.store(new byte[7 << 20]));
      assertTrue(e.getMessage().contains("uri="), e.getMessage());
      assertThrows(
          BlobTooLargeException.class,
          () -> limited.store(TestData.stream(20 << 20, 4, 1 << 16), StoreOptions.DEFAULT));
    }
    assertEquals(List.of(), p.list(""));
    assertEquals(List.of(), raw.listMultipartUploads(b -> b.bucket(BUCKET)).uploads());
  }

  @Test
  void wrongCredentialsAreRefused() {
    try (StorageProvider wrong =
        StorageProviders.provider(p.base(), options(Map.of("secret-access-key", "nope")))) {
      BackendAccessDeniedException e =
          assertThrows(BackendAccessDeniedException.class, () -> wrong.store(new byte[] {1}));
      assertTrue(e.getMessage().contains("uri=" + p.base()), e.getMessage());
      assertTrue(!e.getMessage().contains("nope"), "no secret in messages");
      assertThrows(
          BackendAccessDeniedException.class,
          () -> wrong.load(p.contentUri(TestData.sha256(new byte[0]))));
    }
  }

  @Test
  void anUnreachableEndpointIsBackendUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (StorageProvider down =
        StorageProviders.provider(
            p.base(),
            options(Map.of("endpoint", "http://127.0.0.1:" + port, "max-attempts", "1")))) {
      URI uri = p.contentUri(TestData.sha256(new byte[] {7}));
      BackendUnavailableException e =
          assertThrows(BackendUnavailableException.class, () -> down.load(uri));
      assertTrue(e.getMessage().contains("uri=" + uri), e.getMessage());
      assertThrows(BackendUnavailableException.class, () -> down.store(new byte[] {7}));
    }
  }

  @Test
  void aMissingBucketIsBackendUnavailable() {
    try (StorageProvider none =
        StorageProviders.provider(URI.create("s3://no-such-bucket/"), options(Map.of()))) {
      assertThrows(BackendUnavailableException.class, () -> none.store(new byte[] {8}));
    }
    try (StorageProvider created =
        StorageProviders.provider(
            URI.create("s3://created-bucket/"), options(Map.of("create-bucket", "true")))) {
      URI uri = created.store(new byte[] {8});
      assertArrayEquals(new byte[] {8}, created.load(uri));
      assertTrue(created.delete(uri));
    }
  }

  @Test
  void keyedObjectsWithoutADigestAreNotTrusted() {
    URI uri = p.keyUri("foreign");
    raw.putObject(
        b -> b.bucket(BUCKET).key(uri.getPath().substring(1)),
        RequestBody.fromBytes(new byte[] {1, 2}));
    assertThrows(IntegrityException.class, () -> p.load(uri));
  }

  @Test
  void credentialsComeFromTheStandardChain() {
    Map<String, String> noKeys = options(Map.of());
    noKeys.remove("access-key-id");
    noKeys.remove("secret-access-key");
    String id = System.getProperty("aws.accessKeyId");
    String secret = System.getProperty("aws.secretAccessKey");
    System.setProperty("aws.accessKeyId", server.accessKey());
    System.setProperty("aws.secretAccessKey", server.secretKey());
    try (StorageProvider chained = StorageProviders.provider(p.base(), noKeys)) {
      URI uri = chained.store(new byte[] {9});
      assertArrayEquals(new byte[] {9}, chained.load(uri));
    } finally {
      restore("aws.accessKeyId", id);
      restore("aws.secretAccessKey", secret);
    }
  }

  private static void restore(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }
}
