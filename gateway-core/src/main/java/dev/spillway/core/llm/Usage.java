package dev.spillway.core.llm;

/**
 * The token counts a backend reported in a response's {@code usage} object.
 *
 * @param promptTokens {@code prompt_tokens}
 * @param completionTokens {@code completion_tokens}
 * @param totalTokens {@code total_tokens} (their sum when the backend left it out)
 */
public record Usage(long promptTokens, long completionTokens, long totalTokens) {}
