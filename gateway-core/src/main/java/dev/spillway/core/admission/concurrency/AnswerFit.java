package dev.spillway.core.admission.concurrency;

/**
 * A window's non-streamed answers fitted as {@code time = intercept + slope * answerTokens} (least squares),
 * which tells an LLM engine's batching from a queue: a fuller batch makes every decode step slower, so it
 * raises the slope; a queue adds the same wait to a short answer as to a long one, so it raises the
 * intercept. A time per token alone mixes the two, and on the LLM engine simulator (each token 19 ms at 8 in
 * flight, 58 ms at 40, with no queue below about 32) the limit read the batch as a queue and sat at 7 of 40,
 * with 54-63 % of the tokens.
 *
 * <p>The intercept also holds what every answer takes whatever its length (the prompt's prefill, the network),
 * so the limit subtracts the lowest one it has seen ({@link LatencySignals#queueGradient}).
 *
 * @param samples the answers fitted
 * @param interceptNanos the fitted time of an answer of no tokens
 * @param interceptErrorNanos the intercept's standard error
 * @param slopeNanos the fitted time per further token
 * @param slopeErrorNanos the slope's standard error
 * @param meanTokens the answers' mean length
 * @param meanNanos the answers' mean time
 */
record AnswerFit(int samples, double interceptNanos, double interceptErrorNanos, double slopeNanos,
    double slopeErrorNanos, double meanTokens, double meanNanos) {
  /** Fewer answers than this fit too loosely to judge a window by. */
  static final int MIN_SAMPLES = 16;
  /**
   * {@link #queueShare} discounts the intercept by this many standard errors. One: with two, on the LLM engine
   * simulator a window of 16 answers read a wait of up to 1.5 s (a quarter of their time) as calm, and the limit
   * grew into the engine's queue.
   */
  static final double MARGIN_ERRORS = 1;
  /**
   * A slope this many standard errors above 0 says the backend's time follows the answer's length (an LLM); a
   * backend whose time does not (a fixed service time) shows one that high by chance about once in 10,000
   * windows.
   */
  static final double LENGTH_BOUND_T = 4;
  /**
   * Answers whose length, at the slope's upper bound (two standard errors up), explains less than this share
   * of their mean time take their time whatever their length (a fixed service time).
   */
  static final double LENGTH_FREE_SHARE = 0.2;

  /**
   * The fit of the first {@code n} pairs of {@code totals} (nanoseconds) and {@code tokens}; null with fewer than
   * {@value #MIN_SAMPLES} answers or when all have the same length (no slope to fit).
   */
  static AnswerFit of(long[] totals, long[] tokens, int n) {
    if (n < MIN_SAMPLES) {
      return null;
    }
    double meanX = 0;
    double meanY = 0;
    for (int i = 0; i < n; i++) {
      meanX += tokens[i];
      meanY += totals[i];
    }
    meanX /= n;
    meanY /= n;
    double sxx = 0;
    double sxy = 0;
    for (int i = 0; i < n; i++) {
      double dx = tokens[i] - meanX;
      sxx += dx * dx;
      sxy += dx * (totals[i] - meanY);
    }
    if (sxx <= 0) {
      return null;
    }
    double slope = sxy / sxx;
    double intercept = meanY - slope * meanX;
    double residuals = 0;
    for (int i = 0; i < n; i++) {
      double r = totals[i] - intercept - slope * tokens[i];
      residuals += r * r;
    }
    double s = Math.sqrt(residuals / (n - 2));
    double slopeError = s / Math.sqrt(sxx);
    double interceptError = s * Math.sqrt(1.0 / n + meanX * meanX / sxx);
    return new AnswerFit(n, intercept, interceptError, slope, slopeError, meanX, meanY);
  }

  /** Whether the answers' time clearly follows their length (the slope is {@value #LENGTH_BOUND_T} errors up). */
  boolean lengthBound() {
    return slopeNanos > 0 && slopeNanos >= LENGTH_BOUND_T * slopeErrorNanos;
  }

  /**
   * Whether the answers' time clearly does not follow their length: even at its upper bound the slope explains
   * less than {@value #LENGTH_FREE_SHARE} of their mean time. Neither this nor {@link #lengthBound} where waits
   * of different lengths blur the slope (a queue building up).
   */
  boolean lengthFree() {
    return (slopeNanos + 2 * slopeErrorNanos) * meanTokens < LENGTH_FREE_SHARE * meanNanos;
  }

  /**
   * How much of the mean answer's time is a wait beyond {@code floorNanos} (what every answer takes unqueued):
   * the intercept above it, less {@value #MARGIN_ERRORS} standard error (what chance alone explains of it), over
   * the mean time; 0 when none.
   */
  double queueShare(double floorNanos) {
    double wait = interceptNanos - MARGIN_ERRORS * interceptErrorNanos - Math.max(0, floorNanos);
    return meanNanos > 0 ? Math.max(0, Math.min(1, wait / meanNanos)) : 0;
  }
}
