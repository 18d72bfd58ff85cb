package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;

/**
 * When and how far {@link GradientLimit} comes down. Each rule, when it fires, remembers the limit before as
 * the knee ({@link GrowthRule#onDecrease}) and the caller opens a new window.
 *
 * <ul>
 *   <li>{@link #judgeWindow Window}: a window's median above its baseline by more than the signal's tolerance.
 *       Per token, Little's law: {@code limit * gradient}. First tokens: to the concurrency the backend served
 *       without a queue (Little's law from the departure rate), else 10%, 20%, 40%, 50% down for the 1st,
 *       2nd, 3rd, later congested window in a row.
 *   <li>{@link #earlyDecrease Early}: first tokens near the limit far above baseline, a few in a row
 *       ({@link EarlyDecrease}), before the window ends: a request queued in an engine waits a whole
 *       sequence's turn.
 *   <li>{@link #fastDecrease Fast}: the median of the latest samples, whenever admitted, far above baseline:
 *       a limit far above the knee would otherwise wait out its deep queue for each window's samples.
 *   <li>{@link #drop Drop}: overload evidence, {@value #DROP_FACTOR} of the limit.
 * </ul>
 * A first-token decrease never goes below what the backend was just seen serving at once
 * ({@link ServedAtOnce}), and none happens while that reaches the limit. Not thread-safe.
 */
final class DecreaseRules {
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
  /** How far above its baseline a first token is "far": a queued request waits a whole sequence's turn. */
  static final double EARLY_TOLERANCE = 1.0;
  /** How many times its baseline the recent median must be for a fast decrease: heavy queueing. */
  static final double FAST_DECREASE_RATIO = 2;
  /**
   * A first token is "far" above its baseline, apart from {@link #EARLY_TOLERANCE}, when it waited this many
   * departures (places freeing at the backend, see {@link DepartureRate}): about that many requests were
   * queued ahead of it. Where a slot is held many times longer than a first token takes (streams), queueing
   * shows as a small excess that {@link #EARLY_TOLERANCE} alone would miss.
   */
  static final double QUEUE_STEPS = 1.5;

  private final LimitEstimate estimate;
  private final LatencySignals signals;
  private final GrowthRule growth;
  private final EarlyDecrease early = new EarlyDecrease();
  private final DepartureRate departures = new DepartureRate();
  /** What the backend served at once lately: the floor of a first-token decrease. */
  private final ServedAtOnce servedAtOnce = new ServedAtOnce();
  /** Windows in a row judged congested. */
  private int congestedWindows;
  /** The window opened by the last decrease: first tokens admitted before it are no fast-decrease evidence. */
  private long lastDecreaseWindow;
  /**
   * The last limit Little's law found served without a queue, counted precisely (a small queue; 0 before
   * any, and again after a window judged congested at or below it): first tokens far above baseline at or
   * below it are long prompts' prefills sharing an engine step, not a queue, so no early decrease there.
   */
  private double queueFreeLimit;

  DecreaseRules(LimitEstimate estimate, LatencySignals signals, GrowthRule growth) {
    this.estimate = estimate;
    this.signals = signals;
    this.growth = growth;
  }

  /** A slot freed at {@code now}: the departure rate. */
  void onRelease(long now) {
    departures.onRelease(now);
  }

