package io.depot.stm.shm;

import io.depot.DType;
import io.depot.stm.ValueType;
import io.depot.stm.spi.Keys;
import java.lang.foreign.MemorySegment;
import java.time.Instant;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The short-term memory's objects as a tool finds them in a store (what {@code depot get} decodes):
 * which object names are the values of keys, and a value's type, key and payload without its
 * envelope. Reads only; the {@link io.depot.stm.ShortTermMemory} API is how programs use the
 * values.
 */
public final class ShmStmObjects {
  private ShmStmObjects() {}

  /**
   * One key's value as stored.
   *
   * @param workflowId the workflow's id
   * @param key the key
   * @param type the value's type
   * @param codecId the codec's id for {@link ValueType#CODEC} and {@code "json"} for {@link
   *     ValueType#JSON}, else {@code null}
   * @param dtype the element type of an {@link ValueType#ARRAY}, else {@code null}
   * @param shape the shape of an array (empty for other types)
   * @param deadline when the key expires, or {@code null} if it does not
   * @param payload the value's bytes (UTF-8 for JSON and strings, the elements of an array in
   *     native order): a slice of the segment that was decoded, valid while it is
   */
  public record StoredValue(
      String workflowId,
      String key,
      ValueType type,
      @Nullable String codecId,
      @Nullable DType dtype,
      long[] shape,
      @Nullable Instant deadline,
      MemorySegment payload) {
    /** {@return the payload's length in bytes} */
    public long size() {
      return payload.byteSize();
    }
  }

  /**
   * {@return whether {@code objectName} is the name of a key's value ({@code
   * stm/k/<workflow>/<epoch>/<key>})}
   *
   * @param objectName a Depot object name
   */
  public static boolean isValueObject(String objectName) {
    return objectName.startsWith(ObjectNames.KEY_ROOT) && parts(objectName) != null;
  }

  /**
   * Decodes the object {@code objectName} whose bytes are {@code data}.
   *
   * @param objectName the object's name
   * @param data the object's bytes
   * @return the value, or empty for a tombstone (a key popped or removed: it reads as absent)
   * @throws IllegalArgumentException if {@code objectName} is not a value's name ({@link
   *     #isValueObject})
   * @throws io.depot.CorruptStoreException naming the object if {@code data} is not a valid value
   */
  public static Optional<StoredValue> decode(String objectName, MemorySegment data) {
    String[] parts = parts(objectName);
    if (parts == null) {
      throw new IllegalArgumentException(
          "not the name of a short-term memory value: name=" + objectName);
    }
    if (data.byteSize() == 0) {
      return Optional.empty();
    }
    EnvelopeDescriptor.Envelope e = EnvelopeDescriptor.read(data, objectName);
    String id = e.hasNames() ? EnvelopeDescriptor.id(data, e) : Keys.unescape(parts[0]);
    String key = e.hasNames() ? EnvelopeDescriptor.key(data, e) : Keys.unescape(parts[2]);
    Instant deadline = e.deadline() == 0 ? null : Instant.ofEpochMilli(e.deadline());
    return Optional.of(
        new StoredValue(
            id,
            key,
            e.type(),
            e.codecId(),
            e.dtype(),
            e.shape(),
            deadline,
            data.asSlice(e.payloadOffset())));
  }

  /** The workflow, epoch and key parts of a value's name, or {@code null}. */
  private static String @Nullable [] parts(String objectName) {
    if (!objectName.startsWith(ObjectNames.KEY_ROOT)) {
      return null;
    }
    String rest = objectName.substring(ObjectNames.KEY_ROOT.length());
    int a = rest.indexOf('/');
    int b = a < 0 ? -1 : rest.indexOf('/', a + 1);
    if (a <= 0 || b <= a + 1 || b == rest.length() - 1 || rest.indexOf('/', b + 1) >= 0) {
      return null;
    }
    return new String[] {rest.substring(0, a), rest.substring(a + 1, b), rest.substring(b + 1)};
  }
}
