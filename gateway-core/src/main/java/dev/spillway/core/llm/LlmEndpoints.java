package dev.spillway.core.llm;

import io.netty.handler.codec.http.HttpMethod;

/**
 * The requests whose event-stream answer the gateway recognises as an LLM answer: a {@code POST} to a
 * chat-completions, completions, Responses-API or Anthropic Messages path. Only such a stream is held back
 * until its first token (stream-safe failover); any other event stream goes to the client as it arrives.
 */
public final class LlmEndpoints {
  private static final String[] STREAMING_PATH_ENDS = {
      "/chat/completions", "/completions", "/responses", "/messages",
  };

  private LlmEndpoints() {}

  /**
   * Whether a request with this method and target asks for an LLM answer.
   *
   * @param target the origin-form target, query allowed
   */
  public static boolean isLlmRequest(HttpMethod method, String target) {
    if (!HttpMethod.POST.equals(method)) {
      return false;
    }
    int q = target.indexOf('?');
    int end = q < 0 ? target.length() : q;
    for (String suffix : STREAMING_PATH_ENDS) {
      if (end >= suffix.length() && target.regionMatches(end - suffix.length(), suffix, 0, suffix.length())) {
        return true;
      }
    }
    return false;
  }
}
