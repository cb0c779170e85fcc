package io.depot.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The mapped store file, with every access named by its memory ordering (agrona {@code AtomicBuffer} style).
 *
 * <p>Offsets are absolute byte offsets into the file. Atomic accesses need 8-byte (long) or 4-byte (int)
 * aligned offsets; every descriptor class guarantees that for its fields.
 */
public final class Mem {
  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();
  private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

  private final MemorySegment segment;

  Mem(MemorySegment segment) {
    this.segment = segment;
  }

  /** The whole mapped file. */
  public MemorySegment segment() {
    return segment;
  }

  public long size() {
    return segment.byteSize();
  }

  // ---- long

  long getLong(long offset) {
    return segment.get(ValueLayout.JAVA_LONG, offset);
  }

  void putLong(long offset, long value) {
    segment.set(ValueLayout.JAVA_LONG, offset, value);
  }

  long getLongOpaque(long offset) {
    return (long) LONG.getOpaque(segment, offset);
  }

  long getLongAcquire(long offset) {
    return (long) LONG.getAcquire(segment, offset);
  }

  void putLongOpaque(long offset, long value) {
    LONG.setOpaque(segment, offset, value);
  }

  void putLongRelease(long offset, long value) {
    LONG.setRelease(segment, offset, value);
  }

  void putLongVolatile(long offset, long value) {
    LONG.setVolatile(segment, offset, value);
  }

  boolean compareAndSetLong(long offset, long expected, long value) {
    return (boolean) LONG.compareAndSet(segment, offset, expected, value);
  }

  long compareAndExchangeLong(long offset, long expected, long value) {
    return (long) LONG.compareAndExchange(segment, offset, expected, value);
  }

  long getAndAddLong(long offset, long delta) {
    return (long) LONG.getAndAdd(segment, offset, delta);
  }

  long getAndBitwiseOrLong(long offset, long mask) {
    return (long) LONG.getAndBitwiseOr(segment, offset, mask);
  }

  long getAndBitwiseAndLong(long offset, long mask) {
    return (long) LONG.getAndBitwiseAnd(segment, offset, mask);
  }

  // ---- int

  int getInt(long offset) {
    return segment.get(ValueLayout.JAVA_INT, offset);
  }

  void putInt(long offset, int value) {
    segment.set(ValueLayout.JAVA_INT, offset, value);
  }

  int getIntVolatile(long offset) {
    return (int) INT.getVolatile(segment, offset);
  }

  void putIntRelease(long offset, int value) {
    INT.setRelease(segment, offset, value);
  }

  int getAndAddInt(long offset, int delta) {
    return (int) INT.getAndAdd(segment, offset, delta);
  }

  // ---- small fields

  int getShort(long offset) {
    return Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT, offset));
  }

  void putShort(long offset, int value) {
    segment.set(ValueLayout.JAVA_SHORT, offset, (short) value);
  }

  int getByte(long offset) {
    return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, offset));
  }

  void putByte(long offset, int value) {
    segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
  }

  MemorySegment slice(long offset, long length) {
    return segment.asSlice(offset, length);
  }

  boolean inBounds(long offset, long length) {
    return offset >= 0 && length >= 0 && offset <= segment.byteSize() - length;
  }
}
