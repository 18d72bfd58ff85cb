package dev.spillway.core.llm;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * Watches a streamed answer ({@code text/event-stream}; chat, completions, Responses API or Anthropic
 * Messages, see {@link ResponseVisitor}) on its way to the client: records the {@code usage} the backend
 * reports (the Responses API's in {@code response.completed}; Anthropic's input from {@code message_start}
 * combined with the output of the last {@code message_delta}), counts the events that stream content, and
 * optionally removes the
 * usage-only event that {@code stream_options.include_usage} made the backend add (when the gateway asked for
 * it and the client did not).
 *
 * <p>Events end at a blank line ({@code \n\n}, {@code \r\n\r\n}, or {@code \r\r}) and may be split across
 * chunks anywhere. An event's {@code data:} lines are parsed as they arrive. An event counts as the usage-only
 * event when its JSON has a top-level {@code usage} object with token counts and {@code choices} is {@code []}
 * or {@code null} (vLLM); a {@code "usage":null} member, as OpenAI puts on every chunk, is not usage.
 *
 * <p>Ownership: {@link #process} takes the chunk and returns what to forward, which the caller forwards (and
 * so eventually releases). Without stripping, that is always the chunk itself. With stripping, the part of an
 * event that could still turn out to be the usage-only one is held back until its end (at most
 * {@value #MAX_HELD_BYTES} bytes; a bigger event is passed on as it comes), and a complete event is never held
 * back. {@link #close()} releases what is held and must be called on every path, once the stream ends or
 * fails.
 *
 * <p>Not thread-safe: one instance per response, used on its event loop.
 */
public final class SseUsageFilter {
  /** More than any usage-only event: beyond this an event is forwarded rather than held. */
  static final int MAX_HELD_BYTES = 64 * 1024;

  private final boolean stripUsageEvent;
  private final ResponseVisitor visitor = new ResponseVisitor();
  private final JsonTokenizer json = new JsonTokenizer(visitor, ResponseVisitor.ROOT);
  private final SseLineState lines = new SseLineState();
  private final KeptRanges kept = new KeptRanges();

  private Usage usage;
  private long contentEvents;
  /** The event being read may still be the usage-only one, so its bytes are held rather than forwarded. */
  private boolean holding;
  private ByteBuf held;
  private boolean previousStripped;

  public SseUsageFilter(boolean stripUsageEvent) {
    this.stripUsageEvent = stripUsageEvent;
    holding = stripUsageEvent;
  }

  /**
   * Takes ownership of {@code chunk} and returns the bytes to forward: {@code chunk} itself when nothing is
   * removed or held, otherwise a retained slice or composite of it (with held bytes of an earlier chunk in
   * front), or {@link Unpooled#EMPTY_BUFFER}.
   */
  public ByteBuf process(ByteBuf chunk) {
    int end = chunk.writerIndex();
    int eventStart = chunk.readerIndex();
    kept.clear();
    for (int i = eventStart; i < end; i++) {
      int c = chunk.getByte(i) & 0xFF;
      int result = lines.accept(c);
      if (result == SseLineState.PREVIOUS_EVENT) {
        // The LF of the CRLF that ended the previous event goes wherever that event went.
        if (!previousStripped) {
          kept.add(i, i + 1);
        }
        eventStart = i + 1;
      } else if (result == SseLineState.EVENT_END) {
        endEvent(chunk, eventStart, i + 1);
        eventStart = i + 1;
      } else {
        if (result == SseLineState.DATA) {
          json.process((byte) c);
        } else if (result == SseLineState.DATA_BREAK) {
          // Data lines join with a newline; it is whitespace to the JSON between them.
          json.process((byte) '\n');
        }
        if (holding && !mayBeUsageOnly()) {
          holding = false;
          kept.prepend(held);
          held = null;
        }
      }
    }
    if (eventStart < end) {
      holdOrKeep(chunk, eventStart, end);
    }
    return kept.assemble(chunk);
  }

  /** The usage of the last event that carried a usage object, or null. */
  public Usage usage() {
    return usage;
  }

  /** Events that streamed content ({@link ResponseVisitor}: a non-empty delta of text). */
  public long contentEvents() {
    return contentEvents;
  }

  /** Releases the bytes of an unfinished event held back; safe to call more than once. */
  public void close() {
    if (held != null) {
      held.release();
      held = null;
    }
  }

  private boolean mayBeUsageOnly() {
    return !json.failed() && visitor.choices != ResponseVisitor.CHOICES_SOME;
  }

  private void endEvent(ByteBuf chunk, int from, int to) {
    boolean parsed = json.done();
    Usage eventUsage = parsed ? visitor.usage : null;
    if (eventUsage != null) {
      usage = eventUsage;
    } else if (parsed && visitor.outputOnly >= 0) {
      // Anthropic: message_start reported the input, each message_delta the output so far.
      long prompt = usage != null ? usage.promptTokens() : 0;
      usage = new Usage(prompt, visitor.outputOnly, prompt + visitor.outputOnly);
    }
    if (parsed && visitor.content) {
      contentEvents++;
    }
    boolean strip = holding && eventUsage != null && visitor.choices == ResponseVisitor.CHOICES_NONE;
    if (strip) {
      close();
    } else {
      kept.prepend(held);
      held = null;
      kept.add(from, to);
    }
    previousStripped = strip;
    json.reset();
    visitor.reset();
    holding = stripUsageEvent;
  }

  private void holdOrKeep(ByteBuf chunk, int from, int to) {
    if (holding) {
      int heldBytes = held == null ? 0 : held.readableBytes();
      if (heldBytes + to - from <= MAX_HELD_BYTES) {
        hold(chunk.retainedSlice(from, to - from));
        return;
      }
      holding = false;
      kept.prepend(held);
      held = null;
    }
    kept.add(from, to);
  }

  private void hold(ByteBuf part) {
    if (held == null) {
      held = part;
      return;
    }
    CompositeByteBuf composite;
    if (held instanceof CompositeByteBuf c) {
      composite = c;
    } else {
      composite = part.alloc().compositeBuffer();
      composite.addComponent(true, held);
    }
    held = composite.addComponent(true, part);
  }
}
