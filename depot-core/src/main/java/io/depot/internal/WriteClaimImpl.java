package io.depot.internal;

import io.depot.DType;
import io.depot.HandleClosedException;
import io.depot.MutableNDArray;
import io.depot.TypeMismatchException;
import io.depot.WriteClaim;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;

/** A WRITE-stage block owned by this process until commit or abort. */
final class WriteClaimImpl implements WriteClaim {
  private static final int OPEN = 0;
  private static final int COMMITTED = 1;
  private static final int ABORTED = 2;

  private final ShmDepot depot;
  private final String name;
  final int index;
  private final MemorySegment data;
  private final DType dtype;
  private final long[] shape;
  private final AtomicInteger state = new AtomicInteger(OPEN);

  WriteClaimImpl(
      ShmDepot depot, String name, int index, MemorySegment data, DType dtype, long[] shape) {
    this.depot = depot;
    this.name = name;
    this.index = index;
    this.data = data;
    this.dtype = dtype;
    this.shape = shape;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return data.byteSize();
  }

  private void checkOpen() {
    int s = state.get();
    if (s != OPEN) {
      throw new HandleClosedException(
          "claim is " + (s == COMMITTED ? "committed" : "aborted") + ": name=" + name);
    }
  }

  @Override
  public MemorySegment segment() {
    checkOpen();
    return data;
  }

  @Override
  public MutableNDArray array() {
    checkOpen();
    if (dtype == null) {
      throw new TypeMismatchException("claim is for bytes, not an array: name=" + name);
    }
    return MutableNDArray.wrap(dtype, data, shape);
  }

  @Override
  public void commit() {
    if (!state.compareAndSet(OPEN, COMMITTED)) {
      checkOpen();
    }
    depot.commitClaim(this);
  }

  @Override
  public boolean commitIf(long expectedVersion) {
    if (!state.compareAndSet(OPEN, COMMITTED)) {
      checkOpen();
    }
    if (depot.commitClaimIf(this, expectedVersion)) {
      return true;
    }
    state.set(ABORTED);
    return false;
  }

  @Override
  public void abort() {
    if (state.compareAndSet(OPEN, ABORTED)) {
      depot.abortClaim(this);
    }
  }

  @Override
  public void close() {
    abort();
  }

  @Override
  public String toString() {
    return "WriteClaim["
        + name
        + ", "
        + data.byteSize()
        + " B, "
        + switch (state.get()) {
          case OPEN -> "open";
          case COMMITTED -> "committed";
          default -> "aborted";
        }
        + "]";
  }
}
