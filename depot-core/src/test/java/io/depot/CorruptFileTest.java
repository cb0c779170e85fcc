package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;

/**
 * Files that are not stores, of another version, or truncated, are refused with a clear exception.
 */
class CorruptFileTest extends StoreExtension {

  private Path storeFile(String name) {
    return DepotOptions.DEFAULT_DIRECTORY.resolve(name + ".depot");
  }

  @Test
  void notAStore() throws IOException {
    String name = TestStores.uniqueName("notastore");
    Path p = storeFile(name);
    try {
      Files.write(p, new byte[8192]);
      CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Depot.open(name));
      assertTrue(
          e.getMessage().contains("not a Depot store") && e.getMessage().contains(p.toString()),
          e.getMessage());
      Files.write(p, "hello".getBytes(StandardCharsets.UTF_8));
      e = assertThrows(CorruptStoreException.class, () -> Depot.open(name));
      assertTrue(e.getMessage().contains("truncated"), e.getMessage());
      Files.write(p, new byte[0]);
      assertThrows(CorruptStoreException.class, () -> Depot.open(name));
    } finally {
      Files.deleteIfExists(p);
    }
  }

  @Test
  void otherLayoutVersion() throws IOException {
    Depot d = newStore();
    d.close();
    patchInt(d.path(), 8, 99);
    LayoutVersionException e =
        assertThrows(LayoutVersionException.class, () -> Depot.open(d.name()));
    assertTrue(e.getMessage().contains("version=99"), e.getMessage());
  }

  @Test
  void truncatedStore() throws IOException {
    Depot d = newStore();
    d.close();
    try (FileChannel ch = FileChannel.open(d.path(), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Depot.open(d.name()));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void inconsistentSizes() throws IOException {
    Depot d = newStore();
    d.close();
    patchLong(d.path(), 24, 123); // arena offset
    CorruptStoreException e = assertThrows(CorruptStoreException.class, () -> Depot.open(d.name()));
    assertTrue(e.getMessage().contains("arenaOffset=123"), e.getMessage());
    patchLong(d.path(), 24, 0);
    patchInt(d.path(), 48, -4); // max clients
    e = assertThrows(CorruptStoreException.class, () -> Depot.open(d.name()));
    assertTrue(e.getMessage().contains("maxClients=-4"), e.getMessage());
  }

  @Test
  void permissionDeniedIsClear() throws IOException {
    if ("root".equals(System.getProperty("user.name"))) {
      // root bypasses file permissions; the check is exercised by a non-root CI user.
      Depot d = newStore();
      assertNotNull(d);
      return;
    }
    Depot d = newStore();
    d.close();
    Files.setPosixFilePermissions(d.path(), java.util.Set.of());
    StoreAccessException e = assertThrows(StoreAccessException.class, () -> Depot.open(d.name()));
    assertTrue(e.getMessage().contains("permission denied"), e.getMessage());
  }

  static void patchInt(Path p, long offset, int value) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, value), offset);
    }
  }

  static void patchLong(Path p, long offset, long value) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value), offset);
    }
  }
}
