package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Rewrites of a complete JSON request body held by the gateway. */
public final class RequestBodies {
  private static final byte[] STREAM_OPTIONS_MEMBER = JsonNames.bytes("\"stream_options\":{\"include_usage\":true}");
  private static final byte[] STREAM_OPTIONS_VALUE = JsonNames.bytes("{\"include_usage\":true}");
  private static final byte[] INCLUDE_USAGE_MEMBER = JsonNames.bytes("\"include_usage\":true");
  private static final byte[] TRUE = JsonNames.bytes("true");
  private static final byte[] COMMA = JsonNames.bytes(",");
  private static final byte[] NOTHING = new byte[0];
  private static final byte[] MODEL_KEY = JsonNames.bytes("\"model\":");

  private RequestBodies() {}

  /**
   * Returns a new buffer with {@code body} (a complete JSON object: its readable bytes) changed so that
   * {@code stream_options.include_usage} is {@code true}, and nothing else changed:
   * <ul>
   *   <li>no top-level {@code stream_options}: {@code "stream_options":{"include_usage":true}} becomes the
   *       first member;</li>
   *   <li>{@code stream_options} is an object: its {@code include_usage} value becomes {@code true}, or
   *       {@code "include_usage":true} becomes its first member; its other members stay;</li>
   *   <li>{@code stream_options} is something else ({@code null}): it becomes {@code {"include_usage":true}}.</li>
   * </ul>
   * When a member appears more than once, the last one is changed, the one JSON parsers use. {@code body} is
   * neither consumed nor released.
   *
   * @throws IllegalArgumentException if {@code body} does not hold a complete JSON object
   */
  public static ByteBuf withIncludeUsage(ByteBufAllocator alloc, ByteBuf body) {
    StreamOptionsVisitor visitor = new StreamOptionsVisitor();
    JsonTokenizer tokenizer = new JsonTokenizer(visitor, StreamOptionsVisitor.ROOT);
    visitor.tokenizer = tokenizer;
    tokenizer.feed(body, body.readerIndex(), body.readableBytes());
    if (!tokenizer.done() || visitor.rootStart < 0) {
      throw new IllegalArgumentException("body: " + body.readableBytes()
          + " bytes that are not a complete JSON object (expected: a whole chat request)");
    }
    long from;
    long to;
    byte[] insert;
    byte[] separator = NOTHING;
    if (visitor.optionsStart < 0) {
      from = visitor.rootStart + 1;
      to = from;
      insert = STREAM_OPTIONS_MEMBER;
      separator = visitor.rootMembers > 0 ? COMMA : NOTHING;
    } else if (!visitor.optionsIsObject) {
      from = visitor.optionsStart;
      to = visitor.optionsEnd;
      insert = STREAM_OPTIONS_VALUE;
    } else if (visitor.includeUsageStart >= 0) {
      from = visitor.includeUsageStart;
      to = visitor.includeUsageEnd;
      insert = TRUE;
    } else {
      from = visitor.optionsStart + 1;
      to = from;
      insert = INCLUDE_USAGE_MEMBER;
      separator = visitor.optionsMembers > 0 ? COMMA : NOTHING;
    }
    return splice(alloc, body, from, to, NOTHING, insert, separator);
  }

  /**
   * Returns a new buffer with {@code body} (a complete JSON object: its readable bytes) changed so that its
   * top-level {@code model} is the string {@code model}, byte for byte as it was otherwise (whitespace, member
   * order, escapes): the value of the last top-level {@code model} member is replaced, whatever it was
   * ({@code null}, a number); without one, {@code "model":"..."} becomes the first member. {@code model} is
   * written as a JSON string, escaped where JSON requires it. {@code body} is neither consumed nor released.
   *
   * @throws IllegalArgumentException if {@code body} does not hold a complete JSON object
   */
  public static ByteBuf withModel(ByteBufAllocator alloc, ByteBuf body, String model) {
    ModelVisitor visitor = new ModelVisitor();
    JsonTokenizer tokenizer = new JsonTokenizer(visitor, ModelVisitor.ROOT);
    visitor.tokenizer = tokenizer;
    tokenizer.feed(body, body.readerIndex(), body.readableBytes());
    if (!tokenizer.done() || visitor.rootStart < 0) {
      throw new IllegalArgumentException("body: " + body.readableBytes()
          + " bytes that are not a complete JSON object (expected: a whole chat request)");
    }
    byte[] value = JsonStrings.quote(model);
    if (visitor.modelStart >= 0) {
      return splice(alloc, body, visitor.modelStart, visitor.modelEnd, NOTHING, value, NOTHING);
    }
    long at = visitor.rootStart + 1;
    return splice(alloc, body, at, at, MODEL_KEY, value, visitor.rootMembers > 0 ? COMMA : NOTHING);
  }

  /** {@code body} with its readable bytes {@code [from, to)} replaced by {@code a}, {@code b} and {@code c}. */
  private static ByteBuf splice(ByteBufAllocator alloc, ByteBuf body, long from, long to, byte[] a, byte[] b,
      byte[] c) {
    int start = body.readerIndex();
    int length = body.readableBytes();
    int head = (int) from;
    int tail = (int) to;
    ByteBuf out = alloc.buffer(length - (tail - head) + a.length + b.length + c.length);
    out.writeBytes(body, start, head);
    out.writeBytes(a);
    out.writeBytes(b);
    out.writeBytes(c);
    out.writeBytes(body, start + tail, length - tail);
    return out;
  }
}
