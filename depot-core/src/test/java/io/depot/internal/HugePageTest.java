package io.depot.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.ObjectHandle;
import io.depot.Prefault;
import io.depot.TestStores;
import io.depot.testkit.ChildJvm;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Stores are mapped at a huge-page boundary, and the pre-fault collapses the file's pages into huge
 * pages ({@code MADV_COLLAPSE}) keeping their contents, so that a process that attaches later maps
 * each 2 MiB with one fault without pre-faulting at all. The collapse needs Linux 6.1+; where the
 * kernel refuses it the tests that depend on it are skipped, and the store works on small pages.
 */
class HugePageTest {
  private static final long SIZE = 8L << 20;

  @Test
  void mapAlignedMapsTheFileAtAHugePageBoundaryAndUnmapsItWithItsArena() throws Exception {
    Path file = tmpfsFile(SIZE);
    try {
      long address;
      try (Arena arena = Arena.ofShared()) {
        MemorySegment m = Native.mapAligned(file, SIZE, StoreFile.HUGE_PAGE_SIZE, arena);
        assertNotNull(m, "mmap through the FFM linker (tests run with native access)");
        address = m.address();
        assertEquals(0, address % StoreFile.HUGE_PAGE_SIZE, Long.toHexString(address));
        assertEquals(SIZE, m.byteSize());
        m.set(ValueLayout.JAVA_LONG, SIZE - 8, 0x1234_5678_9abc_def0L);
        assertTrue(mapped(address), "the mapping is in /proc/self/maps");
      }
      assertFalse(mapped(address), "closing the arena unmaps the file (no reservation left)");
      try (Arena arena = Arena.ofShared()) {
        MemorySegment again = Native.mapAligned(file, SIZE, StoreFile.HUGE_PAGE_SIZE, arena);
        assertEquals(0x1234_5678_9abc_def0L, again.get(ValueLayout.JAVA_LONG, SIZE - 8));
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void collapseKeepsTheContentsAndLaterMappingsGetHugePages() throws Exception {
    Path file = tmpfsFile(SIZE);
    try (Arena arena = Arena.ofShared()) {
      MemorySegment m = Native.mapAligned(file, SIZE, StoreFile.HUGE_PAGE_SIZE, arena);
      byte[] data = new byte[(int) SIZE];
      new SplittableRandom(16).nextBytes(data);
      MemorySegment.copy(data, 0, m, ValueLayout.JAVA_BYTE, 0, data.length);
      int rc = Native.collapse(m);
      assumeTrue(rc == 0, "MADV_COLLAPSE refused by this kernel: errno " + rc);
      assertArrayEquals(data, m.toArray(ValueLayout.JAVA_BYTE), "contents kept by the collapse");
      try (Arena later = Arena.ofShared()) {
        MemorySegment n = Native.mapAligned(file, SIZE, StoreFile.HUGE_PAGE_SIZE, later);
        assertArrayEquals(data, n.toArray(ValueLayout.JAVA_BYTE));
        assertEquals(
            SIZE / 1024,
            smapsField(n.address(), "ShmemPmdMapped:"),
            "a new mapping maps every 2 MiB with one entry, without collapsing again");
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void aProcessThatAttachesAfterTheCreatorUsesHugePagesWithoutPrefaulting() throws Exception {
    String name = TestStores.uniqueName("huge");
    DepotOptions options = TestStores.small().capacity(16L << 20).build();
    try (Depot creator = Depot.create(name, options)) { // AUTO: EAGER in create
      assumeTrue(
          ((ShmDepot) creator).store().file().collapsedChunks() > 0,
          "MADV_COLLAPSE refused by this kernel: the store uses small pages");
      byte[] value = new byte[4 << 20];
      new SplittableRandom(3).nextBytes(value);
      creator.put("big", value);
      ChildJvm child =
          ChildJvm.start(
              List.of("--enable-native-access=ALL-UNNAMED"),
              HugePageReaderMain.class,
              name,
              options.directory().toString());
      assertTrue(child.process().waitFor(120, TimeUnit.SECONDS), "child exits");
      assertEquals(0, child.process().exitValue(), String.join("\n", child.errors()));
      String line = child.awaitLine("READ ", 1, TimeUnit.SECONDS);
      String[] f = line.split(" ");
      try (ObjectHandle h = creator.get("big")) {
        assertEquals(Long.toHexString(java.util.Arrays.hashCode(value)), f[1], "same bytes");
        assertTrue(h.size() == value.length);
      }
      long pmdKiB = Long.parseLong(f[2]);
      assertTrue(
          pmdKiB >= (4 << 10),
          "the child's reads of 4 MiB went through huge pages without its own pre-fault: "
              + pmdKiB
              + " KiB PMD-mapped");
    } finally {
      Depot.destroy(name, options);
    }
  }

  @Test
  void anAttachingProcessFindsTheCollapsedPagesAndWritesThroughTheMapping() throws Exception {
    String name = TestStores.uniqueName("huge");
    DepotOptions options = TestStores.small().capacity(16L << 20).build();
    try (Depot creator = Depot.create(name, options)) {
      StoreFile created = ((ShmDepot) creator).store().file();
      assumeTrue(created.collapsedChunks() > 0, "MADV_COLLAPSE refused by this kernel");
      try (StoreFile attached = StoreFile.open(created.path)) {
        long whole =
            attached.layout.fileLength / StoreFile.HUGE_PAGE_SIZE * StoreFile.HUGE_PAGE_SIZE;
        assertEquals(
            whole,
            attached.prefaultInBackground(),
            "every whole 2 MiB is found collapsed: puts write through the mapping from the start");
        assertEquals(whole / StoreFile.HUGE_PAGE_SIZE, attached.collapsedChunks());
        assertTrue(attached.prefault(() -> false), "and the pre-fault runs to the end");
      }
    } finally {
      Depot.destroy(name, options);
    }
  }

  /**
   * Child: attaches with {@link Prefault#NONE}, reads "big", prints its hash and PMD-mapped KiB.
   */
  public static final class HugePageReaderMain {
    private HugePageReaderMain() {}

    public static void main(String[] args) throws Exception {
      DepotOptions o =
          DepotOptions.builder().directory(Path.of(args[1])).prefault(Prefault.NONE).build();
      try (Depot d = Depot.open(args[0], o);
          ObjectHandle h = d.get("big")) {
        byte[] bytes = h.segment().toArray(ValueLayout.JAVA_BYTE);
        long store = ((ShmDepot) d).store().file().mem.segment().address();
        System.out.println(
            "READ "
                + Long.toHexString(java.util.Arrays.hashCode(bytes))
                + " "
                + smapsField(store, "ShmemPmdMapped:"));
      }
    }
  }

  private static Path tmpfsFile(long size) throws IOException {
    Path file = Files.createTempFile(Path.of("/dev/shm"), "depot-huge", ".bin");
    try (var ch =
        java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      ch.write(java.nio.ByteBuffer.wrap(new byte[] {0}), size - 1);
    }
    assertEquals(0, Native.fallocate(file, size), "posix_fallocate");
    return file;
  }

  private static boolean mapped(long address) throws IOException {
    String start = Long.toHexString(address) + "-";
    return Files.readAllLines(Path.of("/proc/self/maps")).stream()
        .anyMatch(l -> l.startsWith(start));
  }

  /**
   * A field of the {@code /proc/self/smaps} entry of the mapping that starts at {@code address}, in
   * KiB.
   */
  static long smapsField(long address, String field) throws IOException {
    String start = Long.toHexString(address) + "-";
    boolean in = false;
    for (String l : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      if (l.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        in = l.startsWith(start);
      } else if (in && l.startsWith(field)) {
        return Long.parseLong(l.substring(field.length()).trim().split(" ")[0]);
      }
    }
    return -1;
  }
}
