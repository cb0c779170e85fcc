package io.depot;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** Built-in codecs and the {@link ServiceLoader} registry of codecs by id. */
public final class Codecs {
  /** The longest codec id, in ASCII characters. */
  public static final int MAX_ID_LENGTH = 64;

  private static final Map<String, Codec<?>> LOADED = new ConcurrentHashMap<>();

  private Codecs() {}

  /**
   * UTF-8 strings.
   *
   * @return the codec
   */
  public static Codec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }

  /**
   * Raw bytes, copied in and out.
   *
   * @return the codec
   */
  public static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /**
   * The codec with id {@code id}: a built-in one, or one registered as a {@code io.depot.Codec}
   * service.
   *
   * @param id the codec's id
   * @return the codec, or empty if none has that id
   */
  public static Optional<Codec<?>> byId(String id) {
    switch (id) {
      case "utf8" -> {
        return Optional.of(utf8());
      }
      case "bytes" -> {
        return Optional.of(bytes());
      }
      default -> {}
    }
    Codec<?> c = LOADED.get(id);
    if (c == null) {
      @SuppressWarnings("rawtypes")
      ServiceLoader<Codec> loader = ServiceLoader.load(Codec.class);
      for (Codec<?> candidate : loader) {
        LOADED.putIfAbsent(candidate.id(), candidate);
      }
      c = LOADED.get(id);
    }
    return Optional.ofNullable(c);
  }

  /**
   * Checks that {@code id} is a valid codec id.
   *
   * @param id the id to check
   * @return {@code id}
   * @throws InvalidArgumentException naming the id if it is empty, too long or not printable ASCII
   */
  public static String checkId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_LENGTH) {
      throw new InvalidArgumentException(
          "codec id must be 1.." + MAX_ID_LENGTH + " characters: id=" + id);
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new InvalidArgumentException("codec id must be printable ASCII: id=" + id);
      }
    }
    return id;
  }

  private enum Utf8Codec implements Codec<String> {
    INSTANCE;

    @Override
    public String id() {
      return "utf8";
    }

    @Override
    public void encode(String value, OutputStream out) throws IOException {
      out.write(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String decode(MemorySegment data) {
      return new String(data.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
  }

  private enum BytesCodec implements Codec<byte[]> {
    INSTANCE;

    @Override
    public String id() {
      return "bytes";
    }

    @Override
    public void encode(byte[] value, OutputStream out) throws IOException {
      out.write(value);
    }

    @Override
    public byte[] decode(MemorySegment data) {
      return data.toArray(ValueLayout.JAVA_BYTE);
    }
  }
}
