package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import dev.spillway.core.config.ConcurrencyConfig;
import java.util.concurrent.TimeUnit;

/**
 * {@link ConcurrencyConfig.Mode#ADAPTIVE}: a gradient limit after Envoy's adaptive concurrency controller,
 * finding the concurrency at which the backend starts to queue and staying there.
 *
 * <p><b>Start.</b> The limit is first pinned to {@code minLimit} until {@value #PROBE_SAMPLES} responses
 * admitted at that concurrency have been measured, or for one second at most (long answers would otherwise
 * keep it there for minutes): their medians seed each signal's {@link Baseline} (the latency without
 * queueing; a signal without samples takes it from its first window). Then the limit is set to the
 * configured {@code limit} and tracking begins. A stream's sample is taken at its first token
 * ({@link Permit#onFirstToken}), not when it ends.
 *
 * <p><b>Fast decrease.</b> For backends judged by time per token, every such sample, whenever admitted, also
 * joins the last {@value #FAST_DECREASE_SAMPLES}; when their median exceeds
 * {@value DecreaseRules#FAST_DECREASE_RATIO} times the baseline, the limit drops at once (if lower) to their
 * median Little's-law concurrency {@code inFlightAtAdmission * baseline / latency}, and a new window opens: a
 * limit far above the knee of a backend with a deep queue would otherwise wait out that queue for each
 * window's samples.
 *
 * <p><b>Slow start.</b> Until the first decrease, a window judged by time per token within
 * {@value DecreaseRules#PER_TOKEN_TOLERANCE} of its baseline, with the limit reached, multiplies the limit by
 * {@value GrowthRule#SLOW_START_FACTOR} (from the most in flight reached, if lower) instead of the additive step
 * below.
 *
 * <p><b>Early decrease.</b> {@value #EARLY_SAMPLES} first tokens in a row admitted near the limit, each above
 * {@code baseline * (1 + }{@value DecreaseRules#EARLY_TOLERANCE}{@code )} and at least a baseline apart (first
 * tokens of one engine step share its prefill and count once), decrease the limit at once (as a congested window) and
 * open a new window: a request queued in an engine waits a whole sequence's turn. At or past the knee one
 * such first token is enough.
 *
 * <p><b>Windows.</b> Each window collects samples from requests admitted in it (so under the limit being
 * judged; completions admitted earlier are ignored) and closes at {@value #WINDOW_SAMPLES} samples, or
 * after a second with {@value #MIN_WINDOW_SAMPLES} of the preferred signal (slow backends). The preferred
 * signal is {@link Signal#FIRST_TOKEN} once the backend has served streams, else {@link Signal#PER_TOKEN}.
 * At its end each signal's baseline takes in the window's median, then the window is judged by the requests
 * admitted near the limit ({@code inFlight >= limit - max(1, limit / 10)}) when at least
 * {@value #MIN_SIGNAL_SAMPLES} of them were (the limit was reached), else by all: by the preferred signal
 * if it has {@value #MIN_SIGNAL_SAMPLES} samples, else the other. {@code gradient = baseline / median}, where
 * a time per token's baseline is raised by what chance explains where answers vary by themselves
 * ({@link LatencySignals#judgedPerTokenNanos}).
 * Then, once per window:
 * <pre>
 *   if gradient &lt; 1 / (1 + tolerance):                      decrease
 *     per token:   limit = limit * max({@value DecreaseRules#MIN_GRADIENT}, gradient)
 *     first token: limit = limit * (0.9, 0.8, 0.6, 0.5 for the 1st, 2nd, 3rd, later congested window in a row)
 *   else if the limit was reached:                          increase
 *     limit = limit + max(1, sqrt(limit) / 2), but + 1 per token above baseline, or for first tokens
 *     within {@value GrowthRule#RECENT_WINDOWS} windows of a decrease; for first tokens, never past knee - 1
 *     (the limit at the last decrease) until {@value GrowthRule#KNEE_HOLD_WINDOWS} calm windows have passed,
 *     then by 1
 * </pre>
 * with a tolerance of {@value DecreaseRules#PER_TOKEN_TOLERANCE} per token and
 * {@value DecreaseRules#FIRST_TOKEN_TOLERANCE} for first tokens. The per-token decrease is Little's law: with
 * {@code limit} in flight each holding its slot {@code median / baseline} times longer than without queueing,
 * the backend serves {@code limit * gradient} of them at once. Growth needs the limit to have been reached (a
 * lightly loaded backend gives no evidence about more concurrency), so the limit hovers just above the knee.
 *
 * <p><b>Served at once.</b> Every first token, whenever admitted, bounds from below what the backend runs at
 * once ({@link ServedAtOnce}: in flight at its admission, less the places that freed before it started). A
 * first-token decrease never goes below the recent largest such bound, and none happens while it reaches the
 * limit (the backend was just seen running the whole limit without a queue: slow first tokens there are
 * prefills sharing engine steps). A first-token fast decrease acts only on a deep queue (a target below
 * {@value DecreaseRules#DROP_FACTOR} of the limit) and ends slow start. A backend without a first-token baseline
 * after the start closes a window of a second with {@value #MIN_SIGNAL_SAMPLES} first tokens to seed it.
 *
 * <p><b>Drops.</b> {@link #onDropped} (overload evidence) multiplies the limit by
 * {@value DecreaseRules#DROP_FACTOR} and opens a new window, so a burst of failures from requests of one window
 * counts once.
 *
 * <p><b>Prompt sizes.</b> A first token that carries its request's size ({@link LatencySample#requestBytes}) is
 * judged as a request of a reference size would have measured it ({@link PrefillEnvelope}): an LLM's first
 * token waits for the whole prompt's prefill, so without it a window's median swung with the prompts drawn,
 * the baseline came from short ones, and on the LLM engine simulator the limit sat at 8 of a batch of 40.
 * Where first tokens carry prefill, the decrease rules read them as an engine whose prompts share the
 * prefill and whose batch is bound by its KV cache ({@link DecreaseRules}), and slow start adds a slot per calm
 * first token near the limit ({@link #slowStartsPerFirstToken}). The requests answering at once (first token
 * come, slot held) are counted for {@link ServedAtOnce} ({@link #onAnswering}).
 *
 * <p><b>Answers whose time follows their length.</b> Where non-streamed answers' whole times clearly grow with
 * their lengths ({@link RecentAnswers#lengthBound}, an LLM engine), a time per token also grows with the
 * engine's batch without any queue. There windows close with {@value AnswerFit#MIN_SAMPLES} answers and are
 * judged by their fit against their lengths ({@link AnswerFit}): {@code gradient = 1 - wait / mean time}, the
 * wait being the intercept above the lowest one seen; the fast decrease fits the answers admitted since the
 * last decrease ({@link DecreaseRules}).
 *
 * <p>The parts: {@link LatencySignals} keeps each signal's window samples and baselines, {@link DecreaseRules}
 * holds the decreases (window, early, fast, drops) and {@link GrowthRule} the growth; this class runs the
 * start and the windows and hands each sample to them.
 *
 * <p>Why not Netflix concurrency-limits' {@code Gradient2Limit}: its long-term baseline is an average that
 * follows sustained congestion up, so the gradient returns to 1 and the limit grows while the backend queues.
 */
