package dev.spillway.core.admission.reject;

/**
 * The error vocabulary a rejection speaks: the one the client's SDK parses. The gateway picks it per request
 * (see docs/at-capacity.md): Anthropic's for a request to an Anthropic Messages path ({@code /messages}) or one
 * carrying an {@code anthropic-version} header, OpenAI's for everything else.
 */
public enum RejectionShape {
  /** {@code {"error":{"message","type","param","code"}}} with {@code x-ratelimit-*} headers. */
  OPENAI,
  /**
   * {@code {"type":"error","error":{"type","message"}}} with {@code anthropic-ratelimit-*} headers as well as
   * OpenAI's.
   */
  ANTHROPIC
}
