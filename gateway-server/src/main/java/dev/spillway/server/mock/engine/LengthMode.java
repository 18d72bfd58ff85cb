package dev.spillway.server.mock.engine;

/** Where a simulated request's prompt and answer lengths come from. */
public enum LengthMode {
  /**
   * From the request: prompt tokens are the message characters / 4, the answer is {@code max_tokens} (or
   * {@code max_completion_tokens}) when set, else drawn like {@link #TRACE}.
   */
  REQUEST,
  /** Both drawn from distributions shaped like Azure's LLM inference trace (conversation), seeded. */
  TRACE
}
