package dev.spillway.core.llm;

/**
 * A request's token estimate ({@link TokenEstimator}).
 *
 * @param reserve the tokens to reserve: the larger of the completion budget and the prompt
 * @param promptTokens the prompt's share, reported when the response carries no {@code usage}
 * @param encoding the BPE encoding that counted the prompt, or null when it was counted in characters
 */
public record TokenEstimate(long reserve, long promptTokens, BpeEncoding encoding) {}
