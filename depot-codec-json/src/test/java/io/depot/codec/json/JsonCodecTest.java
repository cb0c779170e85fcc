package io.depot.codec.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import io.depot.CodecException;
import io.depot.Codecs;
import io.depot.Depot;
import io.depot.DepotOptions;
import io.depot.InvalidArgumentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  record Step(int step, String text) {}

  /** A POJO: default constructor and setters. */
  public static final class Pojo {
    private String name;
    private List<Integer> values;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public List<Integer> getValues() {
      return values;
    }

    public void setValues(List<Integer> values) {
      this.values = values;
    }
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
  public static class Polymorphic {
    public int x;
  }

  @Test
  void recordRoundTripIsPlainJson() throws IOException {
    JsonCodec<Step> codec = JsonCodec.of(Step.class);
    byte[] json = codec.encodeToBytes(new Step(3, "héllo"));
    assertEquals("{\"step\":3,\"text\":\"héllo\"}", new String(json, StandardCharsets.UTF_8));
    assertEquals(new Step(3, "héllo"), codec.decode(json));
    assertEquals(new Step(3, "héllo"), codec.decode(MemorySegment.ofArray(json)));
    assertEquals(new Step(3, "héllo"), codec.decode(MemorySegment.ofArray(json).asReadOnly()));
  }

  @Test
  void pojoMapsListsAndGenerics() {
    Pojo p = new Pojo();
    p.setName("n");
    p.setValues(List.of(1, 2));
    Pojo back = JsonCodec.of(Pojo.class).decode(JsonCodec.of(Pojo.class).encodeToBytes(p));
    assertEquals("n", back.getName());
    assertEquals(List.of(1, 2), back.getValues());

    JsonCodec<List<Step>> listCodec = JsonCodec.of(new TypeReference<List<Step>>() {});
    List<Step> steps = List.of(new Step(1, "a"), new Step(2, "b"));
    assertEquals(steps, listCodec.decode(listCodec.encodeToBytes(steps)));
    assertEquals("java.util.List<io.depot.codec.json.JsonCodecTest$Step>", listCodec.typeName());

    Object untyped =
        JsonCodec.untyped()
            .decode("{\"a\":[1,true,null,\"s\",2.5]}".getBytes(StandardCharsets.UTF_8));
    assertEquals(Map.of("a", java.util.Arrays.asList(1, true, null, "s", 2.5)), untyped);
    JsonNode tree = JsonCodec.tree().decode("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, tree.get("a").intValue());
  }

  @Test
  void badJsonNamesTheType() {
    CodecException e =
        assertThrows(
            CodecException.class,
            () ->
                JsonCodec.of(Step.class)
                    .decode("{\"step\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
    assertTrue(e.getMessage().contains("JsonCodecTest$Step"), e.getMessage());
    IOException io =
        assertThrows(
            IOException.class,
            () ->
                JsonCodec.of(Step.class)
                    .decode(MemorySegment.ofArray("not json".getBytes(StandardCharsets.UTF_8))));
    assertTrue(io.getMessage().contains("JsonCodecTest$Step"), io.getMessage());
  }

  @Test
  void unencodableValueNamesItsClass() {
    CodecException e =
        assertThrows(CodecException.class, () -> JsonCodec.untyped().encodeToBytes(new Object()));
    assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    IOException io =
        assertThrows(
            IOException.class,
            () -> JsonCodec.untyped().encode(new Object(), new ByteArrayOutputStream()));
    assertTrue(io.getMessage().contains("java.lang.Object"), io.getMessage());
  }

  @Test
  void classNamesFromTheDataAreRefused() {
    byte[] json =
        "{\"@class\":\"io.depot.codec.json.JsonCodecTest$Polymorphic\",\"x\":1}"
            .getBytes(StandardCharsets.UTF_8);
    assertThrows(CodecException.class, () -> JsonCodec.of(Polymorphic.class).decode(json));

    ObjectMapper unsafe =
        JsonMapper.builder()
            .activateDefaultTyping(
                LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL)
            .build();
    assertThrows(InvalidArgumentException.class, () -> JsonCodec.of(Object.class, unsafe));
    assertEquals(
        new Step(1, "a"),
        JsonCodec.of(Step.class, new ObjectMapper())
            .decode("{\"step\":1,\"text\":\"a\"}".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void registeredAsService() {
    assertInstanceOf(UntypedJsonCodec.class, Codecs.byId("json").orElseThrow());
  }

  @Test
  void storedInADepot() {
    String name =
        "json-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
    DepotOptions options = DepotOptions.builder().capacity(8L << 20).maxObjects(4096).build();
    try (Depot depot = Depot.create(name, options)) {
      JsonCodec<Step> codec = JsonCodec.of(Step.class);
      depot.put("s", new Step(7, "seven"), codec);
      assertEquals(new Step(7, "seven"), depot.get("s", codec));
      assertEquals(Map.of("step", 7, "text", "seven"), depot.get("s", JsonCodec.untyped()));
    } finally {
      Depot.destroy(name, options);
    }
  }
}
