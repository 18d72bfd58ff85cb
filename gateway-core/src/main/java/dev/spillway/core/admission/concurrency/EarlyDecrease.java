package dev.spillway.core.admission.concurrency;

/**
 * The early decrease's evidence for {@link GradientLimit}: {@value GradientLimit#EARLY_SAMPLES} first tokens in
 * a row, admitted near the limit, each more than {@code 1 + }{@value DecreaseRules#EARLY_TOLERANCE} times the
 * baseline. Queueing in an engine is a cliff, not a slope: a request that finds the batch full waits for a
 * whole sequence to end, many times the baseline, while one that joins the batch at once waits at most a step
 * and a prefill. Waiting for the window's median would leave each probe above the batch queueing for a whole
 * window. Not thread-safe.
 */
final class EarlyDecrease {
  /** First tokens in a row far above baseline. */
  private int highInARow;
  private long lastHighAt;

  /**
   * A first token admitted near the limit took {@code latencyNanos}.
   *
   * @param highNanos above this a first token counts as queued
   * @param pastKnee whether the limit is at or past the last knee, where one such first token is enough
   * @return whether the limit should decrease now
   */
  boolean onFirstToken(long latencyNanos, long highNanos, long baselineNanos, long now, boolean pastKnee) {
    if (latencyNanos <= highNanos) {
      highInARow = 0;
    } else if (highInARow == 0 || now - lastHighAt >= baselineNanos) {
      // First tokens of requests that joined the batch in one step share that step's prefill: a burst of
      // long prompts delays them all at once without any queueing. Count one per engine step or so.
      highInARow++;
      lastHighAt = now;
    }
    return highInARow >= (pastKnee ? 1 : GradientLimit.EARLY_SAMPLES);
  }

  /** The limit moved: the count starts over. */
  void reset() {
    highInARow = 0;
  }
}
