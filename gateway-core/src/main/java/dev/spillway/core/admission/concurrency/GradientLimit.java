package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.LatencySignal;

/**
 * {@link ConcurrencyConfig.Mode#ADAPTIVE}: a Gradient2-style limit that compares short-term latency with its
 * long-term baseline and shrinks the limit when requests start queueing inside the backend.
 *
 * <p>Each sample is first normalised, because an LLM's response time grows with the answer's length and a
 * long answer is not congestion: {@link LatencySignal#TTFB} uses the time to the first byte,
 * {@link LatencySignal#PER_TOKEN} the whole-response time divided by {@code max(1, outputTokens)}. Then:
 * <pre>
 *   shortRtt = ewma(shortRtt, rtt, {@value #SHORT_WINDOW} samples)
 *   longRtt  = ewma(longRtt,  rtt, {@value #LONG_WINDOW} samples)
 *   if longRtt / shortRtt &gt; 2: longRtt *= 0.95        // latency fell after a long overload: recover faster
 *   if inFlight &lt; limit / 2: no change                   // the limit was not what held latency back
 *   gradient = clamp({@value #RTT_TOLERANCE} * longRtt / shortRtt, 0.5, 1)
 *   newLimit = limit * gradient + sqrt(limit)             // sqrt(limit): the queue we allow inside the backend
 *   limit    = clamp(limit * (1 - {@value #SMOOTHING}) + newLimit * {@value #SMOOTHING}, minLimit, maxLimit)
 * </pre>
 * Steady latency (gradient 1) grows the limit by about {@code 0.2 * sqrt(limit)} a sample, up to maxLimit;
 * latency more than {@value #RTT_TOLERANCE} times its baseline pulls it down. {@link #onDropped()} (a
 * timeout or a 5xx overload answer) multiplies it by {@value #DROP_FACTOR}.
 *
 * <p>Why not Netflix concurrency-limits' {@code Gradient2Limit}: its limiter allocates an {@code Optional}
 * and a listener per request and reads its own clock, where we want one permit object and the injected
 * {@link dev.spillway.core.time.Ticker}; and its sample is a single RTT, where LLM traffic needs the
 * normalised signal above. The algorithm itself is small enough to own.
 */
final class GradientLimit implements ConcurrencyLimit {
  static final int SHORT_WINDOW = 10;
  static final int LONG_WINDOW = 600;
  static final double RTT_TOLERANCE = 1.5;
  static final double SMOOTHING = 0.2;
  static final double DROP_FACTOR = 0.9;
  private static final double SHORT_ALPHA = 2.0 / (SHORT_WINDOW + 1);
  private static final double LONG_ALPHA = 2.0 / (LONG_WINDOW + 1);

  private final int minLimit;
  private final int maxLimit;
  private final LatencySignal signal;
  private double estimate;
  private double shortRtt;
  private double longRtt;

  GradientLimit(ConcurrencyConfig config) {
    this.minLimit = config.minLimit();
    this.maxLimit = config.maxLimit();
    this.signal = config.latencySignal();
    this.estimate = config.limit();
  }

  @Override
  public int limit() {
    return (int) estimate;
  }

  @Override
  public void onSample(long ttfbNanos, long totalNanos, long outputTokens, int inFlight) {
    double rtt = signal == LatencySignal.TTFB ? ttfbNanos : (double) totalNanos / Math.max(1, outputTokens);
    if (!(rtt > 0)) {
      return;
    }
    if (longRtt == 0) {
      shortRtt = rtt;
      longRtt = rtt;
    } else {
      shortRtt += SHORT_ALPHA * (rtt - shortRtt);
      longRtt += LONG_ALPHA * (rtt - longRtt);
    }
    if (longRtt / shortRtt > 2) {
      longRtt *= 0.95;
    }
    if (inFlight < estimate / 2) {
      return;
    }
    double gradient = Math.max(0.5, Math.min(1.0, RTT_TOLERANCE * longRtt / shortRtt));
    double target = estimate * gradient + Math.sqrt(estimate);
    estimate = clamp(estimate * (1 - SMOOTHING) + target * SMOOTHING);
  }

  @Override
  public void onDropped() {
    estimate = clamp(estimate * DROP_FACTOR);
  }

  private double clamp(double v) {
    return Math.max(minLimit, Math.min(maxLimit, v));
  }
}
