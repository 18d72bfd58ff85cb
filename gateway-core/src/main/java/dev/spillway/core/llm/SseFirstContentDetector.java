package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Watches the start of a streamed completion ({@code text/event-stream}) and says when it may be committed to
 * the client: the gateway holds a stream's response back until then, so that an attempt failing before its
 * first token can fail over without the client ever seeing it.
 *
 * <p>The stream is committed by the first complete event that is one of:
 * <ul>
 *   <li>{@link Seen#CONTENT}: a chunk whose {@code choices[0]} carries something the client shows: a non-empty
 *       {@code delta.content} (or {@code delta.reasoning_content}, {@code delta.reasoning},
 *       {@code delta.refusal}, or the legacy completions' {@code text}), any {@code delta.tool_calls}
 *       element or {@code delta.function_call}, or a {@code finish_reason};</li>
 *   <li>{@link Seen#DONE}: {@code data: [DONE]};</li>
 *   <li>{@link Seen#ERROR}: a JSON object with a non-null top-level {@code error}; the caller may treat it as a
 *       failure before the first token and fail over rather than pass it on;</li>
 *   <li>{@link Seen#UNRECOGNIZED}: {@code data} that is not a complete JSON object, or a JSON object that is not
 *       an LLM answer's event (no {@code choices}, no known Responses-API or Anthropic {@code type}): what the
 *       gateway does not recognise it does not hold back.</li>
 * </ul>
 * Typed events count too: Responses-API {@code response.*} and Anthropic {@code content_block_delta},
 * {@code message_delta}, {@code message_stop} are content; {@code error} and {@code response.failed} are errors.
 * Everything else is held: comments ({@code : ...}), events without {@code data}, chunks that only announce the
 * role ({@code "delta":{"role":"assistant","content":""}}), as OpenAI's first chunk does, and the typed
 * preambles ({@code response.created}, {@code response.in_progress}, {@code response.output_item.added},
 * {@code response.content_part.added}, {@code message_start}, {@code content_block_start}, {@code ping}).
 *
 * <p>Chunks are read, never consumed or released: {@link #feed} leaves the buffer's indexes and reference count
 * alone, and the bytes may be split anywhere (inside lines, CRLFs, JSON strings and UTF-8 sequences). Once
 * committed it ignores further input. Not thread-safe: one per response attempt, on its event loop.
 */
public final class SseFirstContentDetector implements ByteProcessor {
  /** What committed the stream, if anything yet. */
  public enum Seen { NOTHING, CONTENT, DONE, ERROR, UNRECOGNIZED }

  private static final byte[] DONE = JsonNames.bytes("[DONE]");

  private final SseLineState lines = new SseLineState();
  private final FirstContentVisitor visitor = new FirstContentVisitor();
  private final JsonTokenizer json = new JsonTokenizer(visitor, FirstContentVisitor.ROOT);
  private Seen seen = Seen.NOTHING;

  public SseFirstContentDetector() {
    visitor.tokenizer = json;
  }

  private boolean data;
  /** Bytes of the event's data that matched {@code [DONE]} so far, or -1 once it cannot be that. */
  private int doneMatched;
  private long bytes;

  /**
   * Reads {@code chunk}'s readable bytes (without consuming them) and returns whether the stream is committed
   * now, by this chunk or an earlier one.
   */
  public boolean feed(ByteBuf chunk) {
    if (seen == Seen.NOTHING && chunk.isReadable()) {
      chunk.forEachByte(chunk.readerIndex(), chunk.readableBytes(), this);
    }
    return seen != Seen.NOTHING;
  }

  /** Whether the stream may be committed to the client. */
  public boolean committed() {
    return seen != Seen.NOTHING;
  }

  /** What committed the stream, or {@link Seen#NOTHING}. */
  public Seen seen() {
    return seen;
  }

  /** Bytes read before the commit (all of them so far, if none yet): what the caller holds back. */
  public long bytesSeen() {
    return bytes;
  }

  /** Takes one byte; returns false once the stream is committed. */
  @Override
  public boolean process(byte b) {
    bytes++;
    int result = lines.accept(b & 0xFF);
    switch (result) {
      case SseLineState.DATA -> {
        data = true;
        json.process(b);
        matchDone(b);
      }
      case SseLineState.DATA_BREAK -> {
        // Data lines join with a newline: whitespace to JSON, and the end of any chance of [DONE].
        json.process((byte) '\n');
        doneMatched = -1;
      }
      case SseLineState.EVENT_END -> endEvent();
      default -> { }
    }
    return seen == Seen.NOTHING;
  }

  private void matchDone(byte b) {
    if (doneMatched >= 0) {
      doneMatched = doneMatched < DONE.length && DONE[doneMatched] == b ? doneMatched + 1 : -1;
    }
  }

  private void endEvent() {
    if (data) {
      if (doneMatched == DONE.length) {
        seen = Seen.DONE;
      } else if (!json.done()) {
        seen = Seen.UNRECOGNIZED;
      } else if (visitor.error) {
        seen = Seen.ERROR;
      } else if (visitor.content) {
        seen = Seen.CONTENT;
      } else if (!visitor.shape) {
        seen = Seen.UNRECOGNIZED;
      }
    }
    data = false;
    doneMatched = 0;
    json.reset();
    visitor.reset();
  }
}
