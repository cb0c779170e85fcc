package io.depot.stm.internal;

import io.depot.Codec;
import io.depot.CodecException;
import io.depot.Codecs;
import io.depot.DepotException;
import io.depot.NDArray;
import io.depot.TypeMismatchException;
import io.depot.codec.json.JsonCodec;
import io.depot.stm.InvalidValueException;
import io.depot.stm.ValueTooLargeException;
import io.depot.stm.ValueType;
import io.depot.stm.spi.EncodedValue;
import io.depot.stm.spi.HeapCopy;
import io.depot.stm.spi.Keys;
import io.depot.stm.spi.StoredValue;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Turning Java values into {@link EncodedValue}s and {@link StoredValue}s back into Java values.
 */
public final class Values {
  private static final ClassValue<JsonCodec<?>> JSON_CODECS =
      new ClassValue<>() {
        @Override
        protected JsonCodec<?> computeValue(Class<?> type) {
          return JsonCodec.of(type);
        }
      };

  private Values() {}

  // ------------------------------------------------------------------ encoding

  /**
   * Encodes a value by its class: bytes, strings and arrays as themselves, anything else as JSON.
   *
   * @throws InvalidValueException if null
   * @throws CodecException naming the class and key if JSON cannot encode it
   * @throws ValueTooLargeException if the encoding exceeds {@code maxBytes}
   */
  public static EncodedValue encode(Object value, String key, long maxBytes) {
    EncodedValue e =
        switch (value) {
          case null ->
              throw new InvalidValueException(
                  "value is null (use remove to delete a key): key=" + Keys.abbreviate(key));
          case byte[] b -> EncodedValue.of(ValueType.BYTES, null, MemorySegment.ofArray(b));
          case MemorySegment s -> EncodedValue.of(ValueType.BYTES, null, s);
          case String s ->
              EncodedValue.of(
                  ValueType.STRING,
                  null,
                  MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8)));
          case NDArray a ->
              new EncodedValue(ValueType.ARRAY, null, a.dtype(), a.shape(), a.segment());
          default -> {
            byte[] json;
            try {
              json = JsonCodec.untyped().encodeToBytes(value);
            } catch (CodecException ex) {
              throw new CodecException(
                  ex.getMessage() + ": key=" + Keys.abbreviate(key), ex.getCause());
            }
            yield EncodedValue.of(ValueType.JSON, JsonCodec.ID, MemorySegment.ofArray(json));
          }
        };
    return checkSize(e, key, maxBytes);
  }

  /**
   * Encodes {@code value} with {@code codec} ({@code "json"} is stored as {@link ValueType#JSON}).
   */
  public static <T> EncodedValue encode(T value, Codec<T> codec, String key, long maxBytes) {
    if (value == null) {
      throw new InvalidValueException(
          "value is null (use remove to delete a key): key=" + Keys.abbreviate(key));
    }
    String id = Codecs.checkId(codec.id());
    Exposed out = new Exposed();
    try {
      codec.encode(value, out);
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof DepotException de) {
        throw de;
      }
      throw new CodecException(
          "codec="
              + id
              + " cannot encode a "
              + value.getClass().getName()
              + ": key="
              + Keys.abbreviate(key)
              + ": "
              + ex.getMessage(),
          ex);
    }
    MemorySegment bytes = MemorySegment.ofArray(out.buffer()).asSlice(0, out.size());
    ValueType type =
        switch (id) {
          case JsonCodec.ID -> ValueType.JSON;
          case "bytes" -> ValueType.BYTES;
          case "utf8" -> ValueType.STRING;
          default -> ValueType.CODEC;
        };
    String storedId = type == ValueType.JSON || type == ValueType.CODEC ? id : null;
    return checkSize(EncodedValue.of(type, storedId, bytes), key, maxBytes);
  }

  private static EncodedValue checkSize(EncodedValue e, String key, long maxBytes) {
    if (e.size() > maxBytes) {
      throw new ValueTooLargeException(
          "value of size="
              + e.size()
              + " bytes ("
              + e.type()
              + ") exceeds maxValueBytes="
              + maxBytes
              + ": key="
              + Keys.abbreviate(key));
    }
    return e;
  }

  /** A ByteArrayOutputStream whose buffer can be read without a copy. */
  private static final class Exposed extends ByteArrayOutputStream {
    Exposed() {
      super(256);
    }

    byte[] buffer() {
      return buf;
    }
  }

  // ------------------------------------------------------------------ decoding

  /**
   * The value as stored: JSON as plain Java values, bytes, strings, arrays (heap copies), codec
   * values.
   */
  public static Object decode(StoredValue v, String key) {
    return switch (v.type()) {
      case JSON -> json(JsonCodec.untyped(), v, key);
      case BYTES -> v.payload().toArray(ValueLayout.JAVA_BYTE);
      case STRING -> string(v);
      case ARRAY -> NDArray.of(v.dtype(), HeapCopy.of(v.payload()), v.shape());
      case CODEC -> codecValue(v, key);
    };
  }

  /** The value decoded into {@code type}. */
  public static <T> T decode(StoredValue v, Class<T> type, String key) {
    Class<T> boxed = box(type);
    if (boxed == Object.class) {
      return boxed.cast(decode(v, key));
    }
    Object out =
        switch (v.type()) {
          case JSON -> json(JSON_CODECS.get(boxed), v, key);
          case BYTES ->
              boxed == byte[].class
                  ? v.payload().toArray(ValueLayout.JAVA_BYTE)
                  : boxed == MemorySegment.class
                      ? HeapCopy.of(v.payload())
                      : mismatch(v, boxed, key);
          case STRING -> boxed.isAssignableFrom(String.class) ? string(v) : mismatch(v, boxed, key);
          case ARRAY -> array(v, boxed, key);
          case CODEC -> codecValue(v, key);
        };
    if (!boxed.isInstance(out)) {
      return mismatch(v, boxed, key);
    }
    return boxed.cast(out);
  }

  /** The value decoded by {@code codec}, whose id must be the one it was written with. */
  public static <T> T decode(StoredValue v, Codec<T> codec, String key) {
    String stored =
        switch (v.type()) {
          case JSON -> JsonCodec.ID;
          case BYTES -> "bytes";
          case STRING -> "utf8";
          case ARRAY -> null;
          case CODEC -> v.codecId();
        };
    if (!codec.id().equals(stored)) {
      throw new TypeMismatchException(
          "key="
              + Keys.abbreviate(key)
              + " holds "
              + describe(v)
              + ", read with codec="
              + codec.id());
    }
    try {
      return codec.decode(v.payload());
    } catch (IOException | RuntimeException ex) {
      if (ex instanceof DepotException de) {
        throw de;
      }
      throw new CodecException(
          "codec="
              + codec.id()
              + " cannot decode key="
              + Keys.abbreviate(key)
              + ": "
              + ex.getMessage(),
          ex);
    }
  }

  private static Object json(JsonCodec<?> codec, StoredValue v, String key) {
    try {
      return codec.decode(v.payload());
    } catch (IOException ex) {
      throw new CodecException(
          "codec=json cannot decode key="
              + Keys.abbreviate(key)
              + " as type="
              + codec.typeName()
              + ": "
              + ex.getMessage(),
          ex);
    }
  }

  private static String string(StoredValue v) {
    return new String(v.payload().toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
  }

  private static Object array(StoredValue v, Class<?> type, String key) {
    if (type.isAssignableFrom(NDArray.class)) {
      return NDArray.of(v.dtype(), HeapCopy.of(v.payload()), v.shape());
    }
    NDArray view = NDArray.of(v.dtype(), v.payload(), v.shape());
    try {
      if (type == double[].class) {
        return view.toDoubleArray();
      } else if (type == float[].class) {
        return view.toFloatArray();
      } else if (type == long[].class) {
        return view.toLongArray();
      } else if (type == int[].class) {
        return view.toIntArray();
      } else if (type == short[].class) {
        return view.toShortArray();
      } else if (type == boolean[].class) {
        return view.toBooleanArray();
      } else if (type == byte[].class) {
        return view.toByteArray();
      }
    } catch (TypeMismatchException ex) {
      throw new TypeMismatchException(
          "key="
              + Keys.abbreviate(key)
              + " holds "
              + describe(v)
              + ", read as type="
              + type.getTypeName(),
          ex);
    }
    return mismatch(v, type, key);
  }

  private static Object codecValue(StoredValue v, String key) {
    Optional<Codec<?>> codec = Codecs.byId(v.codecId());
    if (codec.isEmpty()) {
      throw new CodecException(
          "no codec registered for id="
              + v.codecId()
              + " (stored under key="
              + Keys.abbreviate(key)
              + "); read it with get(key, codec)");
    }
    return decode(v, codec.get(), key);
  }

  @SuppressWarnings(
      "TypeParameterUnusedInFormals") // throws always; typed to stand in the conditional
  // expressions
  private static <T> T mismatch(StoredValue v, Class<?> type, String key) {
    throw new TypeMismatchException(
        "key="
            + Keys.abbreviate(key)
            + " holds "
            + describe(v)
            + ", read as type="
            + type.getTypeName());
  }

  /** E.g. {@code JSON}, {@code ARRAY float64[2, 3]}, {@code CODEC fory}. */
  public static String describe(StoredValue v) {
    return switch (v.type()) {
      case ARRAY -> "ARRAY " + v.dtype().numpyName() + java.util.Arrays.toString(v.shape());
      case CODEC -> "CODEC " + v.codecId();
      default -> v.type().name();
    };
  }

  @SuppressWarnings("unchecked") // the wrapper classes are the boxes of the primitives
  private static <T> Class<T> box(Class<T> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    Class<?> boxed =
        switch (type.getName()) {
          case "int" -> Integer.class;
          case "long" -> Long.class;
          case "double" -> Double.class;
          case "float" -> Float.class;
          case "boolean" -> Boolean.class;
          case "short" -> Short.class;
          case "byte" -> Byte.class;
          case "char" -> Character.class;
          default ->
              throw new io.depot.InvalidArgumentException("cannot read a value as type=" + type);
        };
    return (Class<T>) boxed;
  }
}
