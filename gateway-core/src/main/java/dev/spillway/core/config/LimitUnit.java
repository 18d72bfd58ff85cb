package dev.spillway.core.config;

/** What a rate limit counts. */
public enum LimitUnit {
  /** One per request. */
  REQUESTS,
  /** LLM tokens: an estimate is reserved at admission and settled from the response's {@code usage}. */
  TOKENS
}
