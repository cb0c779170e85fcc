package io.depot.storage.shm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.InvalidBlobKeyException;
import io.depot.storage.StorageFullException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.StoreOptions;
import io.depot.storage.contract.StorageProviderContract;
import io.depot.storage.contract.TestData;
import io.depot.testkit.ChildJvm;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShmStorageProviderTest extends StorageProviderContract {
  private static final String CAPACITY = "384m";
  private final String store =
      "storage-contract-"
          + ProcessHandle.current().pid()
          + "-"
          + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());

  @Override
  protected StorageProvider openProvider() {
    return StorageProviders.provider(
        URI.create("shm://" + store + "/"), Map.of("capacity", CAPACITY, "max-objects", "4096"));
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    return Map.of(
        StorageProviders.STORE, storeBase.toString(), "depot.storage.shm.capacity", CAPACITY);
  }

  @Override
  protected void tamper(URI uri) {
    Depot depot = ((ShmStorageProvider) p).depot();
    String name = uri.getPath().substring(1);
    byte[] bytes = depot.getBytes(name);
    bytes[0] ^= 1;
    depot.replace(name, bytes);
  }

  @Override
  protected void cleanUp() {
    Depot.destroy(store, DepotOptions.defaults());
  }

  @Test
  void blobsAreObjectsNamedByTheirPath() {
    byte[] data = TestData.bytes(1000, 1);
    URI uri = p.store(data, StoreOptions.contentType("text/csv"));
    Depot depot = ((ShmStorageProvider) p).depot();
    String name = uri.getPath().substring(1);
    assertTrue(name.endsWith("/sha256/" + TestData.sha256(data)), name);
    assertTrue(depot.contains(name));
    assertEquals(0, depot.stats().writing(), "no claim left open");
  }

  @Test
  void viewsAreZeroCopyIntoSharedMemory() {
    byte[] data = TestData.bytes(1 << 20, 2);
    URI uri = p.store(data);
    try (BlobView v = p.view(uri)) {
      assertTrue(v.segment().isNative(), "the shared mapping, not a heap copy");
      assertTrue(p.zeroCopyViews());
    }
  }

  @Test
  void streamedStoresLeaveNoSpoolChunks() {
    Depot depot = ((ShmStorageProvider) p).depot();
    long before = depot.stats().objects();
    URI uri = p.store(TestData.stream(9 << 20, 3, 1 << 16), StoreOptions.DEFAULT);
    assertEquals(before + 1, depot.stats().objects());
    assertEquals(0, depot.stats().writing());
    assertTrue(p.delete(uri));
    assertThrows(
        io.depot.storage.StorageException.class,
        () -> p.store(TestData.failingStream(9 << 20, 4, 5 << 20), StoreOptions.DEFAULT));
    assertEquals(before, depot.stats().objects());
    assertEquals(0, depot.stats().writing(), "the spool chunks of a failed store are given back");
  }

  @Test
  void blobsOverTheArenaAreRefused() {
    assertThrows(BlobTooLargeException.class, () -> p.store(new byte[400 << 20]));
    assertThrows(
        BlobTooLargeException.class,
        () -> p.store(TestData.stream(400L << 20, 5, 1 << 20), StoreOptions.DEFAULT));
    assertEquals(0, ((ShmStorageProvider) p).depot().stats().writing());
  }

  @Test
  void aFullArenaIsStorageFull() {
    List<URI> stored = new java.util.ArrayList<>();
    try {
      assertThrows(
          StorageFullException.class,
          () -> {
            for (int i = 0; i < 20; i++) {
              stored.add(p.store(TestData.bytes(32 << 20, 100 + i)));
            }
          });
    } finally {
      stored.forEach(p::delete);
    }
  }

  @Test
  void objectNamesLongerThanTheStoreAllowsAreRefused() {
    assertThrows(
        InvalidBlobKeyException.class,
        () -> p.store(new byte[1], StoreOptions.key("k".repeat(250))));
  }

  @Test
  void workerProcessesShareBlobs() throws Exception {
    byte[] data = TestData.bytes(3 << 20, 6);
    URI uri = p.store(data, StoreOptions.contentType("application/x-npy"));
    Map<String, String> config = new HashMap<>(routerConfig(root.base()));
    try (ChildJvm child =
        ChildJvm.start(
            ShmWorker.class,
            uri.toString(),
            TestData.sha256(data),
            config.get(StorageProviders.STORE))) {
      child.awaitSuccess(120, TimeUnit.SECONDS);
      String line = child.awaitLine("STORED ", 1, TimeUnit.SECONDS);
      URI fromChild = URI.create(line.substring("STORED ".length()));
      assertArrayEquals(TestData.bytes(1 << 20, 7), p.load(fromChild), "stored by another process");
      assertTrue(p.delete(fromChild));
    }
  }

  @Test
  void aWriterKilledWhileStoringDoesNotBlockTheSameBytes() throws Exception {
    byte[] data = TestData.bytes(2 << 20, 8);
    String name = p.base().getPath().substring(1) + "sha256/" + TestData.sha256(data);
    try (ChildJvm child =
        ChildJvm.start(
            ClaimingWriter.class, p.base().getAuthority(), name, Integer.toString(data.length))) {
      child.awaitLine(
          "READY",
          60,
          TimeUnit.SECONDS); // holds the blob's object in WRITE, as a store in progress does
      child.kill();
    }
    long t0 = System.nanoTime();
    URI uri = p.store(data); // the claim of the name recovers the dead writer on contact
    double ms = (System.nanoTime() - t0) / 1e6;
    System.out.printf("recovery: storing the bytes a dead writer was storing %.1f ms%n", ms);
    assertTrue(ms < 10_000, "took " + ms + " ms");
    assertArrayEquals(data, p.load(uri));
    assertEquals(0, ((ShmStorageProvider) p).depot().stats().writing());
  }

  /** A process that claims an object of the store and never commits it (killed by the test). */
  public static final class ClaimingWriter {
    private ClaimingWriter() {}

    public static void main(String[] args) throws Exception {
      Depot d = Depot.open(args[0]);
      io.depot.WriteClaim c = d.claim(args[1], Long.parseLong(args[2]) + 100);
      System.out.println("READY");
      System.out.flush();
      Thread.sleep(600_000);
      System.out.println(c);
    }
  }

  /**
   * A worker process: loads a blob by URI (checks its digest), stores another and prints its URI.
   */
  public static final class ShmWorker {
    private ShmWorker() {}

    public static void main(String[] args) {
      URI uri = URI.create(args[0]);
      try (StorageProviders storage =
          StorageProviders.open(Map.of(StorageProviders.STORE, args[2]))) {
        try (BlobView v = storage.view(uri)) {
          if (!TestData.sha256(v.segment().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
              .equals(args[1])) {
            throw new IllegalStateException("wrong bytes for uri=" + uri);
          }
        }
        if (!storage.info(uri).contentType().equals("application/x-npy")) {
          throw new IllegalStateException("wrong content type");
        }
        URI back =
            storage
                .withScope(storage.base().relativize(uri).getPath().split("/")[0])
                .store(TestData.bytes(1 << 20, 7));
        System.out.println("STORED " + back);
      }
    }
  }
}
