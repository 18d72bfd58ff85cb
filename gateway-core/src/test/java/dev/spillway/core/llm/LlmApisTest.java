package dev.spillway.core.llm;

import static dev.spillway.core.llm.ApiSamples.*;
import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.llm.SseFirstContentDetector.Seen;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Estimation, settlement and the first-token hold for the Responses, Completions, Embeddings and Anthropic
 * Messages APIs, each body fed whole, byte by byte and at random splits (pooled and unpooled, direct and heap).
 */
class LlmApisTest {
  private static final long CAP = 64 * 1024;

  @Test
  void tellsTheApiFromThePath() {
    assertThat(LlmApi.of("/v1/chat/completions")).isEqualTo(LlmApi.CHAT);
    assertThat(LlmApi.of("/v1/completions?x=1")).isEqualTo(LlmApi.COMPLETIONS);
    assertThat(LlmApi.of("/v1/responses")).isEqualTo(LlmApi.RESPONSES);
    assertThat(LlmApi.of("/v1/embeddings")).isEqualTo(LlmApi.EMBEDDINGS);
    assertThat(LlmApi.of("/v1/messages")).isEqualTo(LlmApi.ANTHROPIC_MESSAGES);
    assertThat(LlmApi.of("/v1/models")).isEqualTo(LlmApi.CHAT);
    assertThat(LlmApi.EMBEDDINGS.generates()).isFalse();
    assertThat(LlmApi.RESPONSES.acceptsStreamOptions()).isFalse();
    assertThat(LlmApi.ANTHROPIC_MESSAGES.acceptsStreamOptions()).isFalse();
    assertThat(LlmApi.COMPLETIONS.acceptsStreamOptions()).isTrue();
  }

  @Test
  void responsesRequestCountsInputAndInstructionsAndReadsMaxOutputTokens() {
    ChatRequestInfo info = ChatRequestScannerTest.scanEverySplit(RESPONSES_STRING, CAP);

    assertThat(info.model()).isEqualTo("gpt-4.1");
    assertThat(info.maxTokens()).isEqualTo(300);
    assertThat(info.stream()).isTrue();
    assertThat(info.promptChars()).isEqualTo(INSTRUCTIONS.length() + INPUT_TEXT.length());
    assertThat(info.complete()).isTrue();

    ChatRequestInfo items = ChatRequestScannerTest.scanEverySplit(RESPONSES_ITEMS, CAP);
    assertThat(items.promptChars()).isEqualTo(INSTRUCTIONS.length() + INPUT_TEXT.length() + FN_OUTPUT.length());
    assertThat(items.maxTokens()).isEqualTo(-1);
    long chars = items.promptChars();
    assertThat(ChatRequestScanner.estimateTokens(items, -1, 1, 10, LlmApi.RESPONSES)).isEqualTo(chars);
  }

  @Test
  void completionsCountTokenIdPromptsAsTokens() {
    ChatRequestInfo info = ChatRequestScannerTest.scanEverySplit(COMPLETIONS_TOKEN_IDS, CAP);

    assertThat(info.promptTokenIds()).isEqualTo(5);
    assertThat(info.promptChars()).isZero();
    assertThat(ChatRequestScanner.estimateTokens(info, -1, 4, 1024, LlmApi.COMPLETIONS)).isEqualTo(16);
    assertThat(ChatRequestScanner.promptTokens(info, -1, 4)).isEqualTo(5);
  }

  @Test
  void embeddingsReserveTheirInputOnly() {
    ChatRequestInfo info = ChatRequestScannerTest.scanEverySplit(EMBEDDINGS, CAP);

    assertThat(info.promptChars()).isEqualTo("The food was delicious".length() + "and the waiter".length());
    // 36 chars / 4: no completion budget, whatever defaultMaxTokens says.
    assertThat(ChatRequestScanner.estimateTokens(info, -1, 4, 1024, LlmApi.EMBEDDINGS)).isEqualTo(9);
    assertThat(ChatRequestScanner.estimateTokens(info, -1, 4, 1024, LlmApi.CHAT)).isEqualTo(1024);

    ChatRequestInfo ids = ChatRequestScannerTest.scanEverySplit(EMBEDDINGS_IDS, CAP);
    assertThat(ChatRequestScanner.estimateTokens(ids, -1, 4, 1024, LlmApi.EMBEDDINGS)).isEqualTo(4);
  }

  @Test
  void anthropicRequestCountsSystemBlocksMessagesAndToolResults() {
    ChatRequestInfo info = ChatRequestScannerTest.scanEverySplit(ANTHROPIC, CAP);

    assertThat(info.model()).isEqualTo("claude-sonnet-4-5");
    assertThat(info.maxTokens()).isEqualTo(1024);
    assertThat(info.stream()).isTrue();
    // tool_use input (a JSON object) is not prompt text the scanner counts.
    assertThat(info.promptChars()).isEqualTo(SYSTEM.length() + USER.length() + TOOL_RESULT.length());
    assertThat(ChatRequestScannerTest.scanEverySplit("{\"system\":\"" + SYSTEM + "\",\"max_tokens\":1}", CAP)
        .promptChars()).isEqualTo(SYSTEM.length());
  }

