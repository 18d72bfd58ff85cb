package dev.spillway.core.admission.concurrency;

/**
 * What a successful response tells the adaptive limit about congestion, measured so that a long answer is
 * not mistaken for a slow backend.
 *
 * <ul>
 *   <li>{@link Signal#FIRST_TOKEN}: an event stream, timed from the request being sent to its first content
 *       event (or, when events are not parsed, its first body piece). Queueing inside the backend shows here
 *       first; the answer's length does not.
 *   <li>{@link Signal#PER_TOKEN}: a non-streamed answer, whose first byte comes only once it is complete:
 *       its whole time divided by {@code max(1, completion tokens)}. Never used as a time to first byte.
 *   <li>{@link Signal#NONE}: nothing usable (a non-streamed answer without {@code usage}, a stream without a
 *       body): the slot is released, the limit learns nothing.
 * </ul>
 * The two signals are not comparable (a per-token time is a few milliseconds, a first token hundreds), so the
 * limit keeps a baseline for each.
 *
 * <p>A sample may also carry the size of the request body sent to the backend ({@code requestBytes}, 0 when
 * unknown): an LLM's first token comes after the prefill of the whole prompt, which takes time in proportion to
 * it (a 16-token prompt some milliseconds, an 8,000-token one a second), so the limit judges a first token
 * against what a request of that size takes unqueued ({@link PrefillEnvelope}). The body's bytes are a proxy
 * for its prompt tokens (about 4 bytes a token in chat JSON) that needs no parsing.
 *
 * <p>A time per token also carries its answer's length ({@code answerTokens}): an LLM engine's batch makes
 * each token slower as it grows, without any queue, while a queue adds the same wait to a short answer as to a
 * long one. Only the two apart, over a window's answers ({@link AnswerFit}), tell them apart.
 *
 * @param signal which of the above {@code latencyNanos} is
 * @param latencyNanos the congestion signal's value, &gt; 0 unless {@code signal} is {@code NONE}
 * @param requestBytes the request body's size in bytes, 0 when unknown
 * @param answerTokens a time per token's completion tokens (at least 1), 0 for other signals
 */
public record LatencySample(Signal signal, long latencyNanos, long requestBytes, long answerTokens) {
  /** A success that carries no latency signal. */
  public static final LatencySample NONE = new LatencySample(Signal.NONE, 0);

  public LatencySample {
    if (signal == null) {
      throw new NullPointerException("signal");
    }
    if (signal != Signal.NONE && latencyNanos <= 0) {
      throw new IllegalArgumentException("latencyNanos: " + latencyNanos + " (expected: > 0)");
    }
    if (requestBytes < 0) {
      throw new IllegalArgumentException("requestBytes: " + requestBytes + " (expected: >= 0)");
    }
    if (answerTokens < 0) {
      throw new IllegalArgumentException("answerTokens: " + answerTokens + " (expected: >= 0)");
    }
  }

  /** A sample of {@code signal} with the request's size and no answer length. */
  public LatencySample(Signal signal, long latencyNanos, long requestBytes) {
    this(signal, latencyNanos, requestBytes, 0);
  }

  /** A sample without the request's size. */
  public LatencySample(Signal signal, long latencyNanos) {
    this(signal, latencyNanos, 0);
  }

  /** This sample, saying the request body had {@code bytes} bytes ({@link #NONE} stays as it is). */
  public LatencySample withRequestBytes(long bytes) {
    return signal == Signal.NONE ? this : new LatencySample(signal, latencyNanos, Math.max(0, bytes), answerTokens);
  }

  /** The same measurement with another latency (the limit's size-adjusted view of a first token). */
  LatencySample withLatency(long nanos) {
    return new LatencySample(signal, Math.max(1, nanos), requestBytes, answerTokens);
  }

  /** A time per token's whole answer time (its time per token times its length); otherwise the latency. */
  long totalNanos() {
    return latencyNanos * Math.max(1, answerTokens);
  }

  /** An event stream's time to its first content; {@link #NONE} if it never had any. */
  public static LatencySample firstToken(long firstTokenNanos) {
    return firstTokenNanos > 0 ? new LatencySample(Signal.FIRST_TOKEN, firstTokenNanos) : NONE;
  }

  /**
   * A non-streamed answer's time per output token; {@link #NONE} when the token count is unknown ({@code < 0}),
   * since the whole time alone would read a long answer as congestion.
   */
  public static LatencySample perToken(long totalNanos, long completionTokens) {
    if (completionTokens < 0 || totalNanos <= 0) {
      return NONE;
    }
    long tokens = Math.max(1, completionTokens);
    return new LatencySample(Signal.PER_TOKEN, Math.max(1, totalNanos / tokens), 0, tokens);
  }

  /** The kinds of latency signal. */
  public enum Signal {
    FIRST_TOKEN,
    PER_TOKEN,
    NONE
  }
}
