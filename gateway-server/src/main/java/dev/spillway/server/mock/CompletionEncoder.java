package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Encodes one completion's JSON: the {@code chat.completion} object, or the {@code chat.completion.chunk}
 * server-sent events of a stream. The per-request head ({@code id}, {@code created}, {@code model}) is
 * encoded once; every other fragment is a constant, so a token costs one small buffer and a few copies.
 *
 * <p>Token {@code i} is word {@code i % WORDS.length}; every token but the first carries its leading space, so
 * the concatenated deltas equal the non-streamed content.
 */
final class CompletionEncoder {
  private static final String[] WORDS = (
      "Spillway is a mock model that streams plausible tokens at a steady pace so that gateways, load "
          + "balancers and clients can be tested against a backend with finite capacity and honest latency "
          + "under load").split(" ");
  private static final byte[][] DELTAS = new byte[WORDS.length][];
  private static final byte[][] TEXT = new byte[WORDS.length][];

  static {
    for (int i = 0; i < WORDS.length; i++) {
      DELTAS[i] = ("{\"content\":\" " + WORDS[i] + "\"}").getBytes(US_ASCII);
      TEXT[i] = (" " + WORDS[i]).getBytes(US_ASCII);
    }
  }

  private static final byte[] DATA = "data: ".getBytes(US_ASCII);
  private static final byte[] FIRST_DELTA = ("{\"content\":\"" + WORDS[0] + "\"}").getBytes(US_ASCII);
  private static final byte[] ROLE_DELTA = "{\"role\":\"assistant\",\"content\":\"\"}".getBytes(US_ASCII);
  private static final byte[] CHOICE_OPEN = "\"choices\":[{\"index\":0,\"delta\":".getBytes(US_ASCII);
  private static final byte[] CHOICE_CLOSE = ",\"logprobs\":null,\"finish_reason\":null}]}\n\n".getBytes(US_ASCII);
  private static final byte[] CHOICE_CLOSE_USAGE =
      ",\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n".getBytes(US_ASCII);
  private static final byte[] EMPTY_DELTA = "{}".getBytes(US_ASCII);
  private static final byte[] NO_CHOICES = "\"choices\":[],\"usage\":".getBytes(US_ASCII);
  private static final byte[] EVENT_END = "}\n\n".getBytes(US_ASCII);

  /** The stream's last event, shared by all streams. */
  static final ByteBuf DONE = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(
      "data: [DONE]\n\n".getBytes(US_ASCII)));

  /** {@code {"id":…,"object":"chat.completion.chunk","created":…,"model":…,"system_fingerprint":…,}}. */
  private final byte[] chunkHead;
  private final String completionHead;
  private final boolean usageInChunks;

  CompletionEncoder(String model, boolean usageInChunks) {
    String id = "chatcmpl-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE)
        + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
    String common = ",\"created\":" + System.currentTimeMillis() / 1000 + ",\"model\":\""
        + new String(JsonStringEncoder.getInstance().quoteAsString(model))
        + "\",\"system_fingerprint\":\"fp_spillway\",";
    this.chunkHead = ("{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\"" + common).getBytes(UTF_8);
    this.completionHead = "{\"id\":\"" + id + "\",\"object\":\"chat.completion\"" + common;
    this.usageInChunks = usageInChunks;
  }

  /** The first event: the assistant role with empty content. */
  ByteBuf roleChunk(ByteBufAllocator alloc) {
    return chunk(alloc, ROLE_DELTA, usageInChunks ? CHOICE_CLOSE_USAGE : CHOICE_CLOSE);
  }

  /** The event carrying token {@code index} (0-based). */
  ByteBuf tokenChunk(ByteBufAllocator alloc, int index) {
    byte[] delta = index == 0 ? FIRST_DELTA : DELTAS[index % DELTAS.length];
    return chunk(alloc, delta, usageInChunks ? CHOICE_CLOSE_USAGE : CHOICE_CLOSE);
  }

  /** The event with an empty delta and the finish reason. */
  ByteBuf finishChunk(ByteBufAllocator alloc, String finishReason) {
    String close = ",\"logprobs\":null,\"finish_reason\":\"" + finishReason + "\"}]"
        + (usageInChunks ? ",\"usage\":null" : "") + "}\n\n";
    return chunk(alloc, EMPTY_DELTA, close.getBytes(US_ASCII));
  }

  /** The {@code include_usage} event: no choices, only usage. */
  ByteBuf usageChunk(ByteBufAllocator alloc, int promptTokens, int completionTokens) {
    byte[] usage = usage(promptTokens, completionTokens).getBytes(US_ASCII);
    ByteBuf buf = alloc.buffer(DATA.length + chunkHead.length + NO_CHOICES.length + usage.length + EVENT_END.length);
    return buf.writeBytes(DATA).writeBytes(chunkHead).writeBytes(NO_CHOICES).writeBytes(usage).writeBytes(EVENT_END);
  }

  /** The whole non-streamed {@code chat.completion} object. */
  ByteBuf completion(ByteBufAllocator alloc, int completionTokens, String finishReason, int promptTokens) {
    StringBuilder tail = new StringBuilder(128)
        .append("\",\"refusal\":null},\"logprobs\":null,\"finish_reason\":\"").append(finishReason)
        .append("\"}],\"usage\":").append(usage(promptTokens, completionTokens)).append('}');
    String head = completionHead + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"";
    ByteBuf buf = alloc.buffer(head.length() + completionTokens * 12 + tail.length());
    buf.writeCharSequence(head, UTF_8);
    for (int i = 0; i < completionTokens; i++) {
      byte[] text = TEXT[i % TEXT.length];
      // The first word has no leading space.
      buf.writeBytes(text, i == 0 ? 1 : 0, i == 0 ? text.length - 1 : text.length);
    }
    buf.writeCharSequence(tail, US_ASCII);
    return buf;
  }

  private ByteBuf chunk(ByteBufAllocator alloc, byte[] delta, byte[] close) {
    ByteBuf buf = alloc.buffer(DATA.length + chunkHead.length + CHOICE_OPEN.length + delta.length + close.length);
    return buf.writeBytes(DATA).writeBytes(chunkHead).writeBytes(CHOICE_OPEN).writeBytes(delta).writeBytes(close);
  }

  private static String usage(int promptTokens, int completionTokens) {
    return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
        + ",\"total_tokens\":" + ((long) promptTokens + completionTokens) + "}";
  }
}
