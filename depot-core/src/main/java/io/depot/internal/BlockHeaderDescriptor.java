package io.depot.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The header at the start of every block in the arena: who owns the block, and the value's
 * self-description. The value's bytes follow at {@code headerLength}, a multiple of 64, so data is
 * cache-line aligned.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |          Owner tag: descriptor generation, index (64)         |   0
 *  +-------------------------------+---------------+---------------+
 *  |       Name length (16)        |   Kind (8)    |   DType (8)   |   8
 *  +---------------+---------------+---------------+---------------+
 *  |   NDim (8)    | Codec id len  |       Header length (16)      |  12
 *  +---------------+---------------+-------------------------------+
 *  |                     Value length (64)                         |  16
 *  |                     Reserved (64)                             |  24
 *  +---------------------------------------------------------------+
 *  |   Name (UTF-8), padded to 8 bytes                           ...  32
 *  |   Shape: NDim x 64-bit extents                              ...
 *  |   Codec id (ASCII), then padding to a multiple of 64        ...
 *  +---------------------------------------------------------------+
 *  |   Value bytes                                               ...  headerLength
 * </pre>
 */
final class BlockHeaderDescriptor {
  public static final int OWNER_OFFSET = 0;
  public static final int NAME_LENGTH_OFFSET = OWNER_OFFSET + 8;
  public static final int KIND_OFFSET = NAME_LENGTH_OFFSET + 2;
  public static final int DTYPE_OFFSET = KIND_OFFSET + 1;
  public static final int NDIM_OFFSET = DTYPE_OFFSET + 1;
  public static final int CODEC_ID_LENGTH_OFFSET = NDIM_OFFSET + 1;
  public static final int HEADER_LENGTH_OFFSET = CODEC_ID_LENGTH_OFFSET + 1;
  public static final int DATA_LENGTH_OFFSET = HEADER_LENGTH_OFFSET + 2;
  public static final int RESERVED_OFFSET = DATA_LENGTH_OFFSET + 8;
  public static final int NAME_OFFSET = RESERVED_OFFSET + 8;
  public static final int FIXED_LENGTH = NAME_OFFSET;

  public static final StructLayout FIXED_LAYOUT =
      MemoryLayout.structLayout(
          JAVA_LONG.withName("owner"),
          JAVA_SHORT.withName("nameLength"),
          JAVA_BYTE.withName("kind"),
          JAVA_BYTE.withName("dtype"),
          JAVA_BYTE.withName("ndim"),
          JAVA_BYTE.withName("codecIdLength"),
          JAVA_SHORT.withName("headerLength"),
          JAVA_LONG.withName("dataLength"),
          JAVA_LONG.withName("reserved"));

  private BlockHeaderDescriptor() {}

  /** Offset of the shape within the header. */
  public static int shapeOffset(int nameLength) {
    return NAME_OFFSET + align(nameLength, 8);
  }

  /** Offset of the codec id within the header. */
  public static int codecIdOffset(int nameLength, int ndim) {
    return shapeOffset(nameLength) + 8 * ndim;
  }

  /** The header's length: the offset of the value bytes. */
  public static int headerLength(int nameLength, int ndim, int codecIdLength) {
    return align(codecIdOffset(nameLength, ndim) + codecIdLength, 64);
  }

  static int align(int value, int alignment) {
    return (value + alignment - 1) & -alignment;
  }
}
