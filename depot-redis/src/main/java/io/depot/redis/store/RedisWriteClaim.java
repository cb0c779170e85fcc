package io.depot.redis.store;

import io.depot.DType;
import io.depot.Depot;
import io.depot.HandleClosedException;
import io.depot.MutableNDArray;
import io.depot.ObjectExistsException;
import io.depot.PutMode;
import io.depot.TypeMismatchException;
import io.depot.ValueKind;
import io.depot.WriteClaim;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A claim on Redis: a heap buffer the writer fills, sent by one script at commit. The name is not
 * reserved on the server meanwhile: a {@link PutMode#CREATE} claim checks the name when made and
 * again, atomically, at commit.
 */
final class RedisWriteClaim implements WriteClaim {
  private final RedisObjectStore store;
  private final String name;
  private final PutMode mode;
  private final @Nullable DType dtype;
  private final long @Nullable [] shape;
  private final MemorySegment data;
  private boolean done;

  RedisWriteClaim(
      RedisObjectStore store,
      String name,
      long size,
      PutMode mode,
      @Nullable DType dtype,
      long @Nullable [] shape) {
    this.store = store;
    this.name = name;
    this.mode = mode;
    this.dtype = dtype;
    this.shape = shape;
    this.data = MemorySegment.ofArray(new long[(int) ((size + 7) / 8)]).asSlice(0, size);
  }

  private synchronized void ensureOpen() {
    if (done) {
      throw new HandleClosedException("claim is committed or aborted: name=" + name);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public long size() {
    return data.byteSize();
  }

  @Override
  public MemorySegment segment() {
    ensureOpen();
    return data;
  }

  @Override
  public MutableNDArray array() {
    ensureOpen();
    if (dtype == null) {
      throw new TypeMismatchException("claim is not for an array: name=" + name);
    }
    return MutableNDArray.wrap(
        dtype, data, Objects.requireNonNull(shape)); // an array claim has one
  }

  private long send(String scriptMode, long expected) {
    ensureOpen();
    byte[] bytes = data.toArray(ValueLayout.JAVA_BYTE);
    ValueKind kind = dtype == null ? ValueKind.BYTES : ValueKind.ARRAY;
    try {
      return store.write(name, scriptMode, expected, kind, bytes, null, dtype, shape);
    } finally {
      synchronized (this) {
        done = true;
      }
    }
  }

  @Override
  public void commit() {
    if (send(mode == PutMode.CREATE ? "create" : "replace", 0) < 0) {
      throw new ObjectExistsException(
          "object exists (committed by another writer since the claim): name=" + name);
    }
  }

  @Override
  public boolean commitIf(long expectedVersion) {
    return send(expectedVersion == Depot.NO_VERSION ? "create" : "cas", expectedVersion) > 0;
  }

  @Override
  public synchronized void abort() {
    done = true;
  }

  @Override
  public void close() {
    abort();
  }
}
