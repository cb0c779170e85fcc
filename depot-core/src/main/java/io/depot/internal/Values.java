package io.depot.internal;

import io.depot.DType;
import io.depot.NDArray;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/** Reading value metadata back from block headers. */
final class Values {
  private Values() {}

  static long[] readShape(Mem mem, long block) {
    int nameLength = mem.getShort(block + BlockHeaderDescriptor.NAME_LENGTH_OFFSET);
    int ndim = mem.getByte(block + BlockHeaderDescriptor.NDIM_OFFSET);
    long at = block + BlockHeaderDescriptor.shapeOffset(nameLength);
    long[] shape = new long[ndim];
    for (int i = 0; i < ndim; i++) {
      shape[i] = mem.getLong(at + 8L * i);
    }
    return shape;
  }

  static NDArray readArray(Mem mem, long block, MemorySegment data) {
    DType dtype = DType.ofCode(mem.getByte(block + BlockHeaderDescriptor.DTYPE_OFFSET));
    return NDArray.of(dtype, data, readShape(mem, block));
  }

  static String readCodecId(Mem mem, long block) {
    int nameLength = mem.getShort(block + BlockHeaderDescriptor.NAME_LENGTH_OFFSET);
    int ndim = mem.getByte(block + BlockHeaderDescriptor.NDIM_OFFSET);
    int length = mem.getByte(block + BlockHeaderDescriptor.CODEC_ID_LENGTH_OFFSET);
    if (length == 0) {
      return null;
    }
    long at = block + BlockHeaderDescriptor.codecIdOffset(nameLength, ndim);
    return new String(
        mem.slice(at, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
  }
}
