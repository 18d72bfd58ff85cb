package dev.spillway.core.llm;

import static dev.spillway.core.llm.Chunks.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SseUsageFilterTest {
  private static final String HEAD = "{\"id\":\"chatcmpl-AhI2\",\"object\":\"chat.completion.chunk\","
      + "\"created\":1734000000,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_0aa8d3e20b\",";

  /** An OpenAI stream with include_usage: usage null on every chunk, then the usage-only chunk. */
  static final String OPENAI = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
      + "\"content\":\"\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}")
      + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"},\"logprobs\":null,"
      + "\"finish_reason\":null}],\"usage\":null}")
      + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" w\\u00f6rld \\\"usage\\\":{}\"},"
      + "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}")
      + event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],"
      + "\"usage\":null}");
  static final String OPENAI_USAGE = event(HEAD + "\"choices\":[],\"usage\":{\"prompt_tokens\":19,"
      + "\"completion_tokens\":10,\"total_tokens\":29,\"prompt_tokens_details\":{\"cached_tokens\":0,"
      + "\"audio_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0,\"audio_tokens\":0,"
      + "\"accepted_prediction_tokens\":0,\"rejected_prediction_tokens\":0}}}");
  static final String DONE = "data: [DONE]\n\n";
  private static final String MUTATIONS = "{}[]\",:\r\n x0";

  /** A vLLM stream: no usage member on content chunks, choices null on the usage chunk, CRLF lines. */
  static final String VLLM = ("data: {\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"llama\","
      + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hi\"},\"finish_reason\":null}]}"
      + "\r\n\r\n: keep-alive comment\r\n\r\n"
      + "data: {\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"llama\","
      + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\r\n\r\n");
  static final String VLLM_USAGE = "data: {\"id\":\"cmpl-1\",\"object\":\"chat.completion.chunk\","
      + "\"model\":\"llama\",\"choices\":null,\"usage\":{\"prompt_tokens\":7,\"total_tokens\":9,"
      + "\"completion_tokens\":2}}\r\n\r\n";

  @Test
  void stripsExactlyTheUsageOnlyEvent() {
    Result r = filterEverySplit(OPENAI + OPENAI_USAGE + DONE, true);

    assertThat(r.output).isEqualTo(OPENAI + DONE);
    assertThat(r.usage).isEqualTo(new Usage(19, 10, 29));
    assertThat(r.contentEvents).isEqualTo(2);
  }

  @Test
  void passesEverythingWhenNotStripping() {
    Result r = filterEverySplit(OPENAI + OPENAI_USAGE + DONE, false);

    assertThat(r.output).isEqualTo(OPENAI + OPENAI_USAGE + DONE);
    assertThat(r.usage).isEqualTo(new Usage(19, 10, 29));
    assertThat(r.contentEvents).isEqualTo(2);
  }

  @Test
  void stripsVllmUsageWithNullChoicesAndCrlfLines() {
    Result r = filterEverySplit(VLLM + VLLM_USAGE + DONE.replace("\n", "\r\n"), true);

    assertThat(r.output).isEqualTo(VLLM + DONE.replace("\n", "\r\n"));
    assertThat(r.usage).isEqualTo(new Usage(7, 2, 9));
    assertThat(r.contentEvents).isEqualTo(2);
  }

  @Test
  void handlesCrOnlyLinesAndMultipleDataLines() {
    String split = "data: {\"choices\":[],\r\ndata: \"usage\":{\"prompt_tokens\":1,\r\ndata:"
        + "\"completion_tokens\":2}}\r\r";
    String content = "event: message\nid: 7\ndata: {\"choices\":[{\"delta\":{\"content\":\"x\"}}]}\n\n";

    Result r = filterEverySplit(content + split + "\n" + DONE, true);

    assertThat(r.output).isEqualTo(content + DONE);
    assertThat(r.usage).isEqualTo(new Usage(1, 2, 3));
    assertThat(r.contentEvents).isOne();
  }

  @Test
  void keepsUsageThatCameWithChoices() {
    String withChoices = event("{\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],"
        + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4,\"total_tokens\":7}}");
    String nestedOnly = event("{\"choices\":[],\"x\":{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}}");
    String nullUsage = event("{\"choices\":[],\"usage\":null}");
    String noChoices = event("{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":4}}");
    String input = withChoices + nestedOnly + nullUsage + noChoices + DONE;

    Result r = filterEverySplit(input, true);

    assertThat(r.output).isEqualTo(input);
    assertThat(r.usage).isEqualTo(new Usage(3, 4, 7));
    assertThat(r.contentEvents).isZero();
  }

  @Test
  void passesMalformedEventsThrough() {
    String input = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}\n\n"
        + "data: not json\n\n: comment only\n\n\n\ndata:\n\n" + DONE;
    Result r = filterEverySplit(input, true);

    assertThat(r.output).isEqualTo(input);
    assertThat(r.usage).isNull();
  }

  @Test
  void returnsTheSameBufferForWholeEvents() {
    SseUsageFilter filter = new SseUsageFilter(true);
    String[] events = (OPENAI + DONE).split("(?<=\n\n)");
    for (String event : events) {
      ByteBuf chunk = Unpooled.directBuffer().writeBytes(utf8(event));
      ByteBuf out = filter.process(chunk);
      assertThat(out).isSameAs(chunk);
      out.release();
    }
    filter.close();
  }

  @Test
  void stripsToAnEmptyBufferAndReleasesTheChunk() {
    SseUsageFilter filter = new SseUsageFilter(true);
    ByteBuf chunk = Unpooled.directBuffer().writeBytes(utf8(OPENAI_USAGE));

    ByteBuf out = filter.process(chunk);

    assertThat(out.readableBytes()).isZero();
    assertThat(chunk.refCnt()).isZero();
    out.release();
    filter.close();
  }

  @Test
  void releasesHeldBytesOnClose() {
    SseUsageFilter filter = new SseUsageFilter(true);
    ByteBuf first = Unpooled.directBuffer().writeBytes(utf8(OPENAI_USAGE.substring(0, 40)));
    ByteBuf second = Unpooled.directBuffer().writeBytes(utf8(OPENAI_USAGE.substring(40, 80)));

    ByteBuf out1 = filter.process(first);
    ByteBuf out2 = filter.process(second);
    assertThat(out1.readableBytes() + out2.readableBytes()).isZero();
    out1.release();
    out2.release();
    assertThat(first.refCnt()).isOne();
    filter.close();
    filter.close();

    assertThat(first.refCnt()).isZero();
    assertThat(second.refCnt()).isZero();
    assertThat(filter.usage()).isNull();
  }

  @Test
  void forwardsAHugeEventInsteadOfHoldingIt() {
    String big = "data: {\"choices\":null,\"pad\":\"" + "p".repeat(SseUsageFilter.MAX_HELD_BYTES) + "\"}\n\n";
    Result r = filter(utf8(big + OPENAI_USAGE), Chunks.randomSplit(big.length() + OPENAI_USAGE.length(),
        new Random(5)), true);
    assertThat(r.output).isEqualTo(big);
    assertThat(r.usage).isEqualTo(new Usage(19, 10, 29));
  }

  @Test
  void holdsNothingOnceAnEventHasContent() {
    SseUsageFilter filter = new SseUsageFilter(true);
    String event = event(HEAD + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}],\"usage\":null}");
    int cut = event.indexOf("\"delta\"");
    ByteBuf first = Unpooled.directBuffer().writeBytes(utf8(event.substring(0, cut)));
    ByteBuf second = Unpooled.directBuffer().writeBytes(utf8(event.substring(cut)));

    ByteBuf out1 = filter.process(first);
    ByteBuf out2 = filter.process(second);

    assertThat(out1).isSameAs(first);
    assertThat(out2).isSameAs(second);
    assertThat(filter.contentEvents()).isOne();
    out1.release();
    out2.release();
    filter.close();
  }

  @Test
  void neverThrowsOnMutatedStreams() {
    Random random = new Random(3);
    byte[] sample = utf8(OPENAI + OPENAI_USAGE + VLLM + VLLM_USAGE + DONE);
    for (int n = 0; n < 1000; n++) {
      byte[] data = sample.clone();
      for (int e = random.nextInt(4); e >= 0; e--) {
        data[random.nextInt(data.length)] = (byte) MUTATIONS.charAt(random.nextInt(MUTATIONS.length()));
      }
      int length = random.nextInt(data.length + 1);
      byte[] input = java.util.Arrays.copyOf(data, length);
      Result whole = filter(input, new int[] {0, length}, true);
      Result split = filter(input, Chunks.randomSplit(length, random), true);
      assertThat(split.output).isEqualTo(whole.output);
      assertThat(split.usage).isEqualTo(whole.usage);
      assertThat(split.contentEvents).isEqualTo(whole.contentEvents);
      assertThat(filter(input, new int[] {0, length}, false).output).isEqualTo(new String(input,
          java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static String event(String json) {
    return "data: " + json + "\n\n";
  }

  private record Result(String output, Usage usage, long contentEvents) {}

  private static Result filterEverySplit(String input, boolean strip) {
    byte[] data = utf8(input);
    Result first = null;
    for (int[] split : Chunks.allSplits(data.length, input.hashCode())) {
      Result r = filter(data, split, strip);
      if (first == null) {
        first = r;
      } else {
        assertThat(r).as("split %s", java.util.Arrays.toString(split)).isEqualTo(first);
      }
    }
    return first;
  }

  /** Runs the chunks through a filter; every chunk and output must be released exactly once. */
  private static Result filter(byte[] data, int[] split, boolean strip) {
    SseUsageFilter filter = new SseUsageFilter(strip);
    List<ByteBuf> chunks = Chunks.chunks(data, split);
    ByteBuf collected = Unpooled.buffer();
    List<ByteBuf> outputs = new ArrayList<>();
    for (ByteBuf chunk : chunks) {
      ByteBuf out = filter.process(chunk);
      if (!strip) {
        assertThat(out).isSameAs(chunk);
      }
      collected.writeBytes(out, out.readerIndex(), out.readableBytes());
      outputs.add(out);
    }
    filter.close();
    for (ByteBuf out : outputs) {
      out.release();
    }
    for (ByteBuf chunk : chunks) {
      assertThat(chunk.refCnt()).isZero();
    }
    String output = Chunks.string(collected);
    collected.release();
    return new Result(output, filter.usage(), filter.contentEvents());
  }
}
