package io.depot.storage.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.depot.InvalidArgumentException;
import io.depot.storage.IntegrityException;
import io.depot.storage.MalformedBlobUriException;
import io.depot.storage.ScopeViolationException;
import io.depot.storage.contract.TestData;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpiTest {
  private static final String HEX = TestData.sha256(new byte[] {1, 2, 3});

  @Test
  void layoutsParseAndBuildCanonicalUris() {
    BlobLayout shm = BlobLayout.of(URI.create("shm://store/tenant"), 0, true);
    assertEquals(URI.create("shm://store/tenant/"), shm.base());
    BlobRef c = shm.content(HEX);
    assertEquals(URI.create("shm://store/tenant/sha256/" + HEX), c.uri());
    assertEquals("/tenant/sha256/" + HEX, c.path());
    assertEquals(c, shm.parse(c.uri()));
    BlobRef child = shm.parse(URI.create("shm://store/tenant/wf/keys/a/sha256/b"));
    assertFalse(child.contentAddressed());
    assertEquals("a/sha256/b", child.name(), "only the first marker segment counts");
    assertEquals("wf/", child.scopePath());
    assertEquals("wf/keys/a/sha256/b", child.relativeName());
    assertEquals(Optional.of(child), shm.fromPath("/tenant/wf/keys/a/sha256/b"));
    assertEquals(Optional.empty(), shm.fromPath("/tenant/.tmp/x"));
    assertEquals(Optional.empty(), shm.fromPath("/other/sha256/" + HEX));
  }

  @Test
  void shardedLayoutsCheckTheShards() {
    BlobLayout file = BlobLayout.of(URI.create("file:///data/My%20Files/depot/"), 2, false);
    BlobRef c = file.content(HEX);
    assertEquals(
        "/data/My Files/depot/sha256/"
            + HEX.substring(0, 2)
            + "/"
            + HEX.substring(2, 4)
            + "/"
            + HEX,
        c.path());
    assertEquals("sha256/" + HEX, c.relativeName(), "names are never sharded");
    assertEquals(c, file.parse(c.uri()));
    assertThrows(
        MalformedBlobUriException.class,
        () -> file.parse(URI.create("file:///data/My%20Files/depot/sha256/00/00/" + HEX)));
    assertThrows(
        MalformedBlobUriException.class,
        () -> file.parse(URI.create("file:///data/My%20Files/depot/sha256/" + HEX)));
  }

  @Test
  void userInfoNeverReachesBlobUris() {
    BlobLayout redis = BlobLayout.of(URI.create("redis://user:secret@127.0.0.1:6379/0/"), 0, true);
    assertEquals(URI.create("redis://127.0.0.1:6379/0/"), redis.base());
    assertTrue(redis.inScope(URI.create("redis://other:pw@127.0.0.1:6379/0/sha256/" + HEX)));
    assertFalse(redis.inScope(URI.create("redis://127.0.0.1:6380/0/sha256/" + HEX)));
  }

  @Test
  void traversalIsAScopeViolation() {
    BlobLayout mem = BlobLayout.of(URI.create("mem://s/a/"), 0, true);
    for (String bad :
        new String[] {
          "mem://s/a/../b/sha256/" + HEX,
          "mem://s/a/%2E%2E/b/sha256/" + HEX,
          "mem://s/a/./sha256/" + HEX,
          "mem://s/b/sha256/" + HEX,
          "MEM://t/a/sha256/" + HEX
        }) {
      assertThrows(ScopeViolationException.class, () -> mem.parse(URI.create(bad)), bad);
    }
    assertTrue(mem.inScope(URI.create("MEM://s/a/sha256/" + HEX)), "schemes are case-insensitive");
    assertThrows(
        MalformedBlobUriException.class, () -> BlobLayout.of(URI.create("mem://s/keys/"), 0, true));
    assertThrows(
        MalformedBlobUriException.class, () -> BlobLayout.of(URI.create("mem:opaque"), 0, true));
  }

  @Test
  void trailersRoundTripAndDetectDamage() {
    URI uri = URI.create("mem://s/sha256/" + HEX);
    BlobTrailer t = new BlobTrailer(3, Instant.ofEpochMilli(1234), Sha256.unhex(HEX), "text/plain");
    byte[] value = new byte[3 + t.length()];
    value[0] = 1;
    value[1] = 2;
    value[2] = 3;
    System.arraycopy(t.encode(), 0, value, 3, t.length());
    assertEquals(t, BlobTrailer.decodeFrom(value, uri));
    assertEquals(68 + "text/plain".length(), t.length());
    for (int i = 3; i < value.length; i++) {
      byte[] damaged = value.clone();
      damaged[i] ^= 0x40;
      int at = i;
      assertThrows(
          IntegrityException.class, () -> BlobTrailer.decodeFrom(damaged, uri), "byte " + at);
    }
    assertThrows(IntegrityException.class, () -> BlobTrailer.decodeFrom(new byte[10], uri));
    assertThrows(IntegrityException.class, () -> t.checkName(Sha256.of(new byte[0]), uri));
  }

  @Test
  void optionsAreTypedAndUnknownOnesRefused() {
    URI base = URI.create("mem://s/");
    ProviderOptions o =
        new ProviderOptions(
            Map.of("capacity", "64m", "fsync", "false", "n", "12"),
            base,
            Set.of("capacity", "fsync", "n"));
    assertEquals(64L << 20, o.size("capacity", 0, 0, Long.MAX_VALUE));
    assertFalse(o.bool("fsync", true));
    assertEquals(12, o.integer("n", 0, 0, 100));
    assertEquals(7, o.size("absent", 7, 0, 10));
    assertThrows(
        InvalidArgumentException.class,
        () -> new ProviderOptions(Map.of("capcity", "1"), base, Set.of()));
    assertThrows(InvalidArgumentException.class, () -> o.integer("n", 0, 0, 10));
    assertEquals(1L << 30, io.depot.ByteSize.tryParse("1GiB"));
    assertEquals(5L << 20, io.depot.ByteSize.tryParse("5 MB"));
    assertEquals(1024, io.depot.ByteSize.tryParse("1k"));
    assertEquals(-1, io.depot.ByteSize.tryParse("lots"));
  }

  @Test
  void segmentsHashInPlaceAndWhileCopying() {
    byte[] data = TestData.bytes(3 << 20, 1);
    byte[] copy = new byte[data.length];
    assertArrayEquals(
        Sha256.of(data), Sha256.copyAndDigest(java.lang.foreign.MemorySegment.ofArray(data), copy));
    assertArrayEquals(data, copy);
    assertArrayEquals(Sha256.of(data), Sha256.of(java.lang.foreign.MemorySegment.ofArray(data)));
  }
}
