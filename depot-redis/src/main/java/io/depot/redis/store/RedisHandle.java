package io.depot.redis.store;

import io.depot.Codec;
import io.depot.CodecException;
import io.depot.DType;
import io.depot.HandleClosedException;
import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.TypeMismatchException;
import io.depot.ValueKind;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** A handle on Redis: a copy of the value taken by one read; it pins nothing on the server. */
final class RedisHandle implements ObjectHandle {
  private final String name;
  private final ValueKind kind;
  private final MemorySegment data;
  private final long version;
  private final @Nullable String codecId;
  private final @Nullable DType dtype;
  private final long[] shape;
  private volatile boolean open = true;

  RedisHandle(
      String name,
      ValueKind kind,
      MemorySegment data,
      long version,
      @Nullable String codecId,
      @Nullable DType dtype,
      long[] shape) {
    this.name = name;
    this.kind = kind;
    this.data = data.asReadOnly();
    this.version = version;
    this.codecId = codecId;
    this.dtype = dtype;
    this.shape = shape;
  }

  private MemorySegment data() {
    if (!open) {
      throw new HandleClosedException("handle is closed: name=" + name);
    }
    return data;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ValueKind kind() {
    return kind;
  }

  @Override
  public long size() {
    return data.byteSize();
  }

  @Override
  public MemorySegment segment() {
    return data();
  }

  @Override
  public ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(toByteArray())
        .asReadOnlyBuffer(); // a heap segment of long[] has no ByteBuffer view
  }

  @Override
  public byte[] toByteArray() {
    return data().toArray(ValueLayout.JAVA_BYTE);
  }

  @Override
  public String asString() {
    if (kind != ValueKind.STRING) {
      throw new TypeMismatchException("object is " + kind + ", not STRING: name=" + name);
    }
    return new String(toByteArray(), StandardCharsets.UTF_8);
  }

  @Override
  public NDArray asArray() {
    if (kind != ValueKind.ARRAY) {
      throw new TypeMismatchException("object is " + kind + ", not ARRAY: name=" + name);
    }
    return NDArray.of(Objects.requireNonNull(dtype), data(), shape); // an ARRAY has one
  }

  @Override
  public @Nullable String codecId() {
    return codecId;
  }

  @Override
  public <T> T decode(Codec<T> codec) {
    if (kind != ValueKind.ENCODED || !codec.id().equals(codecId)) {
      throw new TypeMismatchException(
          "object "
              + (codecId == null ? "is " + kind : "was written by codec=" + codecId)
              + ", not by codec="
              + codec.id()
              + ": name="
              + name);
    }
    try {
      return codec.decode(data());
    } catch (IOException | RuntimeException e) {
      throw new CodecException(
          "codec=" + codec.id() + " failed to decode name=" + name + ": " + e, e);
    }
  }

  @Override
  public long version() {
    return version;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public void close() {
    open = false;
  }

  @Override
  public String toString() {
    return "RedisHandle["
        + name
        + " "
        + kind
        + " "
        + data.byteSize()
        + " B, version="
        + version
        + "]";
  }
}
