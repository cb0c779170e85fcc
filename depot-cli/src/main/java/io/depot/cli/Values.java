package io.depot.cli;

import io.depot.NDArray;
import io.depot.ObjectHandle;
import io.depot.ObjectNotFoundException;
import io.depot.ValueKind;
import io.depot.stm.shm.ShmStmObjects;
import io.depot.storage.spi.BlobTrailer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What {@code depot get} prints of an object: its bytes, or a summary, with the envelopes of other
 * modules off.
 */
final class Values {
  /**
   * The names the storage providers give blobs in a store: {@code [scope/...]sha256/<hex>} or
   * {@code keys/...}.
   */
  private static final Pattern BLOB_NAME =
      Pattern.compile("(?:[^/]+/)*(?:sha256/(?:[0-9a-f]{2}/)*[0-9a-f]{64}" + "|keys/.+)");

  /** Only named in the messages of a trailer's checks, which are caught. */
  private static final URI BLOB_URI = URI.create("shm:blob");

  private Values() {}

  /**
   * What to print.
   *
   * @param bytes the bytes to write when there is no summary (or to a file in any case)
   * @param text whether the bytes are text (a newline follows them on a terminal)
   * @param summary a one-line description printed instead of the bytes, or {@code null}
   */
  record Shown(MemorySegment bytes, boolean text, String summary, Map<String, Object> details) {
    Shown(MemorySegment bytes, boolean text, String summary) {
      this(bytes, text, summary, Map.of());
    }
  }

  /** {@code depot get --json}: the object's description, and what {@link #decode} found in it. */
  static Map<String, Object> describe(String name, ObjectHandle h, Shown shown) {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("name", name);
    row.put("kind", h.kind().name());
    row.put("size", h.size());
    row.put("version", Long.toHexString(h.version()));
    if (h.kind() == ValueKind.ARRAY) {
      NDArray a = h.asArray();
      row.put("dtype", a.dtype().numpyName());
      row.put("shape", a.shape());
    }
    if (h.codecId() != null) {
      row.put("codec", h.codecId());
    }
    row.put("valueSize", shown.bytes().byteSize());
    row.putAll(shown.details());
    return row;
  }

  /** The object's bytes as stored. */
  static Shown raw(ObjectHandle h) {
    return new Shown(h.segment(), false, null);
  }

  /**
   * The object decoded: a short-term memory value without its envelope, a blob without its trailer.
   */
  static Shown decode(String name, ObjectHandle h) {
    MemorySegment seg = h.segment();
    if (h.kind() == ValueKind.BYTES && ShmStmObjects.isValueObject(name)) {
      return stmValue(name, seg);
    }
    if (h.kind() == ValueKind.BYTES && BLOB_NAME.matcher(name).matches()) {
      Optional<Blob> blob = blob(seg);
      if (blob.isPresent()) {
        return new Shown(blob.get().data(), false, null, Map.of("storage", blob.get().details()));
      }
    }
    return switch (h.kind()) {
      case BYTES -> new Shown(seg, false, null);
      case STRING -> new Shown(seg, true, null);
      case ARRAY -> new Shown(seg, false, h.asArray() + " " + Sizes.format(h.size()));
      default ->
          new Shown(
              seg,
              false,
              h.kind()
                  + " "
                  + Sizes.format(h.size())
                  + (h.codecId() == null ? "" : " codec=" + h.codecId()));
    };
  }

  private static Shown stmValue(String name, MemorySegment seg) {
    ShmStmObjects.StoredValue v =
        ShmStmObjects.decode(name, seg)
            .orElseThrow(
                () ->
                    new ObjectNotFoundException(
                        "the short-term memory key was removed (a tombstone is left until the sweep): name="
                            + name));
    Map<String, Object> stm = new LinkedHashMap<>();
    stm.put("workflow", v.workflowId());
    stm.put("key", v.key());
    stm.put("type", v.type().name());
    if (v.codecId() != null) {
      stm.put("codec", v.codecId());
    }
    if (v.dtype() != null) {
      stm.put("dtype", v.dtype().numpyName());
      stm.put("shape", v.shape());
    }
    if (v.deadline() != null) {
      stm.put("expires", v.deadline().toString());
    }
    Map<String, Object> details = Map.of("stm", stm);
    return switch (v.type()) {
      case JSON, STRING -> new Shown(v.payload(), true, null, details);
      case ARRAY ->
          new Shown(
              v.payload(),
              false,
              v.dtype().numpyName()
                  + Arrays.toString(v.shape())
                  + " "
                  + Sizes.format(v.size())
                  + " (short-term memory key "
                  + v.key()
                  + " of workflow "
                  + v.workflowId()
                  + ")",
              details);
      default -> new Shown(v.payload(), false, null, details);
    };
  }

  private record Blob(MemorySegment data, Map<String, Object> details) {}

  /** The blob's bytes if {@code seg} ends with a valid blob trailer of its length. */
  private static Optional<Blob> blob(MemorySegment seg) {
    long total = seg.byteSize();
    if (total < BlobTrailer.TAIL_BYTES) {
      return Optional.empty();
    }
    try {
      byte[] tail = seg.asSlice(total - BlobTrailer.TAIL_BYTES).toArray(ValueLayout.JAVA_BYTE);
      int len = BlobTrailer.trailerLength(tail, total, BLOB_URI);
      BlobTrailer t =
          BlobTrailer.decode(
              seg.asSlice(total - len).toArray(ValueLayout.JAVA_BYTE), total, BLOB_URI);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("size", t.size());
      details.put("sha256", java.util.HexFormat.of().formatHex(t.sha256()));
      details.put("created", t.created().toString());
      if (t.contentType() != null) {
        details.put("contentType", t.contentType());
      }
      return Optional.of(new Blob(seg.asSlice(0, t.size()), details));
    } catch (RuntimeException notABlob) {
      return Optional.empty();
    }
  }
}
