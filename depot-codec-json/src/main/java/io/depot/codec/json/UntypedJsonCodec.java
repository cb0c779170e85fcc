package io.depot.codec.json;

import io.depot.Codec;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;

/**
 * The {@code io.depot.Codec} service registered for id {@value JsonCodec#ID}: {@link
 * JsonCodec#untyped()} behind a public no-argument constructor, so that {@link
 * io.depot.Codecs#byId(String) Codecs.byId("json")} finds it. In code, use {@link JsonCodec}
 * directly.
 */
public final class UntypedJsonCodec implements Codec<Object> {
  private final JsonCodec<Object> delegate = JsonCodec.untyped();

  /** For {@link java.util.ServiceLoader}. */
  public UntypedJsonCodec() {}

  @Override
  public String id() {
    return JsonCodec.ID;
  }

  @Override
  public void encode(Object value, OutputStream out) throws IOException {
    delegate.encode(value, out);
  }

  @Override
  public Object decode(MemorySegment data) throws IOException {
    return delegate.decode(data);
  }
}
