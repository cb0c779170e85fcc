package io.depot.stm.internal;

import io.depot.Codec;
import io.depot.NDArray;
import io.depot.TypeMismatchException;
import io.depot.stm.StmValue;
import io.depot.stm.ValueType;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.lang.foreign.MemorySegment;

/** A {@link StmValue} over a backend's {@link StoredValue}. */
final class StmValueImpl implements StmValue {
  private final String key;
  private final StoredValue stored;

  StmValueImpl(String key, StoredValue stored) {
    this.key = key;
    this.stored = stored;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public ValueType type() {
    return stored.type();
  }

  @Override
  public long version() {
    return stored.version();
  }

  @Override
  public String codecId() {
    return stored.codecId();
  }

  @Override
  public MemorySegment bytes() {
    return stored.payload();
  }

  @Override
  public NDArray asArray() {
    if (stored.type() != ValueType.ARRAY) {
      throw new TypeMismatchException(
          "key=" + Keys.abbreviate(key) + " holds " + Values.describe(stored) + ", not ARRAY");
    }
    return NDArray.of(stored.dtype(), stored.payload(), stored.shape());
  }

  @Override
  public <T> T as(Class<T> type) {
    return Values.decode(stored, type, key);
  }

  @Override
  public <T> T as(Codec<T> codec) {
    return Values.decode(stored, codec, key);
  }

  @Override
  public void close() {
    stored.close();
  }

  @Override
  public String toString() {
    return "StmValue["
        + Keys.abbreviate(key)
        + ", "
        + Values.describe(stored)
        + ", "
        + stored.payload().byteSize()
        + " B]";
  }
}
