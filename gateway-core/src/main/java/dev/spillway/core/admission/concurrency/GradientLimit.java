package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import dev.spillway.core.config.ConcurrencyConfig;
import java.util.concurrent.TimeUnit;

/**
 * {@link ConcurrencyConfig.Mode#ADAPTIVE}: a gradient limit after Envoy's adaptive concurrency controller,
 * finding the concurrency at which the backend starts to queue and staying there.
 *
 * <p><b>Start.</b> The limit is first pinned to {@code minLimit} until {@value #PROBE_SAMPLES} responses
 * admitted at that concurrency have been measured: their medians seed each signal's {@link Baseline} (the
 * latency without queueing). Then the limit is set to the configured {@code limit} and tracking begins.
 *
 * <p><b>Windows.</b> Each window collects {@value #WINDOW_SAMPLES} samples from requests admitted in it (so
 * under the limit being judged; completions admitted earlier are ignored). At its end each signal's
 * baseline takes in the window's median, then the window is judged by the requests admitted near the limit
 * ({@code inFlight >= limit - max(1, limit / 10)}) when at least {@value #MIN_SIGNAL_SAMPLES} of one signal
 * were (the limit was reached), else by all of them. The signal judged is
 * {@link Signal#FIRST_TOKEN} when it has {@value #MIN_SIGNAL_SAMPLES} such samples, else
 * {@link Signal#PER_TOKEN}: {@code gradient = baseline / median}. Then, once per window:
 * <pre>
 *   if gradient &lt; 1 / (1 + tolerance):                       decrease
 *     per token:   limit = limit * max({@value #MIN_GRADIENT}, gradient)
 *     first token: limit = limit * clamp(gradient * (1 + tolerance), {@value #MIN_GRADIENT}, {@value #DROP_FACTOR})
 *   else if the limit was reached:                           increase
 *     limit = limit + max(1, sqrt(limit) / 2)   (per token with gradient &lt; 1: + 1)
 * </pre>
 * with a tolerance of {@value #PER_TOKEN_TOLERANCE} per token and {@value #FIRST_TOKEN_TOLERANCE} for first
 * tokens. The per-token decrease is Little's law: with {@code limit} in flight each holding its slot
 * {@code median / baseline} times longer than without queueing, the backend serves {@code limit * gradient}
 * of them at once. Growth needs the limit to have been reached (a lightly loaded backend gives no evidence
 * about more concurrency), so the limit hovers just above the knee.
 *
 * <p><b>Drops.</b> {@link #onDropped} (overload evidence) multiplies the limit by {@value #DROP_FACTOR} and
 * opens a new window, so a burst of failures from requests of one window counts once.
 *
 * <p>Why not Netflix concurrency-limits' {@code Gradient2Limit}: its long-term baseline is an average that
 * follows sustained congestion up, so the gradient returns to 1 and the limit grows while the backend queues.
 */
final class GradientLimit implements ConcurrencyLimit {
  static final int PROBE_SAMPLES = 10;
  static final int WINDOW_SAMPLES = 32;
  static final int MIN_SIGNAL_SAMPLES = 3;
  /** How far above its baseline the per-token median may be before the limit comes down. */
  static final double PER_TOKEN_TOLERANCE = 0.1;
  /**
   * The same for the first-token median, wider: a first token also waits for the prefill of the prompts
   * joining the batch with it, which grows with the batch without any queueing; a request queued inside an
   * LLM engine waits a whole slot's turn, many times the baseline, so queueing still stands out at once.
   */
  static final double FIRST_TOKEN_TOLERANCE = 0.5;
  static final double MIN_GRADIENT = 0.5;
  static final double DROP_FACTOR = 0.9;
  static final long BASELINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(120);
  private static final Signal[] SIGNALS = SampleWindow.signals();

  private final int minLimit;
  private final int maxLimit;
  private final int initialLimit;
  private final SampleWindow samples = new SampleWindow(Math.max(PROBE_SAMPLES, WINDOW_SAMPLES));
  private final Baseline[] baselines = new Baseline[SIGNALS.length];
  private Phase phase = Phase.PROBING;
  private double estimate;
  private long window;