final class GradientLimit implements ConcurrencyLimit {
  static final int PROBE_SAMPLES = 10;
  static final int WINDOW_SAMPLES = 32;
  static final int MIN_SIGNAL_SAMPLES = 3;
  /**
   * A window that has lasted {@link #MIN_WINDOW_NANOS} closes with this many samples of the preferred signal:
   * slow backends (LLMs admitting a few requests a second) would otherwise take many seconds per step.
   */
  static final int MIN_WINDOW_SAMPLES = 8;
  static final long MIN_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** The start phase ends after this long even without {@value #PROBE_SAMPLES} samples (long answers). */
  static final long START_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** First tokens in a row far above baseline that decrease the limit at once. */
  static final int EARLY_SAMPLES = 3;
  /** Recent samples (whenever admitted) whose median decides a fast decrease. */
  static final int FAST_DECREASE_SAMPLES = 9;
  static final long BASELINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(120);
  /** {@link #onUnused}: the limit stays at most this share, and at least this many, above the peak. */
  static final double UNUSED_SHARE = 0.125;
  static final int UNUSED_MARGIN = 2;
  private static final long NOT_STARTED = Long.MIN_VALUE;
  /** The window of the start: permits admitted while the limit was pinned carry it. */
  private static final long START_WINDOW = 0;

  private final int initialLimit;
  private final LimitEstimate estimate;
  private final LatencySignals signals = new LatencySignals();
  private final GrowthRule growth = new GrowthRule();
  private final DecreaseRules decreases;
  private Phase phase = Phase.PROBING;
  private long window;
  private long windowStart;
  private long startedAt = NOT_STARTED;
  /** Requests whose answer has begun and that still hold their slot: the backend runs them all at once. */
  private int answering;

  GradientLimit(ConcurrencyConfig config) {
    this.initialLimit = config.limit();
    this.estimate = new LimitEstimate(config.minLimit(), config.maxLimit());
    this.decreases = new DecreaseRules(estimate, signals, growth);
  }

  /**
   * A reload moved the bounds: the learned limit (and baselines) stay, clamped to the new range, so a reload
   * never sends the limit back through its start.
   */
  GradientLimit rebound(int newMinLimit, int newMaxLimit) {
    estimate.rebound(newMinLimit, newMaxLimit);
    return this;
  }

  @Override
  public int limit() {
    return estimate.limit();
  }

  @Override
  public long window() {
    return window;
  }

  @Override
  public long baselineNanos(Signal signal) {
    return signal == Signal.NONE ? 0 : signals.baselineNanos(signal);
  }

  @Override
  public void onTick(long now) {
    if (phase == Phase.PROBING) {
      if (startedAt == NOT_STARTED) {
        startedAt = now;
      } else if (now - startedAt >= START_NANOS) {
        startTracking(now);
      }
    }
  }

  @Override
  public boolean searching() {
    return phase == Phase.PROBING || growth.inSlowStart();
  }

  @Override
  public void onRelease(long now) {
    decreases.onRelease(now);
  }

  @Override
  public void onUnused(int peakInFlight, long now) {
    double ceiling = peakInFlight + Math.max(UNUSED_MARGIN, peakInFlight * UNUSED_SHARE);
    if (phase == Phase.TRACKING && estimate.value() > ceiling) {
      estimate.setClamped(ceiling);
    }
  }

  @Override
  public void onAnswering(boolean started) {
    answering = Math.max(0, answering + (started ? 1 : -1));
  }

  @Override
  public void onSample(LatencySample measured, int inFlight, long admittedIn, long now) {
    onTick(now);
    if (measured.signal() == Signal.NONE) {
      return;
    }
    PrefillEnvelope prefill = signals.prefill();
    signals.learnPrefill(measured, now);
    decreases.noteServedAtOnce(measured, prefill.unqueuedNanos(measured.requestBytes()), inFlight, answering, now);
    LatencySample sample = prefill.adjust(measured);
    signals.noteAnswer(measured, inFlight, admittedIn, now);
    if (phase == Phase.TRACKING && sample.signal() == signals.preferred()
        && decreases.fastDecrease(sample, inFlight, admittedIn, window, now)) {
      nextWindow(now);
      return;
    }
    if (admittedIn == START_WINDOW && phase == Phase.TRACKING) {
      signals.seedFromLateStart(sample, inFlight, estimate.minLimit(), now);
    }
    if (phase == Phase.TRACKING && admittedIn != START_WINDOW) {
      decreases.noteForTail(sample, inFlight, admittedIn);
    }
    if (admittedIn != window) {
      return;
    }
    if (phase == Phase.PROBING && inFlight > estimate.minLimit()) {
      return;
    }
    SampleWindow samples = signals.window();
    samples.add(measured, inFlight);
    if (phase == Phase.PROBING) {
      if (samples.size() >= PROBE_SAMPLES) {
        startTracking(now);
      }
    } else if (decreases.earlyDecrease(sample, inFlight, window, now)) {
      nextWindow(now);
    } else if (slowStartsPerFirstToken(sample, inFlight, now)) {
      estimate.setClamped(estimate.value() + 1);
    } else if (samples.isFull()
        || (samples.count(signals.preferred()) >= minWindowSamples() && now - windowStart >= MIN_WINDOW_NANOS)
        || seedsFirstTokenBaseline(now) || slowStartJudged(now)) {
      judgeWindow(now);
    }
  }

  @Override
  public void onDropped(long admittedIn, long now) {
    if (admittedIn != window || phase == Phase.PROBING) {
      return;
    }
    decreases.drop();
    nextWindow(now);
  }

  /**
   * Leaves the start: baselines from whatever was measured at {@code minLimit} (a signal without samples
   * takes its baseline from its first window), then the configured limit.
   */
  private void startTracking(long now) {
    signals.updateBaselines(1, now);
    signals.noteStartSpreads();
    phase = Phase.TRACKING;
    estimate.set(initialLimit);
    nextWindow(now);
  }

  /**
   * How many samples of the preferred signal close a window that has lasted {@link #MIN_WINDOW_NANOS}: where
   * non-streamed answers are judged by their fit against their lengths, enough to fit.
   */
  private int minWindowSamples() {
    return signals.preferred() == Signal.PER_TOKEN && signals.lengthBound() ? AnswerFit.MIN_SAMPLES
        : MIN_WINDOW_SAMPLES;
  }

  /**
   * A backend whose first tokens took longer than the start to come has no first-token baseline yet, so its
   * windows wait for {@value #MIN_WINDOW_SAMPLES} answers judged by time per token, which on an LLM backend
   * (a fifth non-streamed, answers of seconds, a few places freeing a second at a small limit) took longer
   * than the whole convergence run: the limit stayed at its start. A window of a second with
   * {@value #MIN_SIGNAL_SAMPLES} first tokens closes and seeds their baseline instead.
   */
  private boolean seedsFirstTokenBaseline(long now) {
    return signals.baselineNanos(Signal.FIRST_TOKEN) == 0
        && signals.window().count(Signal.FIRST_TOKEN) >= MIN_SIGNAL_SAMPLES && now - windowStart >= MIN_WINDOW_NANOS;
  }

  /**
   * Slow start where first tokens carry their prompt's prefill (an LLM engine): each calm first token of a
   * request admitted near the limit adds a slot, as TCP's slow start adds a segment per acknowledgement, so the
   * limit doubles every first-token time instead of every window. An engine admitting a few requests a
   * second filled a window of {@value #MIN_SIGNAL_SAMPLES} such first tokens every few seconds from a small
   * limit, and took half a minute from 4 to its batch; paced by first tokens, growth is as fast as the engine
   * takes prompts in, and stops with the first slow one (the window then judges it).
   */
  private boolean slowStartsPerFirstToken(LatencySample sample, int inFlight, long now) {
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    return growth.inSlowStart() && signals.prefill().matters() && sample.signal() == Signal.FIRST_TOKEN
        && baseline > 0 && inFlight >= estimate.nearLimit()
        && sample.latencyNanos() <= decreases.highFirstTokenNanos(baseline, now);
  }

  /**
   * In slow start with first tokens, a calm window is judged as soon as {@value #MIN_SIGNAL_SAMPLES} of them
   * came from requests admitted near the limit: a small limit gives a few samples a second, and a calm
   * window is evidence enough to grow (queueing, a cliff for first tokens, is caught by the early decrease).
   */
  private boolean slowStartJudged(long now) {
    SampleWindow samples = signals.window();
    if (!growth.inSlowStart() || signals.preferred() != Signal.FIRST_TOKEN || signals.prefill().matters()
        || samples.count(Signal.FIRST_TOKEN, estimate.nearLimit()) < MIN_SIGNAL_SAMPLES) {
      return false;
    }
    // Only to grow: first tokens of one engine step share its prefill, so congestion is left to the early
    // decrease, which counts them once, and to the window's normal end.
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    return samples.median(Signal.FIRST_TOKEN, estimate.nearLimit()) <= decreases.highFirstTokenNanos(baseline, now);
  }

  /**
   * Closes the window: each signal's baseline takes in its median, then the window is judged by the samples
   * admitted near the limit if there are enough of them (the limit was reached), else by all, and the limit
   * comes down ({@link DecreaseRules}) or, if it was reached, grows ({@link GrowthRule}).
   */
  private void judgeWindow(long now) {
    SampleWindow samples = signals.window();
    signals.updateBaselines(MIN_SIGNAL_SAMPLES, now);
    // What the limit does to latency shows in the requests admitted near it; below it, a lightly loaded
    // backend answers at its baseline whatever the limit. So judge those when there are enough of them.
    int nearLimit = estimate.nearLimit();
    Signal atLimitSignal = signals.judged(nearLimit);
    boolean reached = atLimitSignal != null;
    int minInFlight = reached ? nearLimit : 0;
    Signal signal = reached ? atLimitSignal : signals.judged(0);
    if (signal != null) {
      long median = samples.median(signal, minInFlight);
      long spread = samples.quantile(signal, minInFlight, LatencySignals.SPREAD_QUANTILE) - median;
      AnswerFit fit = signal == Signal.PER_TOKEN ? fitAnswers(minInFlight) : null;
      boolean byFit = signals.judgedByFit(fit);
      double gradient;
      if (byFit) {
        gradient = signals.queueGradient(fit, now);
      } else {
        long judgedAgainst = signal != Signal.PER_TOKEN ? signals.baselineNanos(signal)
            : signals.judgedPerTokenNanos(samples.count(signal, minInFlight), spread);
        gradient = (double) judgedAgainst / median;
      }
      if (!decreases.judgeWindow(signal, gradient, median, minInFlight, reached, window, now)) {
        growth.onCalmWindow();
        // A time per token's spread sets how much chance explains (judgedPerTokenNanos): the 0.9 quantile of
        // a handful is nearly its median, and such spreads let the limit fall from 86 to 5 on 25-75 ms answers.
        if (reached && (signal != Signal.PER_TOKEN || samples.count(signal, minInFlight) >= MIN_WINDOW_SAMPLES)) {
          signals.noteCalmSpread(signal, spread);
        }
        boolean prefillShared = signals.prefill().matters();
        // Where prompts share the prefill, slow start grows per first token (slowStartsPerFirstToken).
        if (reached && !(growth.inSlowStart() && prefillShared && signal == Signal.FIRST_TOKEN)) {
          estimate.setClamped(growth.grow(estimate.value(), samples.maxInFlight(), signal, gradient,
              now - windowStart, prefillShared, now));
        }
      }
    }
    nextWindow(now);
  }

  /**
   * The window's non-streamed answers fitted against their lengths: those admitted near the limit when enough
   * of them were, else all (a queue delays every answer admitted while it lasts, whatever was in flight then).
   */
  private AnswerFit fitAnswers(int minInFlight) {
    AnswerFit fit = signals.window().fitAnswers(minInFlight);
    return fit != null || minInFlight == 0 ? fit : signals.window().fitAnswers(0);
  }

  private void nextWindow(long now) {
    window++;
    windowStart = now;
    signals.clearWindow();
  }

  private enum Phase {
    /** Pinned to minLimit until the first baselines are measured. */
    PROBING,
    /** Following the gradient. */
    TRACKING
  }
}