  /**
   * Every first token, whenever admitted, bounds what the backend serves at once from below (see
   * {@link ServedAtOnce}): admitted with {@code inFlight} in flight, it started by half a baseline before it
   * came, when all those ahead of it that had not left yet (releases counted meanwhile) were running with it.
   */
  void noteServedAtOnce(LatencySample sample, int inFlight, long now) {
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0) {
      return;
    }
    int left = departures.between(now - sample.latencyNanos(), now - baseline / 2);
    if (left >= 0) {
      servedAtOnce.add(inFlight - left, now);
    }
  }

  /**
   * The fast decrease, for a limit far above the knee with a deep queue behind it: the window's own samples
   * would wait out that whole queue before judging it. When the median of the last
   * {@value GradientLimit#FAST_DECREASE_SAMPLES} samples of a signal (whenever admitted) exceeds
   * {@value #FAST_DECREASE_RATIO} times its baseline, Little's law gives the concurrency served without
   * queueing: the median over those samples of {@code inFlightAtAdmission * baseline / latency} (in a FIFO
   * queue a request's latency is the work ahead of it over the rate it is served at). Once per window: the
   * caller opens a new one, which forgets the recent samples. A median over several samples of one signal
   * keeps a single slow answer from triggering it. By time per token it does not end slow start (from far
   * above it may undershoot, and the next calm windows regain the knee quickly); by first tokens, floored by
   * {@link ServedAtOnce}, it does.
   *
   * @param window the current window; the decrease opens the next
   * @return whether the limit came down
   */
  boolean fastDecrease(LatencySample sample, int inFlight, long admittedIn, long window, long now) {
    if (sample.signal() == Signal.FIRST_TOKEN && admittedIn < lastDecreaseWindow) {
      // Admitted under a higher limit, whose queue the last decrease already took off: counting it again
      // would cut below the backend's slots.
      return false;
    }
    RecentSamples r = signals.recent(sample.signal());
    r.add(sample.latencyNanos(), inFlight);
    long baseline = signals.baselineNanos(sample.signal());
    if (!r.isFull() || baseline == 0) {
      return false;
    }
    long median = r.median();
    if (median <= baseline * FAST_DECREASE_RATIO) {
      return false;
    }
    double target;
    if (sample.signal() == Signal.PER_TOKEN) {
      target = estimate.clamp(r.medianConcurrency(baseline));
    } else {
      // A first token is a small part of a slot's holding time: the per-token form would read a short
      // queue as a tiny backend. Count the queue from the departure rate instead.
      double rate = departures.perSecond(now);
      if (rate <= 0) {
        return false;
      }
      target = estimate.clamp(Math.max(r.medianQueueFree(baseline, rate), servedAtOnce.floor(now)));
      if (target >= estimate.value() * DROP_FACTOR) {
        // A queue of a few, or first tokens slowed by prefills sharing engine steps: the early decrease and
        // the window judge those; this is for a limit far above the knee.
        return false;
      }
    }
    if (target >= estimate.value()) {
      return false;
    }
    if (sample.signal() == Signal.FIRST_TOKEN) {
      // Counted, and floored by what the backend just served at once: growing x1.6 again would only
      // overshoot once more.
      growth.endSlowStart();
    }
    congestedWindows++;
    growth.onDecrease(estimate.value());
    early.reset();
    estimate.setClamped(target);
    lastDecreaseWindow = window + 1;
    return true;
  }

  /**
   * The early decrease ({@link EarlyDecrease}), for first tokens admitted near the limit: decreases as a
   * congested window would, to the median concurrency served unqueued over the window's first tokens
   * admitted near the limit.
   *
   * @param window the current window; the caller opens the next when the limit came down
   * @return whether the limit came down
   */
  boolean earlyDecrease(LatencySample sample, int inFlight, long window, long now) {
    if (!queueingInEngine(sample, inFlight, now)) {
      return false;
    }
    decrease(Signal.FIRST_TOKEN, 0, earlyQueueFree(now), window, now);
    return true;
  }

  private boolean queueingInEngine(LatencySample sample, int inFlight, long now) {
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0 || inFlight < estimate.nearLimit()) {
      return false;
    }
    if (estimate.value() <= queueFreeLimit || servedAtOnce.floor(now) >= estimate.value()) {
      return false;
    }
    // Past the last knee the engine queued before: one such first token is enough evidence there.
    return early.onFirstToken(sample.latencyNanos(), highFirstTokenNanos(baseline, now), baseline, now,
        growth.pastKnee(estimate.value()));
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
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    return signals.window().medianQueueFree(Signal.FIRST_TOKEN, estimate.nearLimit(), baseline, rate);
  }

  /**
   * How far above {@code baseline} a first token means queueing: {@code 1 + }{@value #EARLY_TOLERANCE} times
   * it, or less when the backend frees places fast enough that waiting {@value #QUEUE_STEPS} of them takes
   * less.
   */
  long highFirstTokenNanos(long baseline, long now) {
    double rate = departures.perSecond(now);
    long margin = (long) (baseline * Math.max(EARLY_TOLERANCE, FIRST_TOKEN_TOLERANCE));
    return baseline + (rate > 0 ? Math.min(margin, (long) (QUEUE_STEPS * 1e9 / rate)) : margin);
  }

  /**
   * Judges a closed window by {@code signal}'s samples admitted with {@code minInFlight} or more in flight,
   * and decreases the limit if they were congested.
   *
   * @param gradient {@code baseline / median}
   * @param median the median of those samples
   * @param reached whether they are the samples admitted near the limit
   * @param window the window being closed
   * @return whether the window was congested (the limit came down)
   */
  boolean judgeWindow(Signal signal, double gradient, long median, int minInFlight, boolean reached, long window,
      long now) {
    long baseline = signals.baselineNanos(signal);
    boolean congested;
    double queueFree = Double.NaN;
    if (signal == Signal.FIRST_TOKEN) {
      // The backend was just seen running the whole limit at once: slow first tokens here are prefills
      // sharing engine steps, not a queue.
      congested = median > highFirstTokenNanos(baseline, now) && servedAtOnce.floor(now) < estimate.value();
      double rate = departures.perSecond(now);
      if (congested && rate > 0) {
        queueFree = signals.window().medianQueueFree(signal, minInFlight, baseline, rate);
      }
    } else {
      congested = gradient < 1 / (1 + PER_TOKEN_TOLERANCE);
    }
    if (!congested) {
      congestedWindows = 0;
      return false;
    }
    if (reached && estimate.value() <= queueFreeLimit) {
      // A whole window queued there: the backend has slowed since.
      queueFreeLimit = 0;
    }
    decrease(signal, gradient, queueFree, window, now);
    return true;
  }

  /** Overload evidence: down by {@value #DROP_FACTOR}, and slow start is over. */
  void drop() {
    estimate.setClamped(estimate.value() * DROP_FACTOR);
    growth.endSlowStart();
  }

  /**
   * Time per token stretches with the slot's holding time, so Little's law gives the concurrency the backend
   * serves without queueing: {@code limit * gradient}. A first token's delay does not scale so (one request
   * queued in an engine waits a whole slot's turn): there, back off 10% after a window that was fine (the
   * last step overshot), twice as far for each further congested window in a row. The limit before the
   * decrease is remembered as the knee.
   */
  private void decrease(Signal signal, double gradient, double queueFree, long window, long now) {
    congestedWindows++;
    growth.onDecrease(estimate.value());
    early.reset();
    growth.endSlowStart();
    lastDecreaseWindow = window + 1;
    int floor = signal == Signal.FIRST_TOKEN ? servedAtOnce.floor(now) : 0;
    if (floor > 0) {
      queueFree = Double.isNaN(queueFree) ? floor : Math.max(queueFree, floor);
    }
    if (signal == Signal.FIRST_TOKEN && !Double.isNaN(queueFree)) {
      // Little's law counted the queue: step to what the backend served without it, and hold there (growth
      // stops a slot below the knee).
      double target = Math.max(estimate.value() * MIN_GRADIENT, Math.min(queueFree, estimate.value() - 1));
      if (target >= estimate.value() * DROP_FACTOR) {
        // A small queue, counted precisely: growth holds at the target. (A large one is counted in a
        // transient, when places free in bursts; there the knee stays where the queue formed.)
        growth.setKnee(Math.ceil(target) + 1);
        queueFreeLimit = Math.floor(target);
      }
      estimate.setClamped(target);
      return;
    }
    double factor = signal == Signal.PER_TOKEN ? gradient
        : 1 - (1 - DROP_FACTOR) * (1 << Math.min(congestedWindows - 1, 3));
    estimate.setClamped(estimate.value() * Math.max(MIN_GRADIENT, factor));
  }
}
