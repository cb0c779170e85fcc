package io.depot.storage;

import io.depot.storage.contract.TestData;
import io.depot.storage.spi.Sha256;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;

/**
 * Run in a child JVM with a small heap by the contract test: streams a generated blob larger than
 * the heap through {@code store(InputStream)} and {@code open(URI)}, checks its SHA-256, deletes it
 * and prints {@code OK <uri>}.
 *
 * <p>Arguments: {@code <size> <scope> key=value...} (a {@link StorageProviders} configuration).
 */
public final class StreamingCheck {
  private StreamingCheck() {}

  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[0]);
    String scope = args[1];
    Map<String, String> config = new HashMap<>();
    for (int i = 2; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      config.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    long heap = Runtime.getRuntime().maxMemory();
    if (heap >= size) {
      throw new IllegalStateException(
          "the heap must be smaller than the blob: maxMemory=" + heap + " size=" + size);
    }
    MessageDigest expected = Sha256.newDigest();
    try (StorageProviders root = StorageProviders.open(config)) {
      StorageProvider storage = root.withScope(scope);
      URI uri;
      try (InputStream in =
          new java.io.FilterInputStream(TestData.stream(size, 42, 1 << 20)) {
            @Override
            public int read(byte[] b, int off, int len) throws java.io.IOException {
              int n = super.read(b, off, len);
              if (n > 0) {
                expected.update(b, off, n);
              }
              return n;
            }
          }) {
        uri = storage.store(in, StoreOptions.contentType("video/mp4"));
      }
      String hex = Sha256.hex(expected.digest());
      if (!uri.equals(storage.contentUri(hex))) {
        throw new IllegalStateException("uri=" + uri + " is not the content address sha256=" + hex);
      }
      BlobInfo info = storage.info(uri);
      if (info.size() != size
          || !info.sha256().equals(hex)
          || !info.contentType().equals("video/mp4")) {
        throw new IllegalStateException("bad info " + info);
      }
      MessageDigest actual = Sha256.newDigest();
      long read = 0;
      try (InputStream in = storage.open(uri)) {
        byte[] buf = new byte[1 << 16];
        int n;
        while ((n = in.read(buf)) > 0) {
          actual.update(buf, 0, n);
          read += n;
        }
      }
      if (read != size || !Sha256.hex(actual.digest()).equals(hex)) {
        throw new IllegalStateException(
            "streamed back read=" + read + " bytes with another digest");
      }
      if (!storage.delete(uri)) {
        throw new IllegalStateException("delete returned false for uri=" + uri);
      }
      System.out.println("OK " + uri + " heap=" + heap);
    }
  }
}
