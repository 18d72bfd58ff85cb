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
 * at the limit being judged; older completions are ignored). At its end, for each {@link Signal} with at
 * least {@value #MIN_SIGNAL_SAMPLES} samples: {@code gradient = baseline / median}; the window's gradient is
 * their sample-weighted mean. Then, once per window:
 * <pre>
 *   if gradient &lt; 1 / (1 + {@value #TOLERANCE}):   limit = limit * max({@value #MIN_GRADIENT}, gradient)
 *   else if the limit was reached in the window:  limit = limit + (gradient &gt;= 1 ? max(1, sqrt(limit) / 2) : 1)
 * </pre>
 * The decrease is Little's law: with {@code limit} in flight and latency {@code median}, the backend serves
 * {@code limit * baseline / median} of them without queueing. Growth needs the limit to have been reached
 * (a lightly loaded backend gives no evidence about more concurrency) and slows to 1 a window once latency
 * rises, so the limit hovers within about {@value #TOLERANCE} above the knee.
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
  static final double TOLERANCE = 0.1;
  static final double MIN_GRADIENT = 0.25;
  static final double DROP_FACTOR = 0.9;
  static final long BASELINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);
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
    double atLimit = gradient(nearLimit);
    boolean reached = !Double.isNaN(atLimit);
    double gradient = reached ? atLimit : gradient(0);
    if (!Double.isNaN(gradient)) {
      if (gradient < 1 / (1 + TOLERANCE)) {
        estimate = clamp(estimate * Math.max(MIN_GRADIENT, gradient));
      } else if (reached) {
        estimate = clamp(estimate + (gradient >= 1 ? Math.max(1, Math.sqrt(estimate) / 2) : 1));
      }
    }
    nextWindow();
  }

  /** Sample-weighted mean over signals of baseline / median, from samples admitted at {@code minInFlight} or more. */
  private double gradient(int minInFlight) {
    double weighted = 0;
    int n = 0;
    for (Signal s : SIGNALS) {
      int count = samples.count(s, minInFlight);
      if (count < MIN_SIGNAL_SAMPLES) {
        continue;
      }
      weighted += count * ((double) baselines[s.ordinal()].nanos() / samples.median(s, minInFlight));
      n += count;
    }
    return n == 0 ? Double.NaN : weighted / n;
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
