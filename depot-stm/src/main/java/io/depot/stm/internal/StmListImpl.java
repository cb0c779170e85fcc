package io.depot.stm.internal;

import io.depot.Codec;
import io.depot.InvalidArgumentException;
import io.depot.stm.InvalidValueException;
import io.depot.stm.StmList;
import io.depot.stm.spi.BackendList;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * A list handle: checks, encoding and decoding over a {@link BackendList}. No state of its own;
 * atomicity comes from the backend.
 */
final class StmListImpl implements StmList {
  private final WorkflowImpl workflow;
  private final String key;
  private final BackendList backend;
  private final long maxValueBytes;

  StmListImpl(WorkflowImpl workflow, String key, BackendList backend, long maxValueBytes) {
    this.workflow = workflow;
    this.key = key;
    this.backend = backend;
    this.maxValueBytes = maxValueBytes;
  }

  @Override
  public String key() {
    return key;
  }

  @Override
  public String workflowId() {
    return workflow.id();
  }

  private EncodedValue encode(Object value) {
    if (value == null) {
      throw new InvalidValueException("null elements are not stored: list=" + Keys.abbreviate(key));
    }
    return Values.encode(value, key, maxValueBytes);
  }

  @Override
  public long append(Object value) {
    workflow.checkOpen();
    return backend.append(List.of(encode(value)));
  }

  @Override
  public <T> long append(T value, Codec<T> codec) {
    Objects.requireNonNull(codec, "codec");
    workflow.checkOpen();
    if (value == null) {
      throw new InvalidValueException("null elements are not stored: list=" + Keys.abbreviate(key));
    }
    return backend.append(List.of(Values.encode(value, codec, key, maxValueBytes)));
  }

  @Override
  public long appendAll(List<?> values) {
    Objects.requireNonNull(values, "values");
    workflow.checkOpen();
    if (values.isEmpty()) {
      return backend.size();
    }
    return backend.append(encodeAll(values));
  }

  private List<EncodedValue> encodeAll(List<?> values) {
    List<EncodedValue> encoded = new ArrayList<>(values.size());
    for (Object v : values) {
      encoded.add(encode(v));
    }
    return encoded;
  }

  @Override
  public long size() {
    workflow.checkOpen();
    return backend.size();
  }

  @Override
  public List<Object> all() {
    return read(Long.MAX_VALUE, v -> Values.decode(v, key));
  }

  @Override
  public <T> List<T> all(Class<T> type) {
    Objects.requireNonNull(type, "type");
    return read(Long.MAX_VALUE, v -> Values.decode(v, type, key));
  }

  @Override
  public <T> List<T> last(int n, Class<T> type) {
    Objects.requireNonNull(type, "type");
    return read(count(n), v -> Values.decode(v, type, key));
  }

  @Override
  public <T> List<T> last(int n, Codec<T> codec) {
    Objects.requireNonNull(codec, "codec");
    return read(count(n), v -> Values.decode(v, codec, key));
  }

  private static long count(long n) {
    if (n < 0) {
      throw new InvalidArgumentException("element count must not be negative: n=" + n);
    }
    return n;
  }

  private <T> List<T> read(long n, Function<StoredValue, T> decoder) {
    workflow.checkOpen();
    if (n == 0) {
      return List.of();
    }
    List<StoredValue> stored = backend.last(n);
    try {
      List<T> out = new ArrayList<>(stored.size());
      for (StoredValue v : stored) {
        out.add(decoder.apply(v));
      }
      return out;
    } finally {
      for (StoredValue v : stored) {
        v.close();
      }
    }
  }

  @Override
  public long trimToLast(long n) {
    count(n);
    workflow.checkOpen();
    return backend.trimToLast(n);
  }

  @Override
  public void replaceAll(List<?> values) {
    Objects.requireNonNull(values, "values");
    workflow.checkOpen();
    backend.replaceAll(encodeAll(values));
  }

  @Override
  public boolean delete() {
    workflow.checkOpen();
    return backend.delete();
  }

  @Override
  public boolean expireAfter(Duration ttl) {
    Keys.positive(ttl, "ttl");
    workflow.checkOpen();
    return backend.expireAfter(ttl);
  }

  @Override
  public boolean persist() {
    workflow.checkOpen();
    return backend.persist();
  }

  @Override
  public Optional<Duration> ttl() {
    workflow.checkOpen();
    OptionalLong ms = backend.ttlMillis();
    return ms.isPresent() ? Optional.of(Duration.ofMillis(ms.getAsLong())) : Optional.empty();
  }

  @Override
  public String toString() {
    return "StmList[" + Keys.abbreviate(key) + " of " + workflow + "]";
  }
}
