package io.depot;

import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A listing entry: one committed object.
 *
 * @param name the object's name
 * @param kind what it holds
 * @param size the value's size in bytes
 * @param dtype the element type of an {@link ValueKind#ARRAY}, else {@code null}
 * @param shape the shape of an {@link ValueKind#ARRAY}, else an empty array
 * @param codecId the codec id of an {@link ValueKind#ENCODED} value, else {@code null}
 */
public record ObjectInfo(
    String name,
    ValueKind kind,
    long size,
    @Nullable DType dtype,
    long[] shape,
    @Nullable String codecId) {
  /** Copies the shape. */
  public ObjectInfo {
    Objects.requireNonNull(name);
    Objects.requireNonNull(kind);
    shape = shape.clone();
  }

  /** {@return a copy of the shape} */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ObjectInfo other
        && name.equals(other.name)
        && kind == other.kind
        && size == other.size
        && dtype == other.dtype
        && Arrays.equals(shape, other.shape)
        && Objects.equals(codecId, other.codecId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, kind, size, dtype, Arrays.hashCode(shape), codecId);
  }

  @Override
  public String toString() {
    StringBuilder sb =
        new StringBuilder(name).append(' ').append(kind).append(' ').append(size).append(" B");
    if (dtype != null) {
      sb.append(' ').append(dtype.numpyName()).append(Arrays.toString(shape));
    }
    if (codecId != null) {
      sb.append(" codec=").append(codecId);
    }
    return sb.toString();
  }
}
