package io.depot.spring.ai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.ai.chat.messages.AbstractMessage;
import org.springframework.ai.chat.messages.AssistantMessage;
import org.springframework.ai.chat.messages.Message;
import org.springframework.ai.chat.messages.SystemMessage;
import org.springframework.ai.chat.messages.ToolResponseMessage;
import org.springframework.ai.chat.messages.UserMessage;

/**
 * A Spring AI message as stored: one JSON object per list element, readable from any language.
 *
 * <pre>{@code
 * {"type":"ASSISTANT","text":"...","metadata":{...},"toolCalls":[{"id":..,"type":..,"name":..,"arguments":..}]}
 * {"type":"TOOL","metadata":{...},"toolResponses":[{"id":..,"name":..,"responseData":..}]}
 * }</pre>
 *
 * Media attachments are not stored (Spring AI's own JDBC repository keeps none either); {@link #of}
 * refuses a message that has some rather than drop them silently.
 *
 * @param type {@code USER}, {@code ASSISTANT}, {@code SYSTEM} or {@code TOOL}
 * @param text the text (null for a tool response)
 * @param metadata the metadata, without Spring AI's own {@code messageType} entry
 * @param toolCalls an assistant message's tool calls, else empty
 * @param toolResponses a tool response message's responses, else empty
 */
record StoredMessage(
    String type,
    String text,
    Map<String, Object> metadata,
    List<ToolCall> toolCalls,
    List<ToolResponse> toolResponses) {
  /** A tool call of an assistant message. */
  record ToolCall(String id, String type, String name, String arguments) {}

  /** One response of a tool response message. */
  record ToolResponse(String id, String name, String responseData) {}

  StoredMessage {
    metadata = metadata == null ? Map.of() : metadata;
    toolCalls = toolCalls == null ? List.of() : toolCalls;
    toolResponses = toolResponses == null ? List.of() : toolResponses;
  }

  /**
   * The stored form of {@code m}.
   *
   * @throws io.depot.stm.InvalidValueException if it has media, or is of a type Spring AI does not
   *     define
   */
  static StoredMessage of(Message m) {
    Map<String, Object> metadata = new LinkedHashMap<>(m.getMetadata());
    metadata.remove(AbstractMessage.MESSAGE_TYPE);
    return switch (m) {
      case UserMessage u -> {
        noMedia(!u.getMedia().isEmpty(), m);
        yield new StoredMessage("USER", u.getText(), metadata, List.of(), List.of());
      }
      case SystemMessage s ->
          new StoredMessage("SYSTEM", s.getText(), metadata, List.of(), List.of());
      case AssistantMessage a -> {
        noMedia(!a.getMedia().isEmpty(), m);
        List<ToolCall> calls = new ArrayList<>();
        for (AssistantMessage.ToolCall c : a.getToolCalls()) {
          calls.add(new ToolCall(c.id(), c.type(), c.name(), c.arguments()));
        }
        yield new StoredMessage("ASSISTANT", a.getText(), metadata, calls, List.of());
      }
      case ToolResponseMessage t -> {
        List<ToolResponse> responses = new ArrayList<>();
        for (ToolResponseMessage.ToolResponse r : t.getResponses()) {
          responses.add(new ToolResponse(r.id(), r.name(), r.responseData()));
        }
        yield new StoredMessage("TOOL", null, metadata, List.of(), responses);
      }
      default ->
          throw new io.depot.stm.InvalidValueException(
              "cannot store a message of class="
                  + m.getClass().getName()
                  + " type="
                  + m.getMessageType());
    };
  }

  private static void noMedia(boolean hasMedia, Message m) {
    if (hasMedia) {
      throw new io.depot.stm.InvalidValueException(
          "messages with media are not stored (they would be lost): type=" + m.getMessageType());
    }
  }

  /**
   * The Spring AI message.
   *
   * @throws io.depot.stm.StmException naming the type if it is unknown
   */
  Message toMessage() {
    return switch (type) {
      case "USER" -> UserMessage.builder().text(text).metadata(metadata).build();
      case "SYSTEM" -> SystemMessage.builder().text(text).metadata(metadata).build();
      case "ASSISTANT" -> {
        List<AssistantMessage.ToolCall> calls = new ArrayList<>();
        for (ToolCall c : toolCalls) {
          calls.add(new AssistantMessage.ToolCall(c.id(), c.type(), c.name(), c.arguments()));
        }
        yield AssistantMessage.builder()
            .content(text)
            .properties(metadata)
            .toolCalls(calls)
            .build();
      }
      case "TOOL" -> {
        List<ToolResponseMessage.ToolResponse> responses = new ArrayList<>();
        for (ToolResponse r : toolResponses) {
          responses.add(new ToolResponseMessage.ToolResponse(r.id(), r.name(), r.responseData()));
        }
        yield ToolResponseMessage.builder().responses(responses).metadata(metadata).build();
      }
      default -> throw new io.depot.stm.StmException("unknown stored message type=" + type);
    };
  }
}
