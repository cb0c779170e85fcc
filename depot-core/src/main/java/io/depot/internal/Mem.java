package io.depot.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The mapped store file, with every access named by its memory ordering (agrona {@code
 * AtomicBuffer} style).
 *
 * <p>Offsets are absolute byte offsets into the file. Atomic accesses need 8-byte (long) or 4-byte
 * (int) aligned offsets; every descriptor class guarantees that for its fields.
 */
final class Mem {
  private static final VarHandle LONG = ValueLayout.JAVA_LONG.varHandle().withInvokeExactBehavior();
  private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle().withInvokeExactBehavior();

  /**
   * From this many bytes, {@link #copyIn} writes into pages this process has not touched yet with
   * {@code pwrite} rather than through the mapping (four pages: below that the system call costs
   * more than it saves).
   */
  static final long DIRECT_WRITE_MIN = 16 * 1024;

  private final MemorySegment segment;

  /** {@link #segment} read-only, the base of {@link #readOnlySlice}. */
  private final MemorySegment readOnly;

  /** A descriptor of the mapped file for {@link #copyIn}'s {@code pwrite}, or -1. */
  private volatile int fd = -1;

  /**
   * Offsets below this have been touched by this process's mapping (pre-faulted); {@link
   * Long#MAX_VALUE} when nothing is known to be untouched (no pre-fault running: it ran to the end
   * before attach returned, or the store was opened without one).
   */
  private volatile long touchedTo = Long.MAX_VALUE;

  Mem(MemorySegment segment) {
    this.segment = segment;
    this.readOnly = segment.asReadOnly();
  }

  /**
   * Starts tracking, for {@link #copyIn}, how far a background pre-fault of this mapping has come:
   * until {@link #touched} passes an offset, large copies to it are written with {@code pwrite}
   * through {@code fd}, which stays open until the mapping is closed.
   */
  void untouchedFrom(long offset, int fd) {
    this.fd = fd;
    this.touchedTo = offset;
  }

  /**
   * The pre-fault of this mapping has touched every page below {@code offset}: raises the frontier
   * (which may start past the pre-fault, at the store's huge prefix). Called by one thread.
   */
  void touched(long offset) {
    if (offset > touchedTo) {
      touchedTo = offset;
    }
  }

  /** The descriptor given to {@link #untouchedFrom}, or -1. */
  int fd() {
    return fd;
  }

  /**
   * Copies {@code src} to {@code offset}, in a block its caller owns (no other process reads it
   * until the caller publishes it with a release store). The first access of each page through a
   * process's mapping costs a page fault, and on some virtual machines about 10 µs more (a 1 MiB
   * value would take 3 ms, not 0.05): where the value is large and its pages lie beyond what the
   * pre-fault of this mapping has touched, the kernel writes it with {@code pwrite} instead (no
   * fault, about 0.12 ms per MiB), and the pages stay for the pre-fault to touch.
   */
  void copyIn(MemorySegment src, long offset) {
    long length = src.byteSize();
    long done = 0;
    if (length >= DIRECT_WRITE_MIN && offset + length > touchedTo) {
      done = Native.pwrite(fd, src, offset);
      // the kernel's stores, through its own mapping of the page, come before the caller's release
      // store
      VarHandle.fullFence();
    }
    if (done < length) {
      MemorySegment.copy(src, done, segment, offset + done, length - done);
    }
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

  /** A read-only slice: one segment object, not a slice and its read-only copy. */
  MemorySegment readOnlySlice(long offset, long length) {
    return readOnly.asSlice(offset, length);
  }

  boolean inBounds(long offset, long length) {
    return offset >= 0 && length >= 0 && offset <= segment.byteSize() - length;
  }
}
