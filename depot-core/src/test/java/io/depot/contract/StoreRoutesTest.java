package io.depot.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.InvalidArgumentException;
import io.depot.ObjectStore;
import io.depot.StoreNotFoundException;
import io.depot.TestStores;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Depot#open(URI)} routes by scheme: {@code shm:} (the default, with {@code dir}), unknown
 * schemes refused.
 */
class StoreRoutesTest {
  @TempDir Path dir;

  @Test
  void shmUrisOpenTheSharedMemoryStoreInTheirDirectory() {
    String name = TestStores.uniqueName("routes");
    URI uri = URI.create("shm:" + name + "?dir=" + dir);
    DepotOptions small = TestStores.small().build();
    try (ObjectStore s = Depot.openOrCreate(uri, small)) {
      Depot d = assertInstanceOf(Depot.class, s);
      assertEquals(dir.resolve(name + ".depot"), d.path());
      assertTrue(Files.exists(d.path()));
      s.put("x", "routed");
    }
    try (ObjectStore s = Depot.open(uri)) {
      assertEquals("routed", s.getString("x"));
    }
    assertThrows(
        StoreNotFoundException.class, () -> Depot.open(URI.create("shm:absent-store?dir=" + dir)));
  }

  @Test
  void aUriWithoutASchemeIsASharedMemoryStoreName() {
    String name = TestStores.uniqueName("bare");
    try (ObjectStore s = Depot.openOrCreate(URI.create(name), TestStores.small().build())) {
      assertInstanceOf(Depot.class, s);
      assertEquals(name, s.name());
    } finally {
      Depot.destroy(name, DepotOptions.defaults());
    }
  }

  @Test
  void unknownSchemesAndParametersAreNamed() {
    InvalidArgumentException e =
        assertThrows(
            InvalidArgumentException.class, () -> Depot.open(URI.create("nosuch://host/x")));
    assertTrue(e.getMessage().contains("scheme=nosuch"), e.getMessage());
    e =
        assertThrows(
            InvalidArgumentException.class, () -> Depot.open(URI.create("shm:x?colour=red")));
    assertTrue(e.getMessage().contains("colour"), e.getMessage());
    assertThrows(InvalidArgumentException.class, () -> Depot.open(URI.create("shm:///")));
  }
}
