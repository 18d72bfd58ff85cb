package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonUsageScannerTest {
  /** A chat.completion as in the OpenAI API reference, with a tool call and usage details. */
  static final String CHAT_COMPLETION = """
      {
        "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
        "object": "chat.completion",
        "created": 1741570283,
        "model": "gpt-4o-2024-08-06",
        "choices": [
          {
            "index": 0,
            "message": {
              "role": "assistant",
              "content": "The image shows a wooden boardwalk \\"usage\\": {\\"prompt_tokens\\": 1} \\u2014 fine.",
              "refusal": null,
              "tool_calls": [{"id": "call_1", "type": "function",
                "function": {"name": "f", "arguments": "{\\"usage\\":{\\"total_tokens\\":3}}"}}],
              "annotations": [], "metadata": {"usage": {"prompt_tokens": 5, "completion_tokens": 6}}
            },
            "logprobs": null,
            "finish_reason": "stop"
          }
        ],
        "usage": {
          "prompt_tokens": 1117,
          "completion_tokens": 46,
          "total_tokens": 1163,
          "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0, "total_tokens": 7},
          "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0,
            "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}
        },
        "service_tier": "default",
        "system_fingerprint": "fp_fc9f1d7035"
      }
      """;

  @Test
  void readsTheTopLevelUsage() {
    assertThat(scanEverySplit(CHAT_COMPLETION)).isEqualTo(new Usage(1117, 46, 1163));
  }

  @Test
  void ignoresUsageNestedElsewhere() {
    String nestedOnly = CHAT_COMPLETION.substring(0, CHAT_COMPLETION.indexOf(",\n  \"usage\"")) + "}";
    assertThat(scanEverySplit(nestedOnly)).isNull();
    assertThat(scanEverySplit("{\"data\":{\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}}")).isNull();
  }

  @Test
  void needsTokenCountsInAnObject() {
    assertThat(scanEverySplit("{\"usage\":null}")).isNull();
    assertThat(scanEverySplit("{\"usage\":{\"prompt_tokens\":1}}")).isNull();
    assertThat(scanEverySplit("{\"usage\":{\"prompt_tokens\":1.5,\"completion_tokens\":2}}")).isNull();
    assertThat(scanEverySplit("{\"usage\":[1,2,3]}")).isNull();
    assertThat(scanEverySplit("{\"usage\":{\"completion_tokens\":2,\"prompt_tokens\":1}}"))
        .isEqualTo(new Usage(1, 2, 3));
    assertThat(scanEverySplit("{\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}}"))
        .isEqualTo(new Usage(0, 0, 0));
  }

  @Test
  void neverThrowsOnMutatedInput() {
    Random random = new Random(11);
    byte[] sample = utf8(CHAT_COMPLETION);
    for (int n = 0; n < 2000; n++) {
      byte[] data = sample.clone();
      for (int e = random.nextInt(3); e >= 0; e--) {
        data[random.nextInt(data.length)] = (byte) random.nextInt(256);
      }
      int length = random.nextInt(data.length + 1);
      Usage whole = scan(data, new int[] {0, length});
      assertThat(scan(data, Chunks.randomSplit(length, random))).isEqualTo(whole);
    }
  }

  private static Usage scanEverySplit(String body) {
    byte[] data = utf8(body);
    Usage first = scan(data, new int[] {0, data.length});
    for (int[] split : Chunks.allSplits(data.length, body.hashCode())) {
      assertThat(scan(data, split)).isEqualTo(first);
    }
    return first;
  }

  private static Usage scan(byte[] data, int[] split) {
    JsonUsageScanner scanner = new JsonUsageScanner();
    for (ByteBuf chunk : Chunks.chunks(data, split)) {
      int reader = chunk.readerIndex();
      scanner.feed(chunk);
      assertThat(chunk.readerIndex()).isEqualTo(reader);
      chunk.release();
    }
    return scanner.usage();
  }
}
