package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.TokenEstimationConfig;
import dev.spillway.core.config.Tokenizer;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

class TokenEstimatorTest {
  private static final String SYSTEM = "You are a helpful assistant.";
  private static final String USER = "Hello, world! How are you today?";
  private static final String JAPANESE = "お誕生日おめでとう";

  private static TokenEstimationConfig config(Tokenizer tokenizer) {
    return new TokenEstimationConfig(64 * 1024, 4, 1024, true, tokenizer);
  }

  private static String chat(String model, String... contents) {
    StringBuilder sb = new StringBuilder("{\"model\":\"" + model + "\",\"max_tokens\":1,\"messages\":[");
    for (int i = 0; i < contents.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"role\":\"user\",\"content\":\"")
          .append(ChatRequestScannerTest.jsonEscape(contents[i])).append("\"}");
    }
    return sb.append("]}").toString();
  }

  /** Scans {@code body} in every split, checks each split's estimate is the same, and returns it. */
  private static TokenEstimate estimate(TokenEstimator estimator, String body, long contentLength, LlmApi api) {
    byte[] data = utf8(body);
    TokenEstimate first = null;
    for (int[] split : Chunks.allSplits(data.length, 11)) {
      ChatRequestScanner scanner = estimator.newScanner();
      for (ByteBuf chunk : Chunks.chunks(data, split)) {
        scanner.feed(chunk);
        chunk.release();
      }
      TokenEstimate e = estimator.estimate(scanner, contentLength, api);
      if (first == null) {
        first = e;
      } else {
        assertThat(e).as("split %s", java.util.Arrays.toString(split)).isEqualTo(first);
      }
    }
    return first;
  }

  @Test
  void countsEachPromptStringWithTheModelsEncoding() {
    TokenEstimator estimator = new TokenEstimator(config(Tokenizer.AUTO));
    String body = chat("gpt-4o-mini", SYSTEM, USER, JAPANESE);

    TokenEstimate e = estimate(estimator, body, body.length(), LlmApi.CHAT);

    long expected = BpeEncoding.O200K_BASE.count(SYSTEM) + BpeEncoding.O200K_BASE.count(USER) + 8;
    assertThat(e).isEqualTo(new TokenEstimate(expected, expected, BpeEncoding.O200K_BASE));
    assertThat(estimate(estimator, chat("gpt-4-turbo", USER), -1, LlmApi.CHAT))
        .isEqualTo(new TokenEstimate(9, 9, BpeEncoding.CL100K_BASE));
  }

  @Test
  void decodesEscapesAndSurrogatePairsBeforeCounting() {
    TokenEstimator estimator = new TokenEstimator(config(Tokenizer.CL100K_BASE));
    String text = "line one\nline \"two\"\tend é 中文 😀 \ud83d\ude00";
    // jsonEscape writes surrogates as \\u escapes and the tab as \\t: both paths of the decoder.
    String body = chat("whatever", text);

    assertThat(estimate(estimator, body, -1, LlmApi.CHAT).promptTokens())
        .isEqualTo(BpeEncoding.CL100K_BASE.count(text));
  }

  @Test
  void countsCharactersForModelsWithoutAKnownEncodingOrWhenToldTo() {
    String body = chat("claude-sonnet-4-5", USER);
    long chars = (USER.length() + 3) / 4;

    assertThat(estimate(new TokenEstimator(config(Tokenizer.AUTO)), body, -1, LlmApi.CHAT))
        .isEqualTo(new TokenEstimate(chars, chars, null));
    assertThat(estimate(new TokenEstimator(config(Tokenizer.CHARS)), chat("gpt-4o", USER), -1, LlmApi.CHAT))
        .isEqualTo(new TokenEstimate(chars, chars, null));
  }

  @Test
  void theCompletionBudgetStillWinsWhenLarger() {
    TokenEstimator estimator = new TokenEstimator(config(Tokenizer.AUTO));
    String body = "{\"model\":\"gpt-4o\",\"max_tokens\":500,\"messages\":[{\"role\":\"user\",\"content\":\"hello world\"}]}";

    assertThat(estimate(estimator, body, -1, LlmApi.CHAT)).isEqualTo(new TokenEstimate(500, 2, BpeEncoding.O200K_BASE));
    String embeddings = "{\"model\":\"text-embedding-3-small\",\"input\":[\"hello world\",\"tiktoken is great!\"]}";
    assertThat(estimate(estimator, embeddings, -1, LlmApi.EMBEDDINGS))
        .isEqualTo(new TokenEstimate(8, 8, BpeEncoding.CL100K_BASE));
  }

  @Test
  void extrapolatesTextBeyondWhatWasTokenized() {
    TokenEstimator estimator = new TokenEstimator(config(Tokenizer.O200K_BASE));
    String sentence = "The quick brown fox jumps over the lazy dog. ";
    int perSentence = BpeEncoding.O200K_BASE.count(sentence.repeat(100)) / 100;
    String long1 = sentence.repeat(3 * TokenEstimator.MAX_TOKENIZED_BYTES / sentence.length());
    String body = chat("gpt-4o", long1);
    ChatRequestScanner scanner = estimator.newScanner();
    ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(utf8(body));
    scanner.feed(buf);
    buf.release();

    long tokens = estimator.estimate(scanner, body.length(), LlmApi.CHAT).promptTokens();

    assertThat(scanner.promptText().truncated()).isTrue();
    long exact = BpeEncoding.O200K_BASE.count(long1);
    assertThat(tokens).isBetween(exact - perSentence, exact + perSentence);
  }

  @Test
  void extrapolatesToAContentLengthBeyondTheScannedPrefix() {
    TokenEstimator estimator = new TokenEstimator(new TokenEstimationConfig(1024, 4, 1, true, Tokenizer.AUTO));
    String body = chat("gpt-4o", "hello world ".repeat(400));
    ChatRequestScanner scanner = estimator.newScanner();
    ByteBuf buf = io.netty.buffer.Unpooled.wrappedBuffer(utf8(body));
    scanner.feed(buf);
    buf.release();
    ChatRequestInfo info = scanner.info();

    long tokens = estimator.estimate(scanner, body.length(), LlmApi.CHAT).promptTokens();

    assertThat(info.complete()).isFalse();
    long seen = BpeEncoding.O200K_BASE.count(scanner.promptText().segment(0));
    assertThat(tokens).isEqualTo((long) Math.ceil((double) seen * body.length() / info.scannedBytes()));
  }

  @Test
  void aMalformedBodyIsEstimatedFromItsLength() {
    TokenEstimator estimator = new TokenEstimator(config(Tokenizer.AUTO));

    assertThat(estimate(estimator, "[\"gpt-4o\"]", 400, LlmApi.CHAT)).isEqualTo(new TokenEstimate(100, 100, null));
  }
}
