package io.depot;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One track of a queue's entries: a named block of a fixed size in every entry, either raw bytes or a typed array
 * with a dtype and shape. An entry of a queue with tracks {@code obs}, {@code action}, {@code reward} holds one
 * block for each.
 *
 * <p>Limits: names 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes (no unpaired surrogates), unique within a queue; at
 * most {@value #MAX_TRACKS} tracks per queue. A byte track records, per entry, how many bytes were written (see
 * {@link EntryClaim#setLength}); an array track always holds its whole array.
 */
public final class Track {
  /** The longest track name, in UTF-8 bytes. */
  public static final int MAX_NAME_BYTES = 63;
  /** The most tracks a queue may have. */
  public static final int MAX_TRACKS = 64;

  private final String name;
  private final long size;
  private final DType dtype;
  private final long[] shape;

  private Track(String name, long size, DType dtype, long[] shape) {
    Objects.requireNonNull(name, "name");
    io.depot.internal.Names.requireWellFormed("track name", name);
    int bytes = name.getBytes(StandardCharsets.UTF_8).length;
    if (bytes == 0 || bytes > MAX_NAME_BYTES) {
      throw new InvalidNameException("track name must be 1.." + MAX_NAME_BYTES + " UTF-8 bytes: name=" + name);
    }
    if (size < 0) {
      throw new InvalidArgumentException("negative track size=" + size + ": track=" + name);
    }
    this.name = name;
    this.size = size;
    this.dtype = dtype;
    this.shape = shape;
  }

  /** A track of raw bytes of {@code size} bytes. */
  public static Track bytes(String name, long size) {
    return new Track(name, size, null, new long[0]);
  }

  /** A track holding an array of {@code dtype} with {@code shape}. */
  public static Track array(String name, DType dtype, long... shape) {
    Objects.requireNonNull(dtype, "dtype");
    long n = NDArray.elementCount(shape);
    long size;
    try {
      size = Math.multiplyExact(n, (long) dtype.itemSize());
    } catch (ArithmeticException e) {
      throw new InvalidArgumentException("track too large: shape=" + Arrays.toString(shape) + " track=" + name);
    }
    return new Track(name, size, dtype, shape.clone());
  }

  public String name() {
    return name;
  }

  /** The size of the track's block in every entry, in bytes. */
  public long size() {
    return size;
  }

  /** Whether the track holds a typed array. */
  public boolean isArray() {
    return dtype != null;
  }

  /** The element type of an array track, or {@code null}. */
  public DType dtype() {
    return dtype;
  }

  /** The shape of an array track (empty for bytes). */
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Track t && name.equals(t.name) && size == t.size && dtype == t.dtype
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, size, dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return dtype == null ? name + ": " + size + " B" : name + ": " + dtype.numpyName() + Arrays.toString(shape);
  }
}
