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
 * The layout of a workflow's metadata object ({@code stm/w/<workflow>}, kind BYTES), replaced only
 * by compare-and-set. Little-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------+-----------------------------------------------+
 *  |  Format (8)   |                 Reserved (56)                 |   0
 *  +---------------+-----------------------------------------------+
 *  |                 Epoch: random, never 0 (64)                   |   8
 *  |          Deadline, epoch milliseconds, 0 = none (64)          |  16
 *  |              Created, epoch milliseconds (64)                 |  24
 *  +-------------------------------+-------------------------------+
 *  |        Id length (32)         |         Reserved (32)         |  32
 *  +-------------------------------+-------------------------------+
 *  |   Id (UTF-8)                                                ...  40
 *  +---------------------------------------------------------------+
 * </pre>
 */
final class MetaDescriptor {
  static final int FORMAT = 1;
  static final int FORMAT_OFFSET = 0;
  static final int EPOCH_OFFSET = 8;
  static final int DEADLINE_OFFSET = EPOCH_OFFSET + 8;
  static final int CREATED_OFFSET = DEADLINE_OFFSET + 8;
  static final int ID_LENGTH_OFFSET = CREATED_OFFSET + 8;
  static final int ID_OFFSET = ID_LENGTH_OFFSET + 8;

  private static final ValueLayout.OfLong LONG =
      JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT =
      JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private MetaDescriptor() {}

  /** A parsed metadata object. */
  record Fields(long epoch, long deadline, long created, String id) {}

  static byte[] encode(long epoch, long deadline, long created, byte[] id) {
    byte[] out = new byte[ID_OFFSET + id.length];
    MemorySegment seg = MemorySegment.ofArray(out);
    seg.set(JAVA_BYTE, FORMAT_OFFSET, (byte) FORMAT);
    seg.set(LONG, EPOCH_OFFSET, epoch);
    seg.set(LONG, DEADLINE_OFFSET, deadline);
    seg.set(LONG, CREATED_OFFSET, created);
    seg.set(INT, ID_LENGTH_OFFSET, id.length);
    MemorySegment.copy(id, 0, seg, JAVA_BYTE, ID_OFFSET, id.length);
    return out;
  }

  /**
   * Parses a metadata object.
   *
   * @throws CorruptStoreException naming it if malformed
   */
  static Fields read(MemorySegment seg, String name) {
    long size = seg.byteSize();
    if (size < ID_OFFSET || seg.get(JAVA_BYTE, FORMAT_OFFSET) != FORMAT) {
      throw new CorruptStoreException(
          "not short-term memory workflow metadata (size=" + size + "): name=" + name);
    }
    int idLength = seg.get(INT, ID_LENGTH_OFFSET);
    if (idLength < 0 || ID_OFFSET + (long) idLength > size) {
      throw new CorruptStoreException(
          "corrupt workflow metadata (idLength=" + idLength + ", size=" + size + "): name=" + name);
    }
    String id =
        new String(seg.asSlice(ID_OFFSET, idLength).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    return new Fields(
        seg.get(LONG, EPOCH_OFFSET),
        seg.get(LONG, DEADLINE_OFFSET),
        seg.get(LONG, CREATED_OFFSET),
        id);
  }
}
