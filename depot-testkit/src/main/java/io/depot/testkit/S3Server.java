package io.depot.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;

/**
 * A real S3-compatible server (S3Proxy over a jclouds file-system blob store in a temporary
 * directory) running in this JVM on a free loopback port, for tests and benchmarks. It speaks the
 * S3 REST API with AWS signature v2/v4 checked against {@link #accessKey()} and {@link
 * #secretKey()}; blobs live on disk, not on the heap. Always close it: close stops the server and
 * deletes the directory.
 */
public final class S3Server implements AutoCloseable {
  /** The access key id the server accepts. */
  public static final String ACCESS_KEY = "depot-test-access-key";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "depot-test-secret-key";

  /** The region clients should sign for (the server accepts any). */
  public static final String REGION = "us-east-1";

  private final S3Proxy proxy;
  private final BlobStoreContext context;
  private final Path directory;
  private final URI endpoint;
  private boolean closed;

  private S3Server(S3Proxy proxy, BlobStoreContext context, Path directory) {
    this.proxy = proxy;
    this.context = context;
    this.directory = directory;
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /**
   * Starts a server on {@code 127.0.0.1} and a free port, with an empty blob store in a new
   * temporary directory.
   *
   * @throws IllegalStateException if it cannot start
   */
  public static S3Server start() {
    Path dir = null;
    BlobStoreContext context = null;
    try {
      dir = Files.createTempDirectory("depot-s3server-");
      Properties props = new Properties();
      props.setProperty("jclouds.filesystem.basedir", dir.toString());
      context =
          ContextBuilder.newBuilder("filesystem")
              .credentials(ACCESS_KEY, SECRET_KEY)
              .overrides(props)
              .build(BlobStoreContext.class);
      S3Proxy proxy =
          S3Proxy.builder()
              .blobStore(context.getBlobStore())
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
              .build();
      proxy.start();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          proxy.stop();
          throw new IllegalStateException(
              "S3Proxy did not start within 30 s: state=" + proxy.getState());
        }
        Thread.sleep(5);
      }
      return new S3Server(proxy, context, dir);
    } catch (Exception e) {
      if (context != null) {
        context.close();
      }
      if (dir != null) {
        deleteTree(dir);
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw e instanceof IllegalStateException ise
          ? ise
          : new IllegalStateException("cannot start S3Proxy", e);
    }
  }

  /** The HTTP endpoint, {@code http://127.0.0.1:<port>}; use path-style addressing. */
  public URI endpoint() {
    return endpoint;
  }

  /** The port the server listens on. */
  public int port() {
    return proxy.getPort();
  }

  public String accessKey() {
    return ACCESS_KEY;
  }

  public String secretKey() {
    return SECRET_KEY;
  }

  public String region() {
    return REGION;
  }

  /** The directory holding the buckets (one sub-directory per bucket). */
  public Path directory() {
    return directory;
  }

  /**
   * Creates a bucket (directly in the blob store, without the S3 API).
   *
   * @return whether it was created (false if it existed)
   */
  public boolean createBucket(String bucket) {
    return context.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Stops the server and deletes its directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop S3Proxy on port=" + endpoint.getPort(), e);
    } finally {
      context.close();
      deleteTree(directory);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.delete(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  @Override
  public String toString() {
    return "S3Server[" + endpoint + ", dir=" + directory + "]";
  }
}
