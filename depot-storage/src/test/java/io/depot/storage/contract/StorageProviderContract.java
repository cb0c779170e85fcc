package io.depot.storage.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.storage.AsyncStorageProvider;
import io.depot.storage.BlobInfo;
import io.depot.storage.BlobNotFoundException;
import io.depot.storage.BlobTooLargeException;
import io.depot.storage.BlobView;
import io.depot.storage.IntegrityException;
import io.depot.storage.InvalidBlobKeyException;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.ScopeViolationException;
import io.depot.storage.StorageException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.StoreOptions;
import io.depot.storage.StreamingCheck;
import io.depot.storage.UnsupportedSchemeException;
import io.depot.testkit.ChildJvm;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every storage provider passes: round trips from 0 bytes to 64 MiB, streaming (a blob
 * larger than the heap of a child JVM), ranged reads, concurrent stores of the same content,
 * delete/exists/list, integrity failures on damaged blobs, scope refusals, bad input, and failed
 * stores that leave nothing behind.
 *
 * <p>A subclass opens the provider on a real backend and knows how to damage a stored blob behind
 * its back. Each test runs in a fresh sub-scope, emptied afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StorageProviderContract {
  private static final AtomicInteger SCOPES = new AtomicInteger();

  /** The root provider, opened once for the class. */
  protected StorageProvider root;

  /** This test's sub-scope of {@link #root}. */
  protected StorageProvider p;

  /** For subclasses. */
  protected StorageProviderContract() {}

  /** Opens the root provider on a real backend (called once, before all tests). */
  protected abstract StorageProvider openProvider();

  /**
   * The {@link StorageProviders} configuration of a router storing under {@code storeBase}, with
   * the options the backend needs (passed to a child JVM too).
   */
  protected abstract Map<String, String> routerConfig(URI storeBase);

  /**
   * Changes one byte of the stored blob's data behind the provider's back, keeping its recorded
   * digest.
   */
  protected abstract void tamper(URI uri) throws Exception;

  /**
   * Releases what {@link #openProvider()} needed (servers, stores, directories); the root is closed
   * before.
   */
  protected void cleanUp() throws Exception {}

  /**
   * For a provider that keeps blobs in the heap: its documented largest blob (a blob larger than
   * the heap cannot stream through it, and must be refused with {@link BlobTooLargeException}); -1
   * for other providers.
   */
  protected long heapLimit() {
    return -1;
  }

  /** Whether the provider has an async client and implements {@link AsyncStorageProvider}. */
  protected boolean expectsAsync() {
    return false;
  }

  /** The size of the streamed blob in the child JVM, whose heap is {@value #CHILD_HEAP_MIB} MiB. */
  protected long largeStreamSize() {
    return 128L << 20;
  }

  /** The heap of the child JVM of the larger-than-heap test, in MiB. */
  protected static final int CHILD_HEAP_MIB = 64;

  @BeforeAll
  void openRoot() {
    root = openProvider();
  }

  @AfterAll
  void closeRoot() throws Exception {
    try {
      if (root != null) {
        root.close();
      }
    } finally {
      cleanUp();
    }
  }

  @BeforeEach
  void newScope() {
    p =
        root.withScope(
            "t"
                + SCOPES.incrementAndGet()
                + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
  }

  @AfterEach
  void emptyScope() {
    if (p != null) {
      for (URI u : p.list("")) {
        p.delete(u);
      }
      assertEquals(List.of(), p.list(""), "scope not empty after the test");
    }
  }

  private String hexOf(byte[] data) {
    return TestData.sha256(data);
  }

  // ---------------------------------------------------------------- round trips

  @ParameterizedTest(name = "size={0}")
  @ValueSource(ints = {0, 1, 1000, (1 << 20) + 7, 64 << 20})
  void roundTripFromZeroBytesTo64MiB(int size) throws IOException {
    byte[] data = TestData.bytes(size, size);
    Instant before = Instant.now().minusSeconds(5);
    URI uri = p.store(data);
    assertEquals(p.contentUri(hexOf(data)), uri, "content address");
    assertTrue(uri.toString().startsWith(p.base().toString()), "under the base: " + uri);
    assertArrayEquals(data, p.load(uri));
    try (InputStream in = p.open(uri)) {
      assertArrayEquals(data, in.readAllBytes());
    }
    try (BlobView v = p.view(uri)) {
      assertEquals(size, v.size());
      assertEquals(uri, v.uri());
      assertTrue(MemorySegment.ofArray(data).mismatch(v.segment()) < 0, "view bytes");
      assertTrue(v.segment().isReadOnly(), "views are read-only");
    }
    BlobInfo info = p.info(uri);
    assertEquals(
        new BlobInfo(uri, size, StoreOptions.DEFAULT_CONTENT_TYPE, info.created(), hexOf(data)),
        info);
    assertTrue(
        !info.created().isBefore(before) && !info.created().isAfter(Instant.now().plusSeconds(5)),
        "created=" + info.created());
    assertTrue(p.exists(uri));
    assertEquals(List.of(uri), p.list(""));
  }

  @Test
  void sameBytesAreStoredOnce() {
    byte[] data = TestData.bytes(100_000, 1);
    URI first = p.store(data, StoreOptions.contentType("image/png"));
    Instant created = p.info(first).created();
    URI second = p.store(data.clone(), StoreOptions.contentType("image/jpeg"));
    URI third = p.store(TestData.stream(data.length, 1, 777), StoreOptions.DEFAULT);
    assertEquals(first, second);
    assertEquals(first, third);
    assertEquals(List.of(first), p.list(""));
    BlobInfo info = p.info(first);
    assertEquals("image/png", info.contentType(), "the first stored copy is kept");
    assertEquals(created, info.created());
  }

  @Test
  void storesCopyTheCallersArray() {
    byte[] data = TestData.bytes(5000, 2);
    byte[] original = data.clone();
    URI uri = p.store(data);
    Arrays.fill(data, (byte) 0);
    assertArrayEquals(original, p.load(uri));
    byte[] loaded = p.load(uri);
    loaded[0] ^= 1;
    assertArrayEquals(original, p.load(uri), "load returns a copy");
  }

  @Test
  void keysGiveReadableNamesAndReplaceAtomically() throws IOException {
    byte[] v1 = TestData.bytes(10_000, 3);
    byte[] v2 = TestData.bytes(20_000, 4);
    StoreOptions pdf = StoreOptions.key("reports/2024/q1.pdf").withContentType("application/pdf");
    URI uri = p.store(v1, pdf);
    assertEquals(p.keyUri("reports/2024/q1.pdf"), uri);
    assertTrue(uri.toString().endsWith("/keys/reports/2024/q1.pdf"), uri.toString());
    assertArrayEquals(v1, p.load(uri));
    assertEquals(uri, p.store(v2, pdf));
    assertArrayEquals(v2, p.load(uri));
    assertEquals(
        uri, p.store(TestData.stream(30_000, 5, 4096), StoreOptions.key("reports/2024/q1.pdf")));
    byte[] v3 = TestData.bytes(30_000, 5);
    assertArrayEquals(v3, p.load(uri));
    try (InputStream in = p.open(uri)) {
      assertArrayEquals(v3, in.readAllBytes());
    }
    BlobInfo info = p.info(uri);
    assertEquals(30_000, info.size());
    assertEquals(hexOf(v3), info.sha256());
    assertEquals(StoreOptions.DEFAULT_CONTENT_TYPE, info.contentType());
    URI content = p.store(v3);
    assertEquals(List.of(uri), p.list("keys/"));
    assertEquals(List.of(content), p.list("sha256/"));
  }

  @Test
  void segmentsAreStoredLikeArrays() {
    byte[] data = TestData.bytes(300_000, 6);
    URI uri =
        p.store(MemorySegment.ofArray(data).asReadOnly(), StoreOptions.contentType("text/plain"));
    assertEquals(p.contentUri(hexOf(data)), uri);
    assertArrayEquals(data, p.load(uri));
    assertEquals("text/plain", p.info(uri).contentType());
  }

  // ---------------------------------------------------------------- streaming

  @Test
  void streamedStoresMatchArrayStores() throws IOException {
    int size = (10 << 20) + 3;
    byte[] data = TestData.bytes(size, 7);
    URI streamed =
        p.store(TestData.stream(size, 7, 100_003), StoreOptions.contentType("video/mp4"));
    assertEquals(p.contentUri(hexOf(data)), streamed);
    assertArrayEquals(data, p.load(streamed));
    try (InputStream in = p.open(streamed)) {
      byte[] back = new byte[size];
      int n = 0;
      int r;
      while ((r = in.read(back, n, Math.min(65_536, size - n))) > 0) {
        n += r;
      }
      assertEquals(size, n);
      assertEquals(-1, in.read());
      assertArrayEquals(data, back);
    }
    assertEquals("video/mp4", p.info(streamed).contentType());
  }

  @Test
  void emptyStreamsAreBlobsToo() {
    URI uri = p.store(InputStream.nullInputStream(), StoreOptions.DEFAULT);
    assertEquals(p.contentUri(hexOf(new byte[0])), uri);
    assertArrayEquals(new byte[0], p.load(uri));
    assertEquals(0, p.info(uri).size());
  }

  @Test
  void blobsLargerThanTheHeapStreamThrough() throws Exception {
    if (heapLimit() >= 0) {
      // a heap-backed provider refuses what it cannot hold, with a specific exception, instead of
      // running out
      BlobTooLargeException e =
          assertThrows(
              BlobTooLargeException.class,
              () -> p.store(TestData.stream(heapLimit() + 1, 31, 1 << 16), StoreOptions.DEFAULT));
      assertTrue(e.getMessage().contains(Long.toString(heapLimit())), e.getMessage());
      return;
    }
    long size = largeStreamSize();
    String scope =
        p.base().toString().substring(root.base().toString().length()).replaceAll("/$", "");
    List<String> args = new ArrayList<>(List.of(Long.toString(size), scope));
    routerConfig(root.base()).forEach((k, v) -> args.add(k + "=" + v));
    try (ChildJvm child =
        ChildJvm.start(
            List.of("-Xmx" + CHILD_HEAP_MIB + "m"),
            StreamingCheck.class,
            args.toArray(String[]::new))) {
      child.awaitSuccess(240, TimeUnit.SECONDS);
      assertTrue(
          child.output().stream().anyMatch(l -> l.startsWith("OK " + p.base())),
          child.output().toString());
    }
  }

  // ---------------------------------------------------------------- ranges

  @Test
  void rangedReadsAreClippedToTheBlob() throws IOException {
    int size = 3 << 20;
    byte[] data = TestData.bytes(size, 8);
    URI uri = p.store(data);
    assertRange(data, uri, 0, 10);
    assertRange(data, uri, 5, 1000);
    assertRange(data, uri, 1 << 20, 1 << 20);
    assertRange(data, uri, size - 5, 100);
    assertRange(data, uri, 0, size);
    assertRange(data, uri, 17, 0);
    assertRange(data, uri, size, 10);
    assertRange(data, uri, size + 100L, 10);
    assertRange(data, uri, 0, Long.MAX_VALUE);
    assertThrows(IllegalArgumentException.class, () -> p.open(uri, -1, 10));
    assertThrows(IllegalArgumentException.class, () -> p.open(uri, 0, -1));
    URI missing = p.contentUri(hexOf(new byte[] {1, 2, 3}));
    assertThrows(BlobNotFoundException.class, () -> p.open(missing, 0, 10).close());
  }

  private void assertRange(byte[] data, URI uri, long offset, long length) throws IOException {
    int from = (int) Math.min(offset, data.length);
    int to = (int) Math.min(data.length, from + Math.min(length, data.length));
    try (InputStream in = p.open(uri, offset, length)) {
      assertArrayEquals(
          Arrays.copyOfRange(data, from, to),
          in.readAllBytes(),
          "offset=" + offset + " length=" + length);
    }
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  void concurrentStoresOfTheSameContentAreSafe() throws Exception {
    byte[] data = TestData.bytes((2 << 20) + 11, 9);
    URI expected = p.contentUri(hexOf(data));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<URI>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        boolean stream = i % 2 == 0;
        results.add(
            pool.submit(
                () ->
                    stream
                        ? p.store(TestData.stream(data.length, 9, 65_536), StoreOptions.DEFAULT)
                        : p.store(data)));
      }
      for (Future<URI> f : results) {
        assertEquals(expected, f.get(120, TimeUnit.SECONDS));
      }
      List<Future<byte[]>> loads = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        loads.add(pool.submit(() -> p.load(expected)));
      }
      for (Future<byte[]> f : loads) {
        assertArrayEquals(data, f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }
    assertEquals(List.of(expected), p.list(""));
  }

  @Test
  void concurrentReplacementsOfAKeyLeaveOneWholeValue() throws Exception {
    StoreOptions key = StoreOptions.key("state");
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      values.add(TestData.bytes(200_000 + i, 100 + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<URI>> results = new ArrayList<>();
      for (byte[] v : values) {
        results.add(pool.submit(() -> p.store(v, key)));
      }
      for (Future<URI> f : results) {
        assertEquals(p.keyUri("state"), f.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
      assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    }
    byte[] last = p.load(p.keyUri("state"));
    assertTrue(
        values.stream().anyMatch(v -> Arrays.equals(v, last)), "one of the stored values, whole");
  }

  // ---------------------------------------------------------------- delete, exists, list

  @Test
  void deleteExistsAndList() {
    URI a = p.store(TestData.bytes(10, 10));
    URI b = p.store(TestData.bytes(20, 11));
    URI k1 = p.store(TestData.bytes(30, 12), StoreOptions.key("a/one"));
    URI k2 = p.store(TestData.bytes(40, 13), StoreOptions.key("a/two"));
    URI k3 = p.store(TestData.bytes(50, 14), StoreOptions.key("b"));
    List<URI> all = new ArrayList<>(List.of(a, b, k1, k2, k3));
    all.sort(null);
    assertEquals(all, p.list(""));
    assertEquals(Set.of(a, b), Set.copyOf(p.list("sha256/")));
    assertEquals(List.of(k1, k2), p.list("keys/a/"));
    assertEquals(List.of(k1), p.list("keys/a/o"));
    assertEquals(List.of(), p.list("nothing"));
    String aHex = a.toString().substring(a.toString().length() - 64);
    assertEquals(
        List.of(a), p.list("sha256/" + aHex.substring(0, 10)), "prefixes are never sharded");

    StorageProvider child = p.withScope("child");
    URI c = child.store(TestData.bytes(60, 15));
    assertEquals(List.of(c), child.list(""));
    assertTrue(p.list("").contains(c), "a scope lists its sub-scopes' blobs");
    assertEquals(List.of(c), p.list("child/"));
    assertArrayEquals(TestData.bytes(60, 15), p.load(c), "a scope reads its sub-scopes' blobs");

    assertTrue(p.delete(k2));
    assertFalse(p.delete(k2));
    assertFalse(p.exists(k2));
    assertTrue(p.exists(k1));
    BlobNotFoundException e = assertThrows(BlobNotFoundException.class, () -> p.load(k2));
    assertTrue(e.getMessage().contains("uri=" + k2), e.getMessage());
    assertEquals(k2, e.uri());
    assertThrows(BlobNotFoundException.class, () -> p.info(k2));
    assertThrows(BlobNotFoundException.class, () -> p.open(k2).close());
    assertThrows(BlobNotFoundException.class, () -> p.view(k2).close());
    assertTrue(p.delete(a));
    assertFalse(p.list("").contains(a));
  }

  // ---------------------------------------------------------------- integrity

  @Test
  void damagedBlobsFailIntegrityChecks() throws Exception {
    byte[] data = TestData.bytes(100_000, 16);
    URI uri = p.store(data);
    URI key = p.store(data, StoreOptions.key("damaged"));
    assertArrayEquals(data, p.load(uri));
    tamper(uri);
    tamper(key);
    for (URI u : List.of(uri, key)) {
      IntegrityException e = assertThrows(IntegrityException.class, () -> p.load(u));
      assertTrue(e.getMessage().contains("uri=" + u), e.getMessage());
      assertThrows(
          IntegrityException.class,
          () -> {
            try (InputStream in = p.open(u)) {
              in.readAllBytes();
            }
          });
      assertThrows(IntegrityException.class, () -> p.view(u).close());
    }
  }

  // ---------------------------------------------------------------- scopes and bad input

  @Test
  void scopesRefuseUrisOutsideThem() {
    StorageProvider a = p.withScope("tenant-a/wf-1");
    StorageProvider b = p.withScope("tenant-b");
    URI inA = a.store(TestData.bytes(1000, 17));
    assertTrue(a.inScope(inA));
    assertFalse(b.inScope(inA));
    ScopeViolationException e = assertThrows(ScopeViolationException.class, () -> b.load(inA));
    assertTrue(e.getMessage().contains("uri=" + inA), e.getMessage());
    assertThrows(ScopeViolationException.class, () -> b.exists(inA));
    assertThrows(ScopeViolationException.class, () -> b.delete(inA));
    assertThrows(ScopeViolationException.class, () -> b.info(inA));
    assertThrows(ScopeViolationException.class, () -> b.open(inA, 0, 1));
    assertArrayEquals(TestData.bytes(1000, 17), p.load(inA), "the parent scope reads it");

    String hex = hexOf(TestData.bytes(1000, 17));
    String bBase = b.base().toString();
    for (String traversal :
        List.of(
            "../tenant-a/wf-1/sha256/",
            "x/../../tenant-a/wf-1/sha256/",
            "%2e%2e/tenant-a/wf-1/sha256/",
            "./sha256/")) {
      URI evil = URI.create(bBase + traversal + shardPrefix(hex) + hex);
      assertThrows(ScopeViolationException.class, () -> b.load(evil), evil.toString());
      assertThrows(ScopeViolationException.class, () -> p.load(evil), evil.toString());
    }
    URI otherScheme = URI.create((p.scheme().equals("mem") ? "shm" : "mem") + "://x/sha256/" + hex);
    assertThrows(ScopeViolationException.class, () -> p.load(otherScheme));
    URI base = p.base();
    URI otherAuthority =
        URI.create(
            base.getScheme()
                + "://other-"
                + Long.toHexString(System.nanoTime())
                + ".invalid"
                + base.getRawPath()
                + "sha256/"
                + shardPrefix(hex)
                + hex);
    assertThrows(ScopeViolationException.class, () -> p.load(otherAuthority));
  }

  private String shardPrefix(String hex) {
    String probe = p.contentUri(hex).toString();
    String tail = probe.substring(probe.indexOf("sha256/") + "sha256/".length());
    return tail.substring(0, tail.length() - hex.length());
  }

  @Test
  void malformedUrisAndNamesAreRefused() {
    String base = p.base().toString();
    String hex = hexOf(new byte[] {1});
    for (String bad :
        List.of(
            "sha256/abc",
            "sha256/" + hex.toUpperCase(Locale.ROOT),
            "nothing/here",
            "sha256/" + hex + "?x=1",
            "sha256/" + hex + "#frag",
            "keys/",
            "keys/a//b",
            "keys/.hidden",
            "keys/a%20b",
            "")) {
      URI uri = URI.create(base + bad);
      MalformedBlobUriException e =
          assertThrows(MalformedBlobUriException.class, () -> p.load(uri), bad);
      assertTrue(e.getMessage().contains("uri=" + uri), e.getMessage());
    }
    for (String key :
        List.of(
            "", "../x", "a/../b", ".hidden", "a//b", "a b", "a/", "/a", "ä", "x".repeat(1025))) {
      assertThrows(
          InvalidBlobKeyException.class, () -> p.store(new byte[1], StoreOptions.key(key)), key);
      assertThrows(InvalidBlobKeyException.class, () -> p.keyUri(key), key);
    }
    for (String scope : List.of("sha256", "keys", "a/keys", "..", ".x", "a//b", "")) {
      assertThrows(InvalidBlobKeyException.class, () -> p.withScope(scope), scope);
    }
    assertThrows(InvalidBlobKeyException.class, () -> StoreOptions.contentType("bad\ntype"));
    assertThrows(IllegalArgumentException.class, () -> p.contentUri("xyz"));
    assertEquals(List.of(), p.list(""), "nothing stored by refused calls");
  }

  @Test
  void aFailedStoreLeavesNothingBehind() {
    StorageException e =
        assertThrows(
            StorageException.class,
            () -> p.store(TestData.failingStream(10 << 20, 18, 3 << 20), StoreOptions.DEFAULT));
    assertInstanceOf(IOException.class, e.getCause(), String.valueOf(e));
    assertEquals(List.of(), p.list(""));
    byte[] before = TestData.bytes(1000, 19);
    URI key = p.store(before, StoreOptions.key("kept"));
    assertThrows(
        StorageException.class,
        () -> p.store(TestData.failingStream(10 << 20, 20, 1 << 20), StoreOptions.key("kept")));
    assertArrayEquals(before, p.load(key), "a failed replacement keeps the old value");
    assertEquals(List.of(key), p.list(""));
  }

  // ---------------------------------------------------------------- routing

  @Test
  void routerStoresAndLoadsByScheme() {
    Map<String, String> config = new HashMap<>(routerConfig(p.base()));
    try (StorageProviders storage = StorageProviders.open(config)) {
      byte[] data = TestData.bytes(4096, 21);
      URI uri = storage.store(data);
      assertEquals(p.contentUri(hexOf(data)), uri);
      assertArrayEquals(data, storage.load(uri));
      assertArrayEquals(data, p.load(uri), "the router's provider and this one share the backend");
      assertTrue(storage.exists(uri));
      assertEquals(List.of(uri), storage.list(""));
      assertThrows(
          UnsupportedSchemeException.class, () -> storage.load(URI.create("gopher://h/sha256/x")));
      assertThrows(
          MalformedBlobUriException.class, () -> storage.load(StorageProviders.uri("no scheme")));
      assertThrows(MalformedBlobUriException.class, () -> StorageProviders.uri("sp ace://x"));
      StorageProviders scoped = storage.withScope("wf");
      URI inner = scoped.store(data, StoreOptions.key("x"));
      assertArrayEquals(data, storage.load(inner));
      assertThrows(ScopeViolationException.class, () -> scoped.load(uri));
      assertTrue(storage.delete(inner));
      assertTrue(storage.delete(uri));
    }
  }

  // ---------------------------------------------------------------- async

  @Test
  void asyncVariantsMatchTheBlockingOnes() {
    assertEquals(
        expectsAsync(),
        p instanceof AsyncStorageProvider,
        "async variants exactly where the client is async");
    if (!expectsAsync()) {
      return;
    }
    AsyncStorageProvider a = (AsyncStorageProvider) p;
    byte[] data = TestData.bytes(500_000, 22);
    URI uri = a.storeAsync(data).join();
    assertEquals(p.contentUri(hexOf(data)), uri);
    assertArrayEquals(data, a.loadAsync(uri).join());
    assertTrue(a.existsAsync(uri).join());
    assertEquals(p.info(uri), a.infoAsync(uri).join());
    URI key = a.storeAsync(data, StoreOptions.key("async/k").withContentType("a/b")).join();
    assertEquals("a/b", a.infoAsync(key).join().contentType());
    assertTrue(a.deleteAsync(key).join());
    assertFalse(a.deleteAsync(key).join());
    CompletionException e = assertThrows(CompletionException.class, () -> a.loadAsync(key).join());
    assertInstanceOf(BlobNotFoundException.class, e.getCause());
    e =
        assertThrows(
            CompletionException.class,
            () -> a.loadAsync(URI.create(p.base() + "../x/sha256/" + hexOf(data))).join());
    assertInstanceOf(ScopeViolationException.class, e.getCause());
    assertTrue(a.deleteAsync(uri).join());
  }

  // ---------------------------------------------------------------- views

  @Test
  void viewsStayValidUntilClosedEvenIfTheBlobIsDeleted() {
    byte[] data = TestData.bytes(1 << 20, 23);
    URI uri = p.store(data);
    BlobView v = p.view(uri);
    try {
      assertTrue(p.delete(uri));
      assertNotNull(v.segment());
      assertTrue(MemorySegment.ofArray(data).mismatch(v.segment()) < 0);
      assertEquals(data[12345], v.segment().get(ValueLayout.JAVA_BYTE, 12345));
    } finally {
      v.close();
      v.close();
    }
    assertThrows(IllegalStateException.class, v::segment);
  }
}
