package dev.spillway.core.llm;

/**
 * The LLM API a request speaks, told from its path, which decides how its tokens are estimated before it is
 * forwarded and which usage shape settles them afterwards (see docs/admission.md):
 * <ul>
 *   <li>{@link #CHAT}: OpenAI Chat Completions ({@code /chat/completions}) and anything unrecognised;</li>
 *   <li>{@link #COMPLETIONS}: legacy Completions ({@code /completions});</li>
 *   <li>{@link #RESPONSES}: the OpenAI Responses API ({@code /responses});</li>
 *   <li>{@link #EMBEDDINGS}: Embeddings ({@code /embeddings}): input tokens only, nothing generated;</li>
 *   <li>{@link #ANTHROPIC_MESSAGES}: Anthropic Messages ({@code /messages}), whose rejections take Anthropic's
 *       error shape.</li>
 * </ul>
 */
public enum LlmApi {
  CHAT("/chat/completions"),
  COMPLETIONS("/completions"),
  RESPONSES("/responses"),
  EMBEDDINGS("/embeddings"),
  ANTHROPIC_MESSAGES("/messages");

  private static final LlmApi[] VALUES = values();

  private final String pathEnd;

  LlmApi(String pathEnd) {
    this.pathEnd = pathEnd;
  }

  /**
   * The API of a request target (origin form, query allowed): the first whose path ending matches, checked
   * in declaration order so that {@code /chat/completions} wins over {@code /completions}; {@link #CHAT}
   * when none does.
   */
  public static LlmApi of(String target) {
    int q = target.indexOf('?');
    int end = q < 0 ? target.length() : q;
    for (LlmApi api : VALUES) {
      String suffix = api.pathEnd;
      if (end >= suffix.length() && target.regionMatches(end - suffix.length(), suffix, 0, suffix.length())) {
        return api;
      }
    }
    return CHAT;
  }

  /** Whether the request generates text, so a completion budget is part of its estimate. */
  public boolean generates() {
    return this != EMBEDDINGS;
  }

  /** Whether the request accepts OpenAI's {@code stream_options.include_usage}. */
  public boolean acceptsStreamOptions() {
    return this == CHAT || this == COMPLETIONS;
  }
}
