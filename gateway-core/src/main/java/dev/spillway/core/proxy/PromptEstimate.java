package dev.spillway.core.proxy;

import dev.spillway.core.admission.RouteAdmission;
import dev.spillway.core.llm.ChatRequestInfo;
import dev.spillway.core.llm.ChatRequestScanner;
import dev.spillway.core.llm.LlmApi;
import dev.spillway.core.llm.TokenEstimate;
import io.netty.buffer.ByteBuf;

/**
 * A request's token estimate for a route that counts tokens: a bounded prefix of the body is held and scanned
 * ({@link ChatRequestScanner}), then the route's estimator reserves tokens for the whole exchange. Also
 * decides whether a stream is to be asked for a final usage chunk (only the OpenAI chat and completions APIs
 * know {@code stream_options}; others report usage unasked). Runs on the exchange's event loop.
 */
final class PromptEstimate {
  private final RouteAdmission route;
  private final LlmApi api;
  private final ChatRequestScanner scanner;
  private long heldBytes;
  private long promptTokens;
  private boolean injectUsage;

  PromptEstimate(RouteAdmission route, LlmApi api) {
    this.route = route;
    this.api = api;
    this.scanner = route.estimator().newScanner();
  }

  /** A held body piece; the caller keeps ownership. */
  void feed(ByteBuf buf) {
    heldBytes += buf.readableBytes();
    scanner.feed(buf);
  }

  /** Whether enough of the body has been held to estimate. */
  boolean satisfied(boolean requestComplete) {
    return requestComplete || scanner.done() || heldBytes >= route.tokens().maxPrefixBytes();
  }

  /** Estimates from what was held; returns the tokens to reserve. */
  long estimate(long contentLength) {
    ChatRequestInfo info = scanner.info();
    TokenEstimate tokens = route.estimator().estimate(scanner, contentLength, api);
    promptTokens = tokens.promptTokens();
    injectUsage = route.tokens().requestUsage() && api.acceptsStreamOptions() && info.stream()
        && !info.includeUsage() && info.complete();
    return tokens.reserve();
  }

  /** The estimated prompt tokens (0 before {@link #estimate}). */
  long promptTokens() {
    return promptTokens;
  }

  /**
   * Whether the held body should be rewritten to ask the backend for a final usage chunk; after
   * {@link #usageInjected}, whether it was (only then is the extra chunk removed from the stream).
   */
  boolean wantsUsage() {
    return injectUsage;
  }

  /** Whether the rewrite happened. */
  void usageInjected(boolean done) {
    injectUsage = done;
  }
}
