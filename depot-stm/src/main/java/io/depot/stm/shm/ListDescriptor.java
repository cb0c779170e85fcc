package io.depot.stm.shm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import io.depot.CorruptStoreException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The layout of a list's header object ({@code stm/k/<workflow>/<epoch>/<list>/h}, kind BYTES),
 * replaced only by compare-and-set. Its elements are the objects {@code
 * .../<list>/<generation>/<index>} for every index from {@code Head} up to the first absent one.
 * Little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |  Format (8)   |                 Reserved (56)                 |   0
 *  +---------------+-----------------------------------------------+
 *  |        Generation: random, never 0, new at replace (64)       |   8
 *  |        Head: index of the first element (64)                  |  16
 *  |        Deadline, epoch milliseconds, 0 = none (64)            |  24
 *  +-------------------------------+-------------------------------+
 *  |       Key length (32)         |         Reserved (32)         |  32
 *  +-------------------------------+-------------------------------+
 *  |   Key (UTF-8)                                               ...  40
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class ListDescriptor {
  static final int FORMAT = 0x4c; // 'L': never an envelope's or a workflow metadata's format
  static final int FORMAT_OFFSET = 0;
  static final int GENERATION_OFFSET = 8;
  static final int HEAD_OFFSET = GENERATION_OFFSET + 8;
  static final int DEADLINE_OFFSET = HEAD_OFFSET + 8;
  static final int KEY_LENGTH_OFFSET = DEADLINE_OFFSET + 8;
  static final int KEY_OFFSET = KEY_LENGTH_OFFSET + 8;

  private static final ValueLayout.OfLong LONG =
      JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT =
      JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private ListDescriptor() {}

  /** A parsed header. */
  record Fields(long generation, long head, long deadline, String key) {
    boolean expired(long now) {
      return deadline != 0 && now >= deadline;
    }
  }

  static byte[] encode(long generation, long head, long deadline, byte[] key) {
    byte[] out = new byte[KEY_OFFSET + key.length];
    MemorySegment seg = MemorySegment.ofArray(out);
    seg.set(JAVA_BYTE, FORMAT_OFFSET, (byte) FORMAT);
    seg.set(LONG, GENERATION_OFFSET, generation);
    seg.set(LONG, HEAD_OFFSET, head);
    seg.set(LONG, DEADLINE_OFFSET, deadline);
    seg.set(INT, KEY_LENGTH_OFFSET, key.length);
    MemorySegment.copy(key, 0, seg, JAVA_BYTE, KEY_OFFSET, key.length);
    return out;
  }

  /**
   * Parses a header.
   *
   * @throws CorruptStoreException naming it if malformed
   */
  static Fields read(MemorySegment seg, String name) {
    long size = seg.byteSize();
    if (size < KEY_OFFSET || seg.get(JAVA_BYTE, FORMAT_OFFSET) != FORMAT) {
      throw new CorruptStoreException(
          "not a short-term memory list header (size=" + size + "): name=" + name);
    }
    int keyLength = seg.get(INT, KEY_LENGTH_OFFSET);
    long head = seg.get(LONG, HEAD_OFFSET);
    if (keyLength < 0 || KEY_OFFSET + (long) keyLength > size || head < 0) {
      throw new CorruptStoreException(
          "corrupt list header (keyLength="
              + keyLength
              + ", head="
              + head
              + ", size="
              + size
              + "): name="
              + name);
    }
    String key =
        new String(seg.asSlice(KEY_OFFSET, keyLength).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    return new Fields(seg.get(LONG, GENERATION_OFFSET), head, seg.get(LONG, DEADLINE_OFFSET), key);
  }
}
