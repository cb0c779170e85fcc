package io.depot;

import static org.junit.jupiter.api.Assertions.*;

import io.depot.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Resource limits and permissions: each a specific exception at the right moment, never a crash
 * later.
 */
class LimitsTest extends StoreExtension {

  /**
   * Mounts a tmpfs of {@code megabytes} at a temp directory; null if this machine does not allow
   * it.
   */
  private static Path smallTmpfs(int megabytes) throws Exception {
    Path dir = Files.createTempDirectory("depot-tmpfs");
    Process p =
        new ProcessBuilder(
                "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", dir.toString())
            .redirectErrorStream(true)
            .start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      Files.delete(dir);
      return null;
    }
    return dir;
  }

  private static void unmount(Path dir) throws Exception {
    new ProcessBuilder("umount", dir.toString()).start().waitFor(30, TimeUnit.SECONDS);
    Files.deleteIfExists(dir);
  }

  @Test
  void queueSpinTimeIsBounded() {
    var e =
        assertThrows(
            InvalidArgumentException.class, () -> DepotOptions.builder().queueSpinNanos(-1));
    assertTrue(e.getMessage().contains("queueSpinNanos=-1"), e.getMessage());
    assertThrows(
        InvalidArgumentException.class,
        () -> DepotOptions.builder().queueSpinNanos(2_000_000_000L));
    assertEquals(0, DepotOptions.builder().queueSpinNanos(0).build().queueSpinNanos());
    assertEquals(DepotOptions.DEFAULT_QUEUE_SPIN_NANOS, DepotOptions.defaults().queueSpinNanos());
  }

  @Test
  void tooSmallFileSystemFailsAtCreate() throws Exception {
    Path tmpfs = smallTmpfs(8);
    if (tmpfs == null) {
      // no mount permission: ask /dev/shm for more than it has free
      long free = Files.getFileStore(DepotOptions.DEFAULT_DIRECTORY).getUsableSpace();
      DepotOptions huge =
          DepotOptions.builder().capacity(Math.min(DepotOptions.MAX_CAPACITY, free * 2)).build();
      StoreFullException e =
          assertThrows(
              StoreFullException.class, () -> Depot.create(TestStores.uniqueName("huge"), huge));
      assertTrue(e.getMessage().contains("free="), e.getMessage());
      return;
    }
    try {
      DepotOptions big = DepotOptions.builder().directory(tmpfs).capacity(16L << 20).build();
      StoreFullException e = assertThrows(StoreFullException.class, () -> Depot.create("big", big));
      assertTrue(
          e.getMessage().contains("free=") && e.getMessage().contains(tmpfs.toString()),
          e.getMessage());
      try (var files = Files.list(tmpfs)) {
        assertEquals(List.of(), files.toList(), "a failed create leaves no file behind");
      }
      // a store that fits has all its pages reserved: filling it completely is an exception, never
      // a SIGBUS
      DepotOptions fits = DepotOptions.builder().directory(tmpfs).capacity(4L << 20).build();
      try (Depot d = Depot.create("fits", fits)) {
        // the rest of the file system is taken by someone else
        Files.write(tmpfs.resolve("filler"), new byte[0]);
        try {
          Files.write(tmpfs.resolve("filler"), new byte[6 << 20]);
        } catch (IOException full) {
          // expected: the tmpfs is now full
        }
        StoreFullException full =
            assertThrows(
                StoreFullException.class,
                () -> {
                  for (int k = 0; ; k++) {
                    d.put("x" + k, new byte[100_000]);
                  }
                });
        assertTrue(full.getMessage().contains("requested="), full.getMessage());
        assertTrue(d.check().consistent());
      }
    } finally {
      unmount(tmpfs);
    }
  }

  /** Child for the permission test: tries to open the store and prints the exception class. */
  public static final class OpenAsOtherUser {
    private OpenAsOtherUser() {}

    public static void main(String[] args) {
      try (Depot d =
          Depot.open(args[0], DepotOptions.builder().directory(Path.of(args[1])).build())) {
        System.out.println("OPENED " + d.name());
      } catch (DepotException e) {
        System.out.println("DENIED " + e.getClass().getSimpleName() + " " + e.getMessage());
      }
    }
  }

  @Test
  void anotherUserIsDeniedOwnerOnlyStores() throws Exception {
    Depot d = newStore();
    if (!"root".equals(System.getProperty("user.name"))) {
      // not root: deny ourselves by permissions, which a non-root process cannot bypass
      String name = d.name();
      d.close();
      Files.setPosixFilePermissions(d.path(), java.util.Set.of());
      try {
        StoreAccessException e =
            assertThrows(StoreAccessException.class, () -> Depot.open(name, options));
        assertTrue(
            e.getMessage().contains("permission denied") && e.getMessage().contains(name),
            e.getMessage());
      } finally {
        Files.setPosixFilePermissions(
            d.path(),
            java.util.Set.of(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                java.nio.file.attribute.PosixFilePermission.OWNER_WRITE));
      }
      return;
    }
    // root: run a child JVM as user nobody; it may read the JDK and a copy of the classes, not the
    // 0600 store
    Path classes = Files.createTempDirectory("depot-classes");
    try {
      for (String dir : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir);
        if (Files.isDirectory(p) && (p.endsWith("classes") || p.endsWith("test-classes"))) {
          copyTree(p, classes);
        }
      }
      copyTree(
          Path.of(ChildJvm.class.getProtectionDomain().getCodeSource().getLocation().toURI()),
          classes);
      try (Stream<Path> all = Files.walk(classes)) {
        all.forEach(f -> f.toFile().setReadable(true, false));
      }
      try (Stream<Path> all = Files.walk(classes)) {
        all.filter(Files::isDirectory).forEach(f -> f.toFile().setExecutable(true, false));
      }
      classes.toFile().setExecutable(true, false);
      Process p =
          new ProcessBuilder(
                  "setpriv",
                  "--reuid=65534",
                  "--regid=65534",
                  "--clear-groups",
                  ChildJvm.javaBinary().toString(),
                  "--enable-native-access=ALL-UNNAMED",
                  "-cp",
                  classes.toString(),
                  OpenAsOtherUser.class.getName(),
                  d.name(),
                  d.path().getParent().toString())
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(60, TimeUnit.SECONDS));
      assertTrue(
          out.contains("DENIED StoreAccessException") && out.contains("permission denied"), out);
    } finally {
      try (var files = Files.walk(classes)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (Files.isRegularFile(from)) {
      try (var fs = java.nio.file.FileSystems.newFileSystem(from)) {
        copyTree(fs.getPath("/"), to);
      }
      return;
    }
    try (var files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else if (!Files.exists(target)) {
          Files.copy(f, target);
        }
      }
    }
  }
}
