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
 * joins the last {@value #FAST_DECREASE_SAMPLES}; when their median exceeds {@value #FAST_DECREASE_RATIO} times
 * the baseline, the limit drops at once (if lower) to their median Little's-law concurrency
 * {@code inFlightAtAdmission * baseline / latency}, and a new window opens: a limit far above the knee of a
 * backend with a deep queue would otherwise wait out that queue for each window's samples.
 *
 * <p><b>Slow start.</b> Until the first decrease, a window judged by time per token within
 * {@value #PER_TOKEN_TOLERANCE} of its baseline, with the limit reached, multiplies the limit by
 * {@value #SLOW_START_FACTOR} (from the most in flight reached, if lower) instead of the additive step below.
 *
 * <p><b>Early decrease.</b> {@value #EARLY_SAMPLES} first tokens in a row admitted near the limit, each above
 * {@code baseline * (1 + }{@value #EARLY_TOLERANCE}{@code )} and at least a baseline apart (first tokens of
 * one engine step share its prefill and count once), decrease the limit at once (as a congested window) and
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
 * if it has {@value #MIN_SIGNAL_SAMPLES} samples, else the other. {@code gradient = baseline / median}.
 * Then, once per window:
 * <pre>
 *   if gradient &lt; 1 / (1 + tolerance):                      decrease
 *     per token:   limit = limit * max({@value #MIN_GRADIENT}, gradient)
 *     first token: limit = limit * (0.9, 0.8, 0.6, 0.5 for the 1st, 2nd, 3rd, later congested window in a row)
 *   else if the limit was reached:                          increase
 *     limit = limit + max(1, sqrt(limit) / 2), but + 1 per token above baseline, or for first tokens
 *     within {@value #RECENT_WINDOWS} windows of a decrease; for first tokens, never past knee - 1 (the
 *     limit at the last decrease) until {@value #KNEE_HOLD_WINDOWS} calm windows have passed, then by 1
 * </pre>
 * with a tolerance of {@value #PER_TOKEN_TOLERANCE} per token and {@value #FIRST_TOKEN_TOLERANCE} for first
 * tokens. The per-token decrease is Little's law: with {@code limit} in flight each holding its slot
 * {@code median / baseline} times longer than without queueing, the backend serves {@code limit * gradient}
 * of them at once. Growth needs the limit to have been reached (a lightly loaded backend gives no evidence
 * about more concurrency), so the limit hovers just above the knee.
 *
 * <p><b>Served at once.</b> Every first token, whenever admitted, bounds from below what the backend runs at
 * once ({@link ServedAtOnce}: in flight at its admission, less the places that freed before it started). A
 * first-token decrease never goes below the recent largest such bound, and none happens while it reaches the
 * limit (the backend was just seen running the whole limit without a queue: slow first tokens there are
 * prefills sharing engine steps). A first-token fast decrease acts only on a deep queue (a target below
 * {@value #DROP_FACTOR} of the limit) and ends slow start. A backend without a first-token baseline after the
 * start closes a window of a second with {@value #MIN_SIGNAL_SAMPLES} first tokens to seed it.
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
  /**
   * A window that has lasted {@link #MIN_WINDOW_NANOS} closes with this many samples of the preferred signal:
   * slow backends (LLMs admitting a few requests a second) would otherwise take many seconds per step.
   */
  static final int MIN_WINDOW_SAMPLES = 8;
  static final long MIN_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How far above its baseline the per-token median may be before the limit comes down. */
  static final double PER_TOKEN_TOLERANCE = 0.1;
  /**
   * The same for the first-token median, wider: a first token also waits for the prefill of the prompts
   * joining the batch with it, which grows with the batch without any queueing; a request queued inside an
   * LLM engine waits a whole slot's turn, many times the baseline, and is caught within the window by the
   * early decrease; a window's median this far up means a slower engine. (At 0.5, with first tokens sampled
   * as they arrive, windows at a full batch without queueing read as congested and the limit sank to 25.)
   */
  static final double FIRST_TOKEN_TOLERANCE = 1.0;
  static final double MIN_GRADIENT = 0.5;
  static final double DROP_FACTOR = 0.9;
  /**
   * Calm windows after a decrease before first tokens probe past the knee: each probe queues a few requests
   * in the engine, so probing rarely keeps them under a hundredth of all.
   */
  static final int KNEE_HOLD_WINDOWS = 30;
  /** Windows after a decrease in which first-token growth steps by 1. */
  static final int RECENT_WINDOWS = 8;
  /** The start phase ends after this long even without {@value #PROBE_SAMPLES} samples (long answers). */
  static final long START_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** First tokens in a row far above baseline that decrease the limit at once. */
  static final int EARLY_SAMPLES = 3;
  /** How far above its baseline a first token is "far": a queued request waits a whole sequence's turn. */
  static final double EARLY_TOLERANCE = 1.0;
  /** Recent samples (whenever admitted) whose median decides a fast decrease. */
  static final int FAST_DECREASE_SAMPLES = 9;
  /** How many times its baseline the recent median must be for a fast decrease: heavy queueing. */
  static final double FAST_DECREASE_RATIO = 2;
  /** Slow start's growth per calm window. */
  static final double SLOW_START_FACTOR = 1.6;
  /**
   * A first token is "far" above its baseline, apart from {@link #EARLY_TOLERANCE}, when it waited this many
   * departures (places freeing at the backend, see {@link DepartureRate}): about that many requests were
   * queued ahead of it. Where a slot is held many times longer than a first token takes (streams), queueing
   * shows as a small excess that {@link #EARLY_TOLERANCE} alone would miss.
   */
  static final double QUEUE_STEPS = 1.5;
  private static final long NOT_STARTED = Long.MIN_VALUE;
  /** The window of the start: permits admitted while the limit was pinned carry it. */
  private static final long START_WINDOW = 0;
  static final long BASELINE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(120);
  private static final Signal[] SIGNALS = SampleWindow.signals();

  private int minLimit;
  private int maxLimit;
  private final int initialLimit;
  private final SampleWindow samples = new SampleWindow(Math.max(PROBE_SAMPLES, WINDOW_SAMPLES));
  private final Baseline[] baselines = new Baseline[SIGNALS.length];
  private Phase phase = Phase.PROBING;
  private double estimate;
  private long window;
  private long windowStart;
  private int windowsSinceDecrease = RECENT_WINDOWS + 1;
  /** Windows in a row judged congested. */
  private int congestedWindows;
  private final EarlyDecrease early = new EarlyDecrease();
  /** The limit at the last decrease (0 before any): growth slows to a step of 1 there. */
  private double knee;
  /** Calm windows since the last decrease, up to {@link #KNEE_HOLD_WINDOWS}. */
  private int windowsAtKnee;
  private long startedAt = NOT_STARTED;
  /** First tokens of requests admitted in the start that came after it, while no first-token baseline exists. */
  private final long[] lateStartFirstTokens = new long[MIN_SIGNAL_SAMPLES];
  private int lateStartCount;
  private Growth growth = Growth.SLOW_START;
  /** The latest samples of each signal, whenever admitted: the fast decrease's evidence. */
  private final RecentSamples[] recent = new RecentSamples[SIGNALS.length];
  private final DepartureRate departures = new DepartureRate();
  /** What the backend served at once lately: the floor of a first-token decrease. */
  private final ServedAtOnce servedAtOnce = new ServedAtOnce();
  /** The window opened by the last decrease: first tokens admitted before it are no fast-decrease evidence. */
  private long lastDecreaseWindow;
  /**
   * The last limit Little's law found served without a queue, counted precisely (a small queue; 0 before
   * any, and again after a window judged congested at or below it): first tokens far above baseline at or
   * below it are long prompts' prefills sharing an engine step, not a queue, so no early decrease there.
   */
  private double queueFreeLimit;

  GradientLimit(ConcurrencyConfig config) {
    this.minLimit = config.minLimit();
    this.maxLimit = config.maxLimit();
    this.initialLimit = config.limit();
    this.estimate = minLimit;
    for (int i = 0; i < baselines.length; i++) {
      baselines[i] = new Baseline(BASELINE_INTERVAL_NANOS);
      recent[i] = new RecentSamples(FAST_DECREASE_SAMPLES);
    }
  }

  /**
   * A reload moved the bounds: the learned limit (and baselines) stay, clamped to the new range, so a reload
   * never sends the limit back through its start.
   */
  GradientLimit rebound(int newMinLimit, int newMaxLimit) {
    this.minLimit = newMinLimit;
    this.maxLimit = newMaxLimit;
    this.estimate = clamp(estimate);
    return this;
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
  public void onRelease(long now) {
    departures.onRelease(now);
  }

  @Override
  public void onSample(LatencySample sample, int inFlight, long admittedIn, long now) {
    onTick(now);
    if (sample.signal() == Signal.NONE) {
      return;
    }
    noteServedAtOnce(sample, inFlight, now);
    if (phase == Phase.TRACKING && sample.signal() == preferred()
        && queueingHeavily(sample, inFlight, admittedIn, now)) {
      return;
    }
    if (admittedIn == START_WINDOW && phase == Phase.TRACKING) {
      seedFromLateStart(sample, inFlight, now);
    }
    if (admittedIn != window) {
      return;
    }
    if (phase == Phase.PROBING && inFlight > minLimit) {
      return;
    }
    samples.add(sample, inFlight);
    if (phase == Phase.PROBING) {
      if (samples.size() >= PROBE_SAMPLES) {
        startTracking(now);
      }
    } else if (queueingInEngine(sample, inFlight, now)) {
      decrease(Signal.FIRST_TOKEN, 0, earlyQueueFree(now), now);
      nextWindow(now);
    } else if (samples.isFull()
        || (samples.count(preferred()) >= MIN_WINDOW_SAMPLES && now - windowStart >= MIN_WINDOW_NANOS)
        || seedsFirstTokenBaseline(now) || slowStartJudged(now)) {
      judgeWindow(now);
    }
  }

  /**
   * Leaves the start: baselines from whatever was measured at {@code minLimit} (a signal without samples
   * takes its baseline from its first window), then the configured limit.
   */
  private void startTracking(long now) {
    for (Signal s : SIGNALS) {
      if (samples.count(s) > 0) {
        baselines[s.ordinal()].update(samples.median(s), now);
      }
    }
    phase = Phase.TRACKING;
    estimate = initialLimit;
    nextWindow(now);
  }

  /**
   * Every first token, whenever admitted, bounds what the backend serves at once from below (see
   * {@link ServedAtOnce}): admitted with {@code inFlight} in flight, it started by half a baseline before it
   * came, when all those ahead of it that had not left yet (releases counted meanwhile) were running with it.
   */
  private void noteServedAtOnce(LatencySample sample, int inFlight, long now) {
    long baseline = baselines[Signal.FIRST_TOKEN.ordinal()].nanos();
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0) {
      return;
    }
    int left = departures.between(now - sample.latencyNanos(), now - baseline / 2);
    if (left >= 0) {
      servedAtOnce.add(inFlight - left, now);
    }
  }

  /**
   * The start ended by time before any first token came (an LLM's prefill of a long prompt takes longer than
   * the start): the first {@value #MIN_SIGNAL_SAMPLES} first tokens of requests admitted in it (at
   * {@code minLimit}, so without queueing) seed the first-token baseline when they come. Without it the
   * limit is judged by time per token until a window has enough first tokens, which a deep queue delays.
   */
  private void seedFromLateStart(LatencySample sample, int inFlight, long now) {
    Baseline firstTokens = baselines[Signal.FIRST_TOKEN.ordinal()];
    if (sample.signal() != Signal.FIRST_TOKEN || firstTokens.nanos() > 0 || inFlight > minLimit) {
      return;
    }
    lateStartFirstTokens[lateStartCount++] = sample.latencyNanos();
    if (lateStartCount == lateStartFirstTokens.length) {
      long[] sorted = lateStartFirstTokens.clone();
      java.util.Arrays.sort(sorted);
      firstTokens.update(sorted[(sorted.length - 1) / 2], now);
    }
  }

  /** The early decrease ({@link EarlyDecrease}), for first tokens admitted near the limit. */
  private boolean queueingInEngine(LatencySample sample, int inFlight, long now) {
    long baseline = baselines[Signal.FIRST_TOKEN.ordinal()].nanos();
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0 || inFlight < nearLimit()) {
      return false;
    }
    if (estimate <= queueFreeLimit || servedAtOnce.floor(now) >= estimate) {
      return false;
    }
    // Past the last knee the engine queued before: one such first token is enough evidence there.
    return early.onFirstToken(sample.latencyNanos(), highFirstTokenNanos(baseline, now), baseline, now,
        knee > 0 && estimate >= knee);
  }

  /**
   * How far above {@code baseline} a first token means queueing: {@code 1 + }{@value #EARLY_TOLERANCE} times
   * it, or less when the backend frees places fast enough that waiting {@value #QUEUE_STEPS} of them takes
   * less.
   */
  private long highFirstTokenNanos(long baseline, long now) {
    double rate = departures.perSecond(now);
    long margin = (long) (baseline * Math.max(EARLY_TOLERANCE, FIRST_TOKEN_TOLERANCE));
    return baseline + (rate > 0 ? Math.min(margin, (long) (QUEUE_STEPS * 1e9 / rate)) : margin);
  }

  /**
   * The early decrease's Little's-law target: the median concurrency served unqueued, over all the window's
   * first tokens admitted near the limit (the high ones alone would overstate the queue: they are the
   * longest of the waits).
   */
  private double earlyQueueFree(long now) {
    double rate = departures.perSecond(now);
    if (rate <= 0) {
      return Double.NaN;
    }
    long baseline = baselines[Signal.FIRST_TOKEN.ordinal()].nanos();
    return samples.medianQueueFree(Signal.FIRST_TOKEN, nearLimit(), baseline, rate);
  }

  /**
   * A backend whose first tokens took longer than the start to come has no first-token baseline yet, so its
   * windows wait for {@value #MIN_WINDOW_SAMPLES} answers judged by time per token, which on an LLM backend
   * (a fifth non-streamed, answers of seconds, a few places freeing a second at a small limit) took longer
   * than the whole convergence run: the limit stayed at its start. A window of a second with
   * {@value #MIN_SIGNAL_SAMPLES} first tokens closes and seeds their baseline instead.
   */
  private boolean seedsFirstTokenBaseline(long now) {
    return baselines[Signal.FIRST_TOKEN.ordinal()].nanos() == 0
        && samples.count(Signal.FIRST_TOKEN) >= MIN_SIGNAL_SAMPLES && now - windowStart >= MIN_WINDOW_NANOS;
  }

  /**
   * In slow start with first tokens, a calm window is judged as soon as {@value #MIN_SIGNAL_SAMPLES} of them
   * came from requests admitted near the limit: a small limit gives a few samples a second, and a calm
   * window is evidence enough to grow (queueing, a cliff for first tokens, is caught by the early decrease).
   */
  private boolean slowStartJudged(long now) {
    if (growth != Growth.SLOW_START || preferred() != Signal.FIRST_TOKEN
        || samples.count(Signal.FIRST_TOKEN, nearLimit()) < MIN_SIGNAL_SAMPLES) {
      return false;
    }
    // Only to grow: first tokens of one engine step share its prefill, so congestion is left to the early
    // decrease, which counts them once, and to the window's normal end.
    long baseline = baselines[Signal.FIRST_TOKEN.ordinal()].nanos();
    return samples.median(Signal.FIRST_TOKEN, nearLimit()) <= highFirstTokenNanos(baseline, now);
  }

  /**
   * The fast decrease, for a limit far above the knee with a deep queue behind it: the window's own samples
   * would wait out that whole queue before judging it. When the median of the last
   * {@value #FAST_DECREASE_SAMPLES} samples of a signal (whenever admitted) exceeds
   * {@value #FAST_DECREASE_RATIO} times its baseline, Little's law gives the concurrency served without
   * queueing: the median over those samples of {@code inFlightAtAdmission * baseline / latency} (in a FIFO
   * queue a request's latency is the work ahead of it over the rate it is served at). Once per window: it
   * opens a new one and forgets the recent samples. A median over several samples of one signal keeps a
   * single slow answer from triggering it. By time per token it does not end slow start (from far above it
   * may undershoot, and the next calm windows regain the knee quickly); by first tokens, floored by
   * {@link ServedAtOnce}, it does.
   */
  private boolean queueingHeavily(LatencySample sample, int inFlight, long admittedIn, long now) {
    if (sample.signal() == Signal.FIRST_TOKEN && admittedIn < lastDecreaseWindow) {
      // Admitted under a higher limit, whose queue the last decrease already took off: counting it again
      // would cut below the backend's slots.
      return false;
    }
    RecentSamples r = recent[sample.signal().ordinal()];
    r.add(sample.latencyNanos(), inFlight);
    long baseline = baselines[sample.signal().ordinal()].nanos();
    if (!r.isFull() || baseline == 0) {
      return false;
    }
    long median = r.median();
    if (median <= baseline * FAST_DECREASE_RATIO) {
      return false;
    }
    double target;
    if (sample.signal() == Signal.PER_TOKEN) {
      target = clamp(r.medianConcurrency(baseline));
    } else {
      // A first token is a small part of a slot's holding time: the per-token form would read a short
      // queue as a tiny backend. Count the queue from the departure rate instead.
      double rate = departures.perSecond(now);
      if (rate <= 0) {
        return false;
      }
      target = clamp(Math.max(r.medianQueueFree(baseline, rate), servedAtOnce.floor(now)));
      if (target >= estimate * DROP_FACTOR) {
        // A queue of a few, or first tokens slowed by prefills sharing engine steps: the early decrease and
        // the window judge those; this is for a limit far above the knee.
        return false;
      }
    }
    if (target >= estimate) {
      return false;
    }
    if (sample.signal() == Signal.FIRST_TOKEN) {
      // Counted, and floored by what the backend just served at once: growing x1.6 again would only
      // overshoot once more.
      growth = Growth.CAREFUL;
    }
    congestedWindows++;
    windowsSinceDecrease = 0;
    windowsAtKnee = 0;
    early.reset();
    knee = estimate;
    estimate = target;
    nextWindow(now);
    lastDecreaseWindow = window;
    return true;
  }

  private int nearLimit() {
    return limit() - Math.max(1, limit() / 10);
  }

  @Override
  public void onDropped(long admittedIn, long now) {
    if (admittedIn != window || phase == Phase.PROBING) {
      return;
    }
    estimate = clamp(estimate * DROP_FACTOR);
    growth = Growth.CAREFUL;
    nextWindow(now);
  }

  private void judgeWindow(long now) {
    for (Signal s : SIGNALS) {
      if (samples.count(s) >= MIN_SIGNAL_SAMPLES) {
        baselines[s.ordinal()].update(samples.median(s), now);
      }
    }
    // What the limit does to latency shows in the requests admitted near it; below it, a lightly loaded
    // backend answers at its baseline whatever the limit. So judge those when there are enough of them.
    int nearLimit = nearLimit();
    Signal atLimitSignal = judged(nearLimit);
    boolean reached = atLimitSignal != null;
    int minInFlight = reached ? nearLimit : 0;
    Signal signal = reached ? atLimitSignal : judged(0);
    if (signal != null) {
      long baseline = baselines[signal.ordinal()].nanos();
      long median = samples.median(signal, minInFlight);
      double gradient = (double) baseline / median;
      boolean congested;
      double queueFree = Double.NaN;
      if (signal == Signal.FIRST_TOKEN) {
        // The backend was just seen running the whole limit at once: slow first tokens here are prefills
        // sharing engine steps, not a queue.
        congested = median > highFirstTokenNanos(baseline, now) && servedAtOnce.floor(now) < estimate;
        double rate = departures.perSecond(now);
        if (congested && rate > 0) {
          queueFree = samples.medianQueueFree(signal, minInFlight, baseline, rate);
        }
      } else {
        congested = gradient < 1 / (1 + PER_TOKEN_TOLERANCE);
      }
      if (congested) {
        if (reached && estimate <= queueFreeLimit) {
          // A whole window queued there: the backend has slowed since.
          queueFreeLimit = 0;
        }
        decrease(signal, gradient, queueFree, now);
      } else {
        congestedWindows = 0;
        windowsSinceDecrease = Math.min(windowsSinceDecrease + 1, RECENT_WINDOWS + 1);
        windowsAtKnee = Math.min(windowsAtKnee + 1, KNEE_HOLD_WINDOWS);
      }
      if (growth == Growth.SLOW_START && reached && !congested) {
        // No congestion seen yet and none in this window: grow multiplicatively from the concurrency
        // actually reached.
        estimate = clamp(Math.min(estimate, samples.maxInFlight()) * SLOW_START_FACTOR);
      } else if (!congested && reached) {
        // Per token, latency creeps up before the knee: slow to a step of 1 there. First tokens stay flat
        // until the engine queues, so they keep the larger step, but for a few windows after a decrease
        // (the knee is near) step by 1 too.
        boolean flat = signal == Signal.FIRST_TOKEN ? windowsSinceDecrease > RECENT_WINDOWS : gradient >= 1;
        double step = flat ? Math.max(1, Math.sqrt(estimate) / 2) : 1;
        // First tokens: approach the last knee no nearer than a slot below it (just above it the engine
        // queued last time), and probe past it only after RECENT_WINDOWS calm windows: each probe queues.
        if (signal == Signal.FIRST_TOKEN && knee > 0 && estimate + step > knee - 1) {
          step = windowsAtKnee >= KNEE_HOLD_WINDOWS ? 1 : Math.max(0, knee - 1 - estimate);
        }
        estimate = clamp(estimate + step);
      }
    }
    nextWindow(now);
  }

  /**
   * Time per token stretches with the slot's holding time, so Little's law gives the concurrency the backend
   * serves without queueing: {@code limit * gradient}. A first token's delay does not scale so (one request
   * queued in an engine waits a whole slot's turn): there, back off 10% after a window that was fine (the
   * last step overshot), twice as far for each further congested window in a row. The limit before the
   * decrease is remembered as the knee.
   */
  private void decrease(Signal signal, double gradient, double queueFree, long now) {
    congestedWindows++;
    windowsSinceDecrease = 0;
    windowsAtKnee = 0;
    early.reset();
    knee = estimate;
    growth = Growth.CAREFUL;
    lastDecreaseWindow = window + 1;
    int floor = signal == Signal.FIRST_TOKEN ? servedAtOnce.floor(now) : 0;
    if (floor > 0) {
      queueFree = Double.isNaN(queueFree) ? floor : Math.max(queueFree, floor);
    }
    if (signal == Signal.FIRST_TOKEN && !Double.isNaN(queueFree)) {
      // Little's law counted the queue: step to what the backend served without it, and hold there (growth
      // stops a slot below the knee).
      double target = Math.max(estimate * MIN_GRADIENT, Math.min(queueFree, estimate - 1));
      if (target >= estimate * DROP_FACTOR) {
        // A small queue, counted precisely: growth holds at the target. (A large one is counted in a
        // transient, when places free in bursts; there the knee stays where the queue formed.)
        knee = Math.ceil(target) + 1;
        queueFreeLimit = Math.floor(target);
      }
      estimate = clamp(target);
      return;
    }
    double factor = signal == Signal.PER_TOKEN ? gradient
        : 1 - (1 - DROP_FACTOR) * (1 << Math.min(congestedWindows - 1, 3));
    estimate = clamp(estimate * Math.max(MIN_GRADIENT, factor));
  }

  /**
   * The signal to judge the samples admitted with {@code minInFlight} or more in flight by: first tokens
   * when there are enough of them, else time per token; null when neither has enough. First tokens are
   * preferred because a batching engine's time per token also grows, gently and usefully, with its batch:
   * judged by it, the limit would stop filling the batch long before the engine queues.
   */
  private Signal judged(int minInFlight) {
    Signal preferred = preferred();
    if (samples.count(preferred, minInFlight) >= MIN_SIGNAL_SAMPLES) {
      return preferred;
    }
    for (Signal s : SIGNALS) {
      if (samples.count(s, minInFlight) >= MIN_SIGNAL_SAMPLES) {
        return s;
      }
    }
    return null;
  }

  /** First tokens once this backend has served streams (it has their baseline), else time per token. */
  private Signal preferred() {
    return baselines[Signal.FIRST_TOKEN.ordinal()].nanos() > 0 ? Signal.FIRST_TOKEN : Signal.PER_TOKEN;
  }

  private void nextWindow(long now) {
    window++;
    windowStart = now;
    samples.clear();
    for (RecentSamples r : recent) {
      r.clear();
    }
  }

  private double clamp(double v) {
    return Math.max(minLimit, Math.min(maxLimit, v));
  }

  private enum Growth {
    /** No congestion seen since start: calm windows double the limit. */
    SLOW_START,
    /** After the first decrease: the careful additive steps. */
    CAREFUL
  }

  private enum Phase {
    /** Pinned to minLimit until the first baselines are measured. */
    PROBING,
    /** Following the gradient. */
    TRACKING
  }
}
