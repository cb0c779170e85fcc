package io.depot.codec.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import io.depot.Codec;
import io.depot.CodecException;
import io.depot.InvalidArgumentException;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * JSON through Jackson: records, POJOs, maps, lists, strings, numbers and booleans, as UTF-8 JSON
 * that any language can read. The codec id is {@value #ID}.
 *
 * <p>Safe for data from other processes: the codec decodes into the type the caller names and
 * nothing else. Default typing is off, and class-name based polymorphism ({@code @JsonTypeInfo(use
 * = CLASS)}) is refused by an empty allow list, so no class is ever chosen by the bytes. Name-based
 * subtypes ({@code @JsonSubTypes}) declared by the target type still work.
 *
 * <p>Instances are immutable and thread-safe; {@link #of(Class)} and friends are cheap but not free
 * (a type lookup), so keep a codec for a hot path.
 *
 * <p>On the module path, Jackson reads a type through reflection: the module that holds it opens
 * the type's package to {@code com.fasterxml.jackson.databind} ({@code opens com.example.model to
 * com.fasterxml.jackson.databind;}), as for any use of Jackson there.
 *
 * @param <T> the type values are decoded into
 */
public final class JsonCodec<T> implements Codec<T> {
  /** The codec id stored with every value: {@code "json"}. */
  public static final String ID = "json";

  private static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder()
          .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder().build())
          .build();

  private static final JsonCodec<Object> UNTYPED =
      new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(Object.class));
  private static final JsonCodec<JsonNode> TREE =
      new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(JsonNode.class));

  private final JavaType type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonCodec(ObjectMapper mapper, JavaType type) {
    this.type = type;
    this.reader = mapper.readerFor(type);
    this.writer = mapper.writer();
  }

  /**
   * {@return a codec decoding into {@code type} (a record, a POJO with a default constructor, a
   * boxed scalar, ...)}
   *
   * @param <T> the decoded type
   * @param type the class values are decoded into
   */
  public static <T> JsonCodec<T> of(Class<T> type) {
    Objects.requireNonNull(type, "type");
    if (type == Object.class) {
      @SuppressWarnings("unchecked") // Object is Object
      JsonCodec<T> untyped = (JsonCodec<T>) UNTYPED;
      return untyped;
    }
    return new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  /**
   * {@return a codec decoding into a generic type, e.g. {@code new TypeReference<List<Step>>() {}}}
   *
   * @param <T> the decoded type
   * @param type the generic type values are decoded into
   */
  public static <T> JsonCodec<T> of(TypeReference<T> type) {
    Objects.requireNonNull(type, "type");
    return new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  /**
   * {@return a codec decoding into {@code type} with a caller's mapper (e.g. one with extra
   * modules)}
   *
   * @param <T> the decoded type
   * @param type the class values are decoded into
   * @param mapper the mapper that encodes and decodes
   * @throws InvalidArgumentException if the mapper has default typing enabled (class names from the
   *     data)
   */
  public static <T> JsonCodec<T> of(Class<T> type, ObjectMapper mapper) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(mapper, "mapper");
    JavaType javaType = mapper.constructType(type);
    if (mapper.getDeserializationConfig().getDefaultTyper(javaType) != null) {
      throw new InvalidArgumentException(
          "mapper has default typing enabled, which lets the data name classes to instantiate: type="
              + javaType.toCanonical());
    }
    return new JsonCodec<>(mapper, javaType);
  }

  /**
   * {@return a codec decoding into plain Java values: {@code Map<String, Object>}
   * (insertion-ordered) for objects, {@code List<Object>} for arrays, {@code String}, {@code
   * Integer}/{@code Long}/{@code BigInteger}, {@code Double}, {@code Boolean}, and {@code null}}
   */
  public static JsonCodec<Object> untyped() {
    return UNTYPED;
  }

  /** {@return a codec decoding into Jackson trees} */
  public static JsonCodec<JsonNode> tree() {
    return TREE;
  }

  @Override
  public String id() {
    return ID;
  }

  /**
   * {@return the type values are decoded into, in Java source form, e.g. {@code
   * java.util.List<com.acme.Step>}}
   */
  public String typeName() {
    return type.toCanonical();
  }

  @Override
  public void encode(T value, OutputStream out) throws IOException {
    try {
      writer.writeValue(out, value);
    } catch (JsonProcessingException e) {
      throw new IOException(
          "json: cannot encode a " + className(value) + ": " + e.getOriginalMessage(), e);
    }
  }

  /**
   * {@return the JSON of {@code value} as UTF-8 bytes}
   *
   * @param value the value to encode
   * @throws CodecException naming the value's class if it cannot be encoded
   */
  public byte[] encodeToBytes(T value) {
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new CodecException(
          "codec=json cannot encode a " + className(value) + ": " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public T decode(MemorySegment data) throws IOException {
    if (data.byteSize() > Integer.MAX_VALUE - 8) {
      throw new IOException(
          "json: value of size="
              + data.byteSize()
              + " bytes is too large to decode as type="
              + typeName());
    }
    if (!data.isReadOnly() && data.heapBase().orElse(null) instanceof byte[] array) {
      return read(array, (int) data.address(), (int) data.byteSize());
    }
    byte[] copy = data.toArray(ValueLayout.JAVA_BYTE);
    return read(copy, 0, copy.length);
  }

  /**
   * Decodes UTF-8 JSON.
   *
   * @param json UTF-8 JSON
   * @return the decoded value
   * @throws CodecException naming the target type if the bytes are not JSON of that type
   */
  public T decode(byte[] json) {
    try {
      return read(json, 0, json.length);
    } catch (IOException e) {
      throw new CodecException("codec=json: " + e.getMessage(), e);
    }
  }

  private T read(byte[] array, int offset, int length) throws IOException {
    try {
      return reader.readValue(array, offset, length);
    } catch (JsonProcessingException e) {
      throw new IOException("cannot decode type=" + typeName() + ": " + e.getOriginalMessage(), e);
    }
  }

  private static String className(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  @Override
  public String toString() {
    return "JsonCodec[" + typeName() + "]";
  }
}
