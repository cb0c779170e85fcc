package io.depot.storage.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.storage.ScopeViolationException;
import io.depot.storage.StorageProvider;
import io.depot.storage.StorageProviders;
import io.depot.storage.StoreOptions;
import io.depot.storage.contract.StorageProviderContract;
import io.depot.storage.contract.TestData;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class FileStorageProviderTest extends StorageProviderContract {
  private Path dir;
  private Path outside;

  @Override
  protected StorageProvider openProvider() {
    try {
      dir = Files.createTempDirectory("depot-file-contract-");
      outside = Files.createTempDirectory("depot-file-outside-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return StorageProviders.provider(dir.toUri(), Map.of("fsync", "false"));
  }

  @Override
  protected Map<String, String> routerConfig(URI storeBase) {
    return Map.of(
        StorageProviders.STORE, storeBase.toString(), "depot.storage.file.fsync", "false");
  }

  @Override
  protected void tamper(URI uri) throws IOException {
    try (FileChannel ch =
        FileChannel.open(Path.of(uri), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer one = ByteBuffer.allocate(1);
      ch.read(one, 0);
      one.put(0, (byte) (one.get(0) ^ 1));
      ch.write(one.flip(), 0);
    }
  }

  @Override
  protected void cleanUp() throws IOException {
    for (Path d : new Path[] {dir, outside}) {
      try (Stream<Path> s = Files.walk(d)) {
        for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(x);
        }
      }
    }
  }

  @Test
  void blobsAreShardedFilesRenamedIntoPlace() throws IOException {
    byte[] data = TestData.bytes(5000, 1);
    URI uri = p.store(data);
    String hex = TestData.sha256(data);
    Path file = Path.of(uri);
    assertEquals(
        Path.of(p.base())
            .resolve("sha256")
            .resolve(hex.substring(0, 2))
            .resolve(hex.substring(2, 4))
            .resolve(hex),
        file);
    assertTrue(Files.isRegularFile(file));
    assertTrue(Files.size(file) > data.length, "bytes then a trailer");
    try (Stream<Path> temps = Files.list(Path.of(p.base()).resolve(".tmp"))) {
      assertEquals(List.of(), temps.toList(), "no temporary file left");
    }
  }

  @Test
  void symbolicLinksCannotLeadOutOfTheDirectory() throws IOException {
    Files.write(outside.resolve("secret"), TestData.bytes(100, 2));
    Path scopeDir = Path.of(p.base());
    Files.createDirectories(scopeDir.resolve("keys"));
    Files.createSymbolicLink(scopeDir.resolve("keys").resolve("escape"), outside);
    Files.createSymbolicLink(scopeDir.resolve("keys").resolve("link"), outside.resolve("secret"));
    URI viaDir = p.keyUri("escape/secret");
    URI viaFile = p.keyUri("link");
    assertThrows(ScopeViolationException.class, () -> p.load(viaDir));
    assertThrows(ScopeViolationException.class, () -> p.load(viaFile));
    assertThrows(ScopeViolationException.class, () -> p.exists(viaDir));
    assertThrows(ScopeViolationException.class, () -> p.delete(viaFile));
    assertThrows(
        ScopeViolationException.class,
        () -> p.store(new byte[10], StoreOptions.key("escape/planted")));
    assertTrue(Files.exists(outside.resolve("secret")));
    assertTrue(!Files.exists(outside.resolve("planted")), "nothing written outside");
    assertEquals(List.of(), p.list(""), "links are not listed");
    Files.delete(scopeDir.resolve("keys").resolve("escape"));
    Files.delete(scopeDir.resolve("keys").resolve("link"));
  }

  @Test
  void staleTemporaryFilesAreDeletedOnOpen() throws IOException {
    Path tmpDir = Files.createDirectories(Path.of(p.base()).resolve(".tmp"));
    Path stale = Files.write(tmpDir.resolve("stale.part"), new byte[10]);
    Path fresh = Files.write(tmpDir.resolve("fresh.part"), new byte[10]);
    Files.setLastModifiedTime(
        stale,
        FileTime.from(Instant.now().minus(FileStorageProvider.STALE_TEMP_AGE).minusSeconds(60)));
    try (StorageProvider again = StorageProviders.provider(p.base())) {
      assertTrue(!Files.exists(stale));
      assertTrue(Files.exists(fresh), "a temporary file being written is kept");
      assertEquals(List.of(), again.list(""));
    }
    Files.delete(fresh);
  }

  @Test
  void fsyncedStoresWork() {
    try (StorageProvider durable = StorageProviders.provider(p.base(), Map.of("fsync", "true"))) {
      byte[] data = TestData.bytes(70_000, 3);
      URI uri = durable.store(data);
      assertArrayEquals(data, durable.load(uri));
      assertArrayEquals(
          data, durable.load(durable.store(TestData.stream(70_000, 3, 999), StoreOptions.DEFAULT)));
    }
  }

  @Test
  void keysCannotBeBothFileAndFolder() {
    p.store(new byte[1], StoreOptions.key("a/b"));
    assertThrows(
        io.depot.storage.StorageException.class, () -> p.store(new byte[1], StoreOptions.key("a")));
    assertThrows(
        io.depot.storage.StorageException.class,
        () -> p.store(new byte[1], StoreOptions.key("a/b/c")));
  }
}