  GradientLimit(ConcurrencyConfig config) {
    this.minLimit = config.minLimit();
    this.maxLimit = config.maxLimit();
    this.initialLimit = config.limit();
    this.estimate = minLimit;
    for (int i = 0; i < baselines.length; i++) {
      baselines[i] = new Baseline(BASELINE_INTERVAL_NANOS);
    }
  }

  @Override
  public int limit() {
    return (int) estimate;
  }

  @Override
  public long window() {
    return window;
  }

  @Override
  public long baselineNanos(Signal signal) {
    return signal == Signal.NONE ? 0 : baselines[signal.ordinal()].nanos();
  }

  @Override
  public void onSample(LatencySample sample, int inFlight, long admittedIn, long now) {
    if (admittedIn != window || sample.signal() == Signal.NONE) {
      return;
    }
    if (phase == Phase.PROBING && inFlight > minLimit) {
      return;
    }
    samples.add(sample, inFlight);
    if (phase == Phase.PROBING) {
      if (samples.size() >= PROBE_SAMPLES) {
        for (Signal s : SIGNALS) {
          if (samples.count(s) > 0) {
            baselines[s.ordinal()].update(samples.median(s), now);
          }
        }
        phase = Phase.TRACKING;
        estimate = initialLimit;
        nextWindow();
      }
    } else if (samples.isFull()) {
      judgeWindow(now);
    }
  }

  @Override
  public void onDropped(long admittedIn, long now) {
    if (admittedIn != window || phase == Phase.PROBING) {
      return;
    }
    estimate = clamp(estimate * DROP_FACTOR);
    nextWindow();
  }

  private void judgeWindow(long now) {
    for (Signal s : SIGNALS) {
      if (samples.count(s) >= MIN_SIGNAL_SAMPLES) {
        baselines[s.ordinal()].update(samples.median(s), now);
      }
    }
    // What the limit does to latency shows in the requests admitted near it; below it, a lightly loaded
    // backend answers at its baseline whatever the limit. So judge those when there are enough of them.
    int nearLimit = limit() - Math.max(1, limit() / 10);
    Signal atLimitSignal = judged(nearLimit);
    boolean reached = atLimitSignal != null;
    int minInFlight = reached ? nearLimit : 0;
    Signal signal = reached ? atLimitSignal : judged(0);
    if (signal != null) {
      double gradient = (double) baselines[signal.ordinal()].nanos() / samples.median(signal, minInFlight);
      double tolerance = signal == Signal.FIRST_TOKEN ? FIRST_TOKEN_TOLERANCE : PER_TOKEN_TOLERANCE;
      if (gradient < 1 / (1 + tolerance)) {
        // Time per token stretches with the slot's holding time, so Little's law gives the concurrency the
        // backend serves without queueing: limit * gradient. A first token's delay does not scale so (one
        // request queued in an engine waits a whole slot's turn): there, back off by the excess over the
        // tolerance, at least 10% and at most half.
        double factor = signal == Signal.PER_TOKEN ? gradient
            : Math.min(DROP_FACTOR, gradient * (1 + tolerance));
        estimate = clamp(estimate * Math.max(MIN_GRADIENT, factor));
      } else if (reached) {
        // Per token, latency creeps up before the knee: slow to a step of 1 there. First tokens stay flat
        // until the engine queues, so they keep the larger step.
        boolean flat = gradient >= 1 || signal == Signal.FIRST_TOKEN;
        estimate = clamp(estimate + (flat ? Math.max(1, Math.sqrt(estimate) / 2) : 1));
      }
    }
    nextWindow();
  }

  /**
   * The signal to judge the samples admitted with {@code minInFlight} or more in flight by: first tokens
   * when there are enough of them, else time per token; null when neither has enough. First tokens are
   * preferred because a batching engine's time per token also grows, gently and usefully, with its batch:
   * judged by it, the limit would stop filling the batch long before the engine queues.
   */
  private Signal judged(int minInFlight) {
    for (Signal s : SIGNALS) {
      if (samples.count(s, minInFlight) >= MIN_SIGNAL_SAMPLES) {
        return s;
      }
    }
    return null;
  }

  private void nextWindow() {
    window++;
    samples.clear();
  }

  private double clamp(double v) {
    return Math.max(minLimit, Math.min(maxLimit, v));
  }

  private enum Phase {
    /** Pinned to minLimit until the first baselines are measured. */
    PROBING,
    /** Following the gradient. */
    TRACKING
  }
}