  @Test
  void nonStreamedBodiesSettleFromTheirUsage() {
    assertThat(scanUsage(RESPONSES_BODY)).isEqualTo(new Usage(36, 87, 123));
    assertThat(scanUsage(EMBEDDINGS_BODY)).isEqualTo(new Usage(8, 0, 8));
    assertThat(scanUsage(ANTHROPIC_BODY)).isEqualTo(new Usage(2095, 503, 2598));
    // Anthropic's cached input counts as input.
    assertThat(scanUsage(ANTHROPIC_BODY.replace("\"cache_read_input_tokens\":0", "\"cache_read_input_tokens\":100")))
        .isEqualTo(new Usage(2195, 503, 2698));
    // An output-only usage is no usage for a body.
    assertThat(scanUsage("{\"usage\":{\"output_tokens\":5}}")).isNull();
  }

  @Test
  void responsesStreamSettlesFromResponseCompleted() {
    Filtered r = filterEverySplit(RESPONSES_STREAM);

    assertThat(r.output).isEqualTo(RESPONSES_STREAM);
    assertThat(r.usage).isEqualTo(new Usage(37, 11, 48));
    assertThat(r.contentEvents).isEqualTo(2);
  }

  @Test
  void anthropicStreamSettlesFromMessageStartAndMessageDelta() {
    Filtered r = filterEverySplit(ANTHROPIC_STREAM);

    assertThat(r.output).isEqualTo(ANTHROPIC_STREAM);
    assertThat(r.usage).isEqualTo(new Usage(25, 15, 40));
    assertThat(r.contentEvents).isEqualTo(2);

    // Newer API versions repeat the input in message_delta.
    String newer = ANTHROPIC_STREAM.replace("\"usage\":{\"output_tokens\":15}",
        "\"usage\":{\"input_tokens\":25,\"cache_read_input_tokens\":5,\"output_tokens\":16}");
    assertThat(filterEverySplit(newer).usage).isEqualTo(new Usage(30, 16, 46));
    // Cut before message_delta: message_start's count stands.
    String cut = ANTHROPIC_STREAM.substring(0, ANTHROPIC_STREAM.indexOf("event: message_delta"));
    assertThat(filterEverySplit(cut).usage).isEqualTo(new Usage(25, 1, 26));
  }

  @Test
  void firstTokenHoldCommitsAtEachApisFirstContentEvent() {
    assertCommitsAt(RESPONSES_STREAM, "event: response.output_text.delta", Seen.CONTENT);
    assertCommitsAt(ANTHROPIC_STREAM, "event: content_block_delta", Seen.CONTENT);
    String completions = "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"\","
        + "\"index\":0,\"finish_reason\":null}]}\n\ndata: {\"id\":\"cmpl-1\",\"object\":\"text_completion\","
        + "\"choices\":[{\"text\":\"Once\",\"index\":0,\"finish_reason\":null}]}\n\ndata: [DONE]\n\n";
    assertCommitsAt(completions, "data: {\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"choices\":[{\"text\":\"Once",
        Seen.CONTENT);
    String anthropicError = ApiSamples.sse("message_start", "{\"type\":\"message_start\",\"message\":{\"usage\":"
        + "{\"input_tokens\":1,\"output_tokens\":1}}}") + ApiSamples.sse("error", "{\"type\":\"error\",\"error\":"
        + "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}");
    assertCommitsAt(anthropicError, "event: error", Seen.ERROR);
  }

  /** The detector commits at the end of the first event starting at {@code marker}, for every split. */
  private static void assertCommitsAt(String stream, String marker, Seen expected) {
    int start = stream.indexOf(marker);
    int end = stream.indexOf("\n\n", start) + 2;
    long commitAt = utf8(stream.substring(0, end)).length;
    byte[] data = utf8(stream);
    for (int[] split : Chunks.allSplits(data.length, stream.hashCode())) {
      SseFirstContentDetector detector = new SseFirstContentDetector();
      for (ByteBuf chunk : Chunks.chunks(data, split)) {
        detector.feed(chunk);
        chunk.release();
      }
      assertThat(detector.seen()).isEqualTo(expected);
      assertThat(detector.bytesSeen()).isEqualTo(commitAt);
    }
  }

  private static Usage scanUsage(String body) {
    byte[] data = utf8(body);
    Usage first = null;
    boolean firstSet = false;
    for (int[] split : Chunks.allSplits(data.length, body.hashCode())) {
      JsonUsageScanner scanner = new JsonUsageScanner();
      for (ByteBuf chunk : Chunks.chunks(data, split)) {
        int reader = chunk.readerIndex();
        scanner.feed(chunk);
        assertThat(chunk.readerIndex()).isEqualTo(reader);
        chunk.release();
      }
      if (!firstSet) {
        first = scanner.usage();
        firstSet = true;
      } else {
        assertThat(scanner.usage()).isEqualTo(first);
      }
    }
    return first;
  }

  private record Filtered(String output, Usage usage, long contentEvents) {}

  private static Filtered filterEverySplit(String stream) {
    byte[] data = utf8(stream);
    Filtered first = null;
    for (int[] split : Chunks.allSplits(data.length, stream.hashCode())) {
      SseUsageFilter filter = new SseUsageFilter(false);
      ByteBuf collected = Unpooled.buffer();
      List<ByteBuf> chunks = Chunks.chunks(data, split);
      List<ByteBuf> outputs = new ArrayList<>();
      for (ByteBuf chunk : chunks) {
        ByteBuf out = filter.process(chunk);
        assertThat(out).isSameAs(chunk);
        collected.writeBytes(out, out.readerIndex(), out.readableBytes());
        outputs.add(out);
      }
      filter.close();
      outputs.forEach(ByteBuf::release);
      Filtered f = new Filtered(Chunks.string(collected), filter.usage(), filter.contentEvents());
      collected.release();
      if (first == null) {
        first = f;
      } else {
        assertThat(f).isEqualTo(first);
      }
    }
    return first;
  }
}
