package io.depot.internal;

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
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** A pin on a committed object, holding one entry of its process's handle journal. */
final class ObjectHandleImpl implements ObjectHandle {
  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(ObjectHandleImpl.class, "closed", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final Store store;
  private final String name;
  private final int index;
  private final int generation;
  private final int entry;
  private final long block;
  private final long dataOffset;
  private final MemorySegment data;
  private final ValueKind kind;

  @SuppressWarnings("unused") // accessed through CLOSED
  private volatile int closed;

  ObjectHandleImpl(Store store, String name, int index, int generation, int entry) {
    this.store = store;
    this.name = name;
    this.index = index;
    this.generation = generation;
    this.entry = entry;
    Mem mem = store.mem;
    long d = store.layout.descriptor(index);
    this.block = mem.getLong(d + ObjectDescriptor.BLOCK_OFFSET);
    int headerLength = mem.getShort(block + BlockHeaderDescriptor.HEADER_LENGTH_OFFSET);
    long length = mem.getLong(block + BlockHeaderDescriptor.DATA_LENGTH_OFFSET);
    this.dataOffset = block + headerLength;
    this.data = mem.readOnlySlice(dataOffset, length);
    this.kind = ValueKind.ofCode(mem.getByte(block + BlockHeaderDescriptor.KIND_OFFSET));
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

  private void checkOpen() {
    if ((int) CLOSED.getOpaque(this) != 0) {
      throw new HandleClosedException("handle is closed: name=" + name);
    }
  }

  @Override
  public MemorySegment segment() {
    checkOpen();
    return data;
  }

  @Override
  public ByteBuffer asByteBuffer() {
    checkOpen();
    return data.asByteBuffer();
  }

  @Override
  public byte[] toByteArray() {
    checkOpen();
    return data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
  }

  @Override
  public String asString() {
    checkOpen();
    if (kind != ValueKind.STRING) {
      throw new TypeMismatchException("object is " + kind + ", not STRING: name=" + name);
    }
    return new String(
        data.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  @Override
  public NDArray asArray() {
    checkOpen();
    if (kind != ValueKind.ARRAY) {
      throw new TypeMismatchException("object is " + kind + ", not ARRAY: name=" + name);
    }
    return Values.readArray(store.mem, block, data);
  }

  @Override
  public String codecId() {
    return kind == ValueKind.ENCODED ? Values.readCodecId(store.mem, block) : null;
  }

  @Override
  public <T> T decode(Codec<T> codec) {
    checkOpen();
    String id = codecId();
    if (!codec.id().equals(id)) {
      throw new TypeMismatchException(
          "object "
              + (id == null ? "is " + kind : "was written by codec=" + id)
              + ", read with codec="
              + codec.id()
              + ": name="
              + name);
    }
    try {
      return codec.decode(data);
    } catch (IOException | RuntimeException e) {
      if (e instanceof io.depot.DepotException de) {
        throw de;
      }
      throw new CodecException(
          "codec=" + codec.id() + " failed to decode name=" + name + ": " + e, e);
    }
  }

  DType dtype() {
    return kind == ValueKind.ARRAY
        ? DType.ofCode(store.mem.getByte(block + BlockHeaderDescriptor.DTYPE_OFFSET))
        : null;
  }

  /** The offset of the value in the mapped file. */
  long dataAddress() {
    return dataOffset;
  }

  @Override
  public long version() {
    return ObjectDescriptor.ownerTag(index, generation);
  }

  @Override
  public boolean isOpen() {
    return (int) CLOSED.getOpaque(this) == 0;
  }

  @Override
  public void close() {
    if (!CLOSED.compareAndSet(this, 0, 1)) {
      return;
    }
    if (store.isClosed()) {
      return; // released by the store's close
    }
    try {
      store.enter();
    } catch (io.depot.StoreClosedException e) {
      return;
    }
    try {
      store.unpin(index, generation, entry);
    } catch (RuntimeException e) {
      throw store.translate(e);
    } finally {
      store.exit();
    }
  }

  @Override
  public String toString() {
    return "ObjectHandle["
        + name
        + ", "
        + kind
        + ", "
        + data.byteSize()
        + " B"
        + (isOpen() ? "" : ", closed")
        + "]";
  }
}
