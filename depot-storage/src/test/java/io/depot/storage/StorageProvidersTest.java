package io.depot.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.InvalidArgumentException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StorageProvidersTest {
  @Test
  void theBuiltInSchemesAreFoundByServiceLoader() {
    assertTrue(
        StorageProviders.schemes().containsAll(List.of("file", "mem", "shm")),
        StorageProviders.schemes().toString());
  }

  @Test
  void loadsAreRoutedToTheLongestBaseAndOtherScopesAreRefused() {
    try (StorageProviders storage =
        StorageProviders.open(
            Map.of(
                StorageProviders.STORE,
                "mem://router-test/wf-1",
                StorageProviders.READ,
                "mem://router-test/, mem://router-other/shared"))) {
      assertEquals(URI.create("mem://router-test/wf-1/"), storage.base());
      URI uri = storage.store(new byte[] {1, 2});
      assertEquals(storage.storeProvider(), storage.providerFor(uri), "the longest base wins");
      try (StorageProvider other = StorageProviders.provider(URI.create("mem://router-other/"))) {
        URI shared = other.withScope("shared").store(new byte[] {3});
        URI privateBlob = other.withScope("private").store(new byte[] {4});
        assertArrayEquals(new byte[] {3}, storage.load(shared));
        ScopeViolationException e =
            assertThrows(ScopeViolationException.class, () -> storage.load(privateBlob));
        assertTrue(e.getMessage().contains("uri=" + privateBlob), e.getMessage());
      }
      assertThrows(
          UnsupportedSchemeException.class, () -> storage.exists(URI.create("ftp://x/sha256/y")));
      assertThrows(
          MalformedBlobUriException.class, () -> storage.load(URI.create("relative/path")));
    }
  }

  @Test
  void badConfigurationsAreRefused() {
    assertThrows(InvalidArgumentException.class, () -> StorageProviders.open(Map.of()));
    assertThrows(
        InvalidArgumentException.class,
        () ->
            StorageProviders.open(
                Map.of(StorageProviders.STORE, "mem://x/", "depot.storage.bogus", "1")));
    assertThrows(
        InvalidArgumentException.class,
        () ->
            StorageProviders.open(
                Map.of(StorageProviders.STORE, "mem://x/", "depot.storage.mem.nope", "1")));
    assertThrows(
        UnsupportedSchemeException.class,
        () -> StorageProviders.open(Map.of(StorageProviders.STORE, "gopher://x/")));
    assertThrows(
        MalformedBlobUriException.class,
        () -> StorageProviders.open(Map.of(StorageProviders.STORE, "not a uri")));
    assertThrows(
        MalformedBlobUriException.class, () -> StorageProviders.provider(URI.create("mem:///")));
    assertThrows(
        MalformedBlobUriException.class,
        () -> StorageProviders.provider(URI.create("shm://bad%20name/")));
  }

  @Test
  void systemPropertiesConfigureTheStorage() {
    System.setProperty(StorageProviders.STORE, "mem://from-properties/");
    try (StorageProviders storage = StorageProviders.fromSystemProperties()) {
      assertEquals(URI.create("mem://from-properties/"), storage.base());
    } finally {
      System.clearProperty(StorageProviders.STORE);
    }
  }

  @Test
  void aClosedProviderRefusesWork() {
    StorageProvider p = StorageProviders.provider(URI.create("mem://closing/"));
    StorageProvider child = p.withScope("c");
    p.close();
    p.close();
    assertThrows(StorageException.class, () -> p.store(new byte[1]));
    assertThrows(StorageException.class, () -> child.list(""));
  }
}
