package io.depot;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One track of a queue's entries: a named block of a fixed size in every entry, either raw bytes or
 * a typed array with a dtype and shape. An entry of a queue with tracks {@code obs}, {@code
 * action}, {@code reward} holds one block for each.
 *
 * <p>Three kinds: {@link #bytes} (up to its size; each entry records how many bytes were written,
 * see {@link EntryClaim#setLength}), {@link #array} (always its whole array, of the track's shape),
 * and {@link #arrayUpTo} (a dtype and a maximum element count; each entry records its own shape
 * within it, as SMOS sets dtype and shape per entry within its block size).
 *
 * <p>Limits: names 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes (no unpaired surrogates), unique
 * within a queue; at most {@value #MAX_TRACKS} tracks per queue; shapes of at most {@value
 * NDArray#MAX_DIMS} dimensions.
 */
public final class Track {
  /** The longest track name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 63;

  /** The most tracks a queue may have. */
  public static final int MAX_TRACKS = 64;

  private final String name;
  private final long size;
  private final @Nullable DType dtype;
  private final long[] shape;

  /** The most elements of a variable-shape array track; -1 for the other kinds. */
  private final long maxElements;

  private Track(String name, long size, @Nullable DType dtype, long[] shape) {
    this(name, size, dtype, shape, -1);
  }

  private Track(String name, long size, @Nullable DType dtype, long[] shape, long maxElements) {
    Objects.requireNonNull(name, "name");
    io.depot.internal.Names.requireWellFormed("track name", name);
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NAME_BYTES) {
      throw new InvalidNameException(
          "track name must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes: name=" + name);
    }
    if (size < 0) {
      throw new InvalidArgumentException("negative track size=" + size + ": track=" + name);
    }
    this.name = name;
    this.size = size;
    this.dtype = dtype;
    this.shape = shape;
    this.maxElements = maxElements;
  }

  /**
   * {@return a track of raw bytes of {@code size} bytes}
   *
   * @param name the track's name
   * @param size its size in bytes
   */
  public static Track bytes(String name, long size) {
    return new Track(name, size, null, new long[0]);
  }

  /**
   * {@return a track holding an array of {@code dtype} with {@code shape}}
   *
   * @param name the track's name
   * @param dtype the element type
   * @param shape the array's shape
   */
  public static Track array(String name, DType dtype, long... shape) {
    Objects.requireNonNull(dtype, "dtype");
    long n = NDArray.elementCount(shape);
    long size;
    try {
      size = Math.multiplyExact(n, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "track too large: shape=" + Arrays.toString(shape) + " track=" + name);
    }
    return new Track(name, size, dtype, shape.clone());
  }

  /**
   * {@return a track holding an array of {@code dtype} whose shape each entry sets ({@link
   * EntryClaim#array(int, long...)}, or the shape of the value pushed), of at most {@code
   * maxElements} elements in all}
   *
   * @param name the track's name
   * @param dtype the element type
   * @param maxElements the most elements an entry's array has
   * @throws InvalidArgumentException if {@code maxElements} is negative or the track would be too
   *     large
   */
  public static Track arrayUpTo(String name, DType dtype, long maxElements) {
    Objects.requireNonNull(dtype, "dtype");
    if (maxElements < 0) {
      throw new InvalidArgumentException("negative maxElements=" + maxElements + ": track=" + name);
    }
    long size;
    try {
      size = Math.multiplyExact(maxElements, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException(
          "track too large: maxElements=" + maxElements + " track=" + name);
    }
    return new Track(name, size, dtype, new long[] {maxElements}, maxElements);
  }

  /** {@return whether each entry sets this array track's shape ({@link #arrayUpTo})} */
  public boolean isVariableShape() {
    return maxElements >= 0;
  }

  /**
   * {@return the most elements an entry of a variable-shape track holds; for a fixed array, its
   * element count; else -1}
   */
  public long maxElements() {
    return maxElements >= 0 ? maxElements : dtype == null ? -1 : NDArray.elementCount(shape);
  }

  /** {@return the track's name} */
  public String name() {
    return name;
  }

  /** {@return the size of the track's block in every entry, in bytes} */
  public long size() {
    return size;
  }

  /** {@return whether the track holds a typed array} */
  public boolean isArray() {
    return dtype != null;
  }

  /** {@return the element type of an array track, or {@code null}} */
  public @Nullable DType dtype() {
    return dtype;
  }

  /**
   * {@return the shape of an array track (empty for bytes; {@code [maxElements]} for a
   * variable-shape track)}
   */
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Track t
        && name.equals(t.name)
        && size == t.size
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && maxElements == t.maxElements;
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, size, dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    if (dtype == null) {
      return name + ": " + size + " B";
    }
    if (maxElements >= 0) {
      return name + ": " + dtype.numpyName() + "[<=" + maxElements + "]";
    }
    return name + ": " + dtype.numpyName() + Arrays.toString(shape);
  }
}
