package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChatRequestScannerTest {
  private static final long CAP = 64 * 1024;

  @Test
  void readsTopLevelFieldsOfAToolsAndResponseFormatRequest() {
    ChatRequestInfo info = scanEverySplit(ChatRequests.TOOLS_AND_FORMAT, CAP);

    long prompt = ChatRequests.SYSTEM.length() + ChatRequests.USER.length() + ChatRequests.ARGUMENTS.length()
        + ChatRequests.TOOL_RESULT.length();
    assertThat(info).isEqualTo(new ChatRequestInfo("gpt-4o-2024-08-06", 512, true, true, prompt, 0,
        utf8(ChatRequests.TOOLS_AND_FORMAT).length - 1, true, false));
  }

  @Test
  void countsTextPartsButNotImageUrls() {
    ChatRequestInfo info = scanEverySplit(ChatRequests.IMAGE_PARTS, CAP);

    assertThat(info.model()).isEqualTo("gpt-4o-mini");
    assertThat(info.maxTokens()).isEqualTo(300);
    assertThat(info.stream()).isFalse();
    assertThat(info.promptChars()).isEqualTo(ChatRequests.IMAGE_TEXT.length());
    assertThat(info.complete()).isTrue();
  }

  @Test
  void ignoresNestedNamesLikeTopLevelOnes() {
    ChatRequestInfo info = scanEverySplit(ChatRequests.VLLM, CAP);

    assertThat(info).isEqualTo(new ChatRequestInfo("meta-llama/Llama-3.1-8B-Instruct", -1, true, false, 2, 0,
        utf8(ChatRequests.VLLM).length, true, false));
  }

  @Test
  void countsLegacyPromptStrings() {
    ChatRequestInfo info = scanEverySplit(ChatRequests.LEGACY_PROMPT, CAP);

    assertThat(info.promptChars()).isEqualTo("Say this".length() + "is a test".length());
    assertThat(info.maxTokens()).isEqualTo(7);
    assertThat(scanEverySplit("{\"prompt\":\"Once upon a time\"}", CAP).promptChars()).isEqualTo(16);
  }

  @Test
  void countsEscapesAndUnicodeAsJavaChars() {
    String content = "tab\t quote\" backslash\\ slash/ é ß 中文 😀 \u0001 \ud83d\ude00";
    String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"" + jsonEscape(content) + "\"},"
        + "{\"role\":\"user\",\"content\":\"raw é 中 😀\"}]}";

    assertThat(scanEverySplit(body, CAP).promptChars()).isEqualTo(content.length() + "raw é 中 😀".length());
  }

  @Test
  void matchesEscapedNamesAndDecodesTheModel() {
    ChatRequestInfo info = scanEverySplit(
        "{\"max\\u005ftokens\":12,\"\\u006dodel\":\"caf\\u00e9-\\\"x\\\"\",\"str\\u0065am\":true}", CAP);

    assertThat(info.maxTokens()).isEqualTo(12);
    assertThat(info.model()).isEqualTo("café-\"x\"");
    assertThat(info.stream()).isTrue();
  }

  @Test
  void leavesAModelTooLongToKeepNull() {
    String model = "m".repeat(JsonTokenizer.CAPTURE_CAPACITY + 1);
    assertThat(scanEverySplit("{\"model\":\"" + model + "\"}", CAP).model()).isNull();
    assertThat(scanEverySplit("{\"model\":\"" + model.substring(1) + "\"}", CAP).model()).hasSize(256);
    assertThat(scanEverySplit("{\"model\":42}", CAP).model()).isNull();
  }

  @Test
  void takesMaxCompletionTokensOverMaxTokensAndIgnoresUnusableNumbers() {
    assertThat(maxTokens("{\"max_completion_tokens\":5,\"max_tokens\":7}")).isEqualTo(5);
    assertThat(maxTokens("{\"max_tokens\":7,\"max_completion_tokens\":5}")).isEqualTo(5);
    assertThat(maxTokens("{\"max_tokens\":7,\"max_completion_tokens\":null}")).isEqualTo(7);
    assertThat(maxTokens("{\"max_tokens\":0}")).isZero();
    assertThat(maxTokens("{\"max_tokens\":100.0}")).isEqualTo(-1);
    assertThat(maxTokens("{\"max_tokens\":1e3}")).isEqualTo(-1);
    assertThat(maxTokens("{\"max_tokens\":-5}")).isEqualTo(-1);
    assertThat(maxTokens("{\"max_tokens\":\"100\"}")).isEqualTo(-1);
    assertThat(maxTokens("{\"max_tokens\":9223372036854775807}")).isEqualTo(Long.MAX_VALUE);
    assertThat(maxTokens("{\"max_tokens\":9223372036854775808}")).isEqualTo(-1);
    assertThat(maxTokens("{\"max_tokens\":99999999999999999999999}")).isEqualTo(-1);
    assertThat(maxTokens("{\"messages\":[],\"max_tokens\":64}")).isEqualTo(64);
  }

  @Test
  void readsStreamFlags() {
    ChatRequestInfo info = scanEverySplit("{\"stream\":false,\"stream_options\":{\"include_usage\":true}}", CAP);
    assertThat(info.stream()).isFalse();
    assertThat(info.includeUsage()).isTrue();
    info = scanEverySplit("{\"stream\":true,\"stream_options\":{\"include_usage\":false}}", CAP);
    assertThat(info.stream()).isTrue();
    assertThat(info.includeUsage()).isFalse();
    assertThat(scanEverySplit("{\"stream\":\"true\",\"stream_options\":null}", CAP).stream()).isFalse();
  }

  @Test
  void stopsAtTheCapAndKeepsThePartialString() {
    String body = "{\"model\":\"m\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\""
        + "x".repeat(1000) + "\"}]}";
    int cap = body.indexOf("xxx") + 100;

    ChatRequestInfo info = scanEverySplit(body, cap);

    assertThat(info).isEqualTo(new ChatRequestInfo("m", 10, false, false, 100, 0, cap, false, false));
    // 100 chars in the first `cap` bytes, extrapolated to the whole body: ceil(100 * len / cap) chars.
    long expectedChars = (long) Math.ceil(100.0 * body.length() / cap);
    assertThat(ChatRequestScanner.estimateTokens(info, body.length(), 4, 10)).isEqualTo((expectedChars + 3) / 4);
    assertThat(ChatRequestScanner.estimateTokens(info, -1, 4, 10)).isEqualTo(25);
  }

  @Test
  void anExactCapStillCompletes() {
    String body = "{\"messages\":[{\"content\":\"abcd\"}]}";
    ChatRequestInfo info = scanEverySplit(body, body.length());
    assertThat(info.complete()).isTrue();
    assertThat(info.promptChars()).isEqualTo(4);
  }

  @Test
  void reportsMalformedBodies() {
    for (String body : List.of("not json", "[{\"model\":\"x\"}]", "\"string\"", "42", "null", "{\"a\":}",
        "{\"a\" 1}", "{\"a\":1,}", "{'a':1}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":-}", "{\"a\":tru}",
        "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"ctl\u0001\"}", "{\"a\":[1,]}", "{\"a\":1]",
        "{\"a\":[1}", "{\"a\":1}}", "{\"a\":1} x")) {
      ChatRequestInfo info = scanEverySplit(body, CAP);
      if (body.equals("{\"a\":1}}") || body.equals("{\"a\":1} x")) {
        // The object closed before the junk; what follows it is the backend's problem.
        assertThat(info.complete()).as(body).isTrue();
        continue;
      }
      assertThat(info.malformed()).as(body).isTrue();
      assertThat(info.complete()).as(body).isFalse();
      assertThat(ChatRequestScanner.estimateTokens(info, 400, 4, 1024)).as(body).isEqualTo(100);
      assertThat(ChatRequestScanner.estimateTokens(info, -1, 4, 1024)).as(body).isEqualTo(1024);
    }
  }

  @Test
  void treatsATruncatedBodyAsIncompleteNotMalformed() {
    String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"hello";
    ChatRequestScanner scanner = scan(body, CAP, new int[] {0, body.length()});

    assertThat(scanner.done()).isFalse();
    assertThat(scanner.info()).isEqualTo(new ChatRequestInfo("gpt-4o", -1, false, false, 5, 0, body.length(), false,
        false));
  }

  @Test
  void limitsNestingDepth() {
    String ok = "{\"a\":" + "[".repeat(63) + "]".repeat(63) + "}";
    String deep = "{\"a\":" + "[".repeat(64) + "]".repeat(64) + "}";
    assertThat(scanEverySplit(ok, CAP).complete()).isTrue();
    assertThat(scanEverySplit(deep, CAP).malformed()).isTrue();
    String huge = "{\"a\":" + "[".repeat(100_000);
    ChatRequestScanner scanner = scan(huge, 1 << 20, new int[] {0, huge.length()});
    assertThat(scanner.done()).isTrue();
    assertThat(scanner.info().malformed()).isTrue();
    assertThat(scanner.info().scannedBytes()).isEqualTo(5 + JsonTokenizer.MAX_DEPTH);
  }

  @Test
  void neverThrowsOrLoopsOnMutatedInput() {
    Random random = new Random(7);
    byte[][] samples = {utf8(ChatRequests.TOOLS_AND_FORMAT), utf8(ChatRequests.IMAGE_PARTS),
        utf8(ChatRequests.VLLM), utf8(ChatRequests.LEGACY_PROMPT)};
    for (int n = 0; n < 3000; n++) {
      byte[] data = samples[n % samples.length].clone();
      int edits = 1 + random.nextInt(4);
      for (int e = 0; e < edits; e++) {
        data[random.nextInt(data.length)] = (byte) random.nextInt(256);
      }
      int length = random.nextInt(data.length + 1);
      byte[] input = java.util.Arrays.copyOf(data, length);
      ChatRequestInfo whole = scan(input, CAP, new int[] {0, length}).info();
      ChatRequestInfo split = scan(input, CAP, Chunks.randomSplit(length, random)).info();
      assertThat(split).isEqualTo(whole);
      assertThat(whole.scannedBytes()).isLessThanOrEqualTo(length);
      assertThat(ChatRequestScanner.estimateTokens(whole, length, 4, 1024)).isPositive();
    }
  }

  @Test
  void estimatesByOpenAisMaxRule() {
    ChatRequestInfo small = new ChatRequestInfo("m", 500, false, false, 400, 0, 1000, true, false);
    ChatRequestInfo big = new ChatRequestInfo("m", 500, false, false, 4001, 0, 9000, true, false);
    ChatRequestInfo noMax = new ChatRequestInfo("m", -1, false, false, 40, 0, 100, true, false);
    ChatRequestInfo zero = new ChatRequestInfo("m", 0, false, false, 0, 0, 2, true, false);

    assertThat(ChatRequestScanner.estimateTokens(small, 1000, 4, 1024)).isEqualTo(500);
    assertThat(ChatRequestScanner.estimateTokens(big, 9000, 4, 1024)).isEqualTo(1001);
    assertThat(ChatRequestScanner.estimateTokens(noMax, 100, 4, 1024)).isEqualTo(1024);
    assertThat(ChatRequestScanner.estimateTokens(noMax, 100, 1, 8)).isEqualTo(40);
    assertThat(ChatRequestScanner.estimateTokens(zero, 2, 4, 1024)).isZero();
    // Complete scans ignore Content-Length; huge lengths saturate rather than overflow.
    assertThat(ChatRequestScanner.estimateTokens(big, Long.MAX_VALUE, 4, 1024)).isEqualTo(1001);
    ChatRequestInfo capped = new ChatRequestInfo("m", 1, false, false, 1000, 0, 1000, false, false);
    assertThat(ChatRequestScanner.estimateTokens(capped, Long.MAX_VALUE, 1, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(ChatRequestScanner.estimateTokens(capped, 4000, 4, 1)).isEqualTo(1000);
    assertThatThrownBy(() -> ChatRequestScanner.estimateTokens(small, 1, 0, 1))
        .hasMessage("charsPerToken: 0 (expected: > 0)");
    assertThatThrownBy(() -> new ChatRequestScanner(0)).hasMessage("maxBytes: 0 (expected: > 0)");
  }

  private static long maxTokens(String body) {
    return scanEverySplit(body, CAP).maxTokens();
  }

  /** Scans {@code body} whole, byte by byte and at random splits; all must agree. */
  static ChatRequestInfo scanEverySplit(String body, long cap) {
    byte[] data = utf8(body);
    ChatRequestInfo first = null;
    for (int[] split : Chunks.allSplits(data.length, body.hashCode())) {
      ChatRequestInfo info = scan(data, cap, split).info();
      if (first == null) {
        first = info;
      } else {
        assertThat(info).as("split %s", java.util.Arrays.toString(split)).isEqualTo(first);
      }
    }
    return first;
  }

  private static ChatRequestScanner scan(String body, long cap, int[] split) {
    return scan(utf8(body), cap, split);
  }

  private static ChatRequestScanner scan(byte[] data, long cap, int[] split) {
    ChatRequestScanner scanner = new ChatRequestScanner(cap);
    for (ByteBuf chunk : Chunks.chunks(data, split)) {
      int reader = chunk.readerIndex();
      int writer = chunk.writerIndex();
      scanner.feed(chunk);
      assertThat(chunk.readerIndex()).isEqualTo(reader);
      assertThat(chunk.writerIndex()).isEqualTo(writer);
      chunk.release();
    }
    return scanner;
  }

  static String jsonEscape(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\t' -> sb.append("\\t");
        case '/' -> sb.append("\\/");
        default -> {
          if (c < 0x20 || Character.isSurrogate(c)) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
