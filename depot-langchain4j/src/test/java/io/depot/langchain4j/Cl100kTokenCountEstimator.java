package io.depot.langchain4j;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.TokenCountEstimator;

/**
 * A {@link TokenCountEstimator} that needs no download: OpenAI's {@code cl100k_base} BPE, whose
 * ranks ship inside the jtokkit jar, over each message's text, plus 3 tokens of per-message
 * overhead and 1 for the role (OpenAI's counting recipe for chat messages). LangChain4j's core and
 * {@code langchain4j} modules ship no offline estimator (the OpenAI module's pulls in an HTTP
 * client), so the tests bring this one.
 */
final class Cl100kTokenCountEstimator implements TokenCountEstimator {
  private static final Encoding CL100K =
      Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  @Override
  public int estimateTokenCountInText(String text) {
    return CL100K.countTokens(text);
  }

  @Override
  public int estimateTokenCountInMessage(ChatMessage message) {
    String text =
        switch (message) {
          case SystemMessage m -> m.text();
          case UserMessage m -> m.hasSingleText() ? m.singleText() : m.contents().toString();
          case AiMessage m ->
              (m.text() == null ? "" : m.text())
                  + (m.hasToolExecutionRequests() ? m.toolExecutionRequests().toString() : "");
          case ToolExecutionResultMessage m -> m.text();
          default -> message.toString();
        };
    return 4 + estimateTokenCountInText(text);
  }

  @Override
  public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
    int total = 3; // the reply's priming
    for (ChatMessage m : messages) {
      total += estimateTokenCountInMessage(m);
    }
    return total;
  }
}
