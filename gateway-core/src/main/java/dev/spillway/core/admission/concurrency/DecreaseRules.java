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
 * ({@link ServedAtOnce}: FIFO bounds, and the requests answering at once), and none happens while that reaches
 * the limit. Where first tokens carry their prompt's prefill ({@link PrefillEnvelope#matters}): wider margins
 * (other prompts' prefill is no queue), no decrease of an unreached limit or fast decrease unless clearly more
 * are in flight than served at once ({@link BackendPlaces#queuedFor}), and the lower quartile of the bounds as the
 * floor (a KV-bound batch swings with its sequences' lengths). Not thread-safe.
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
  /**
   * Where first tokens carry their prompt's prefill ({@link PrefillEnvelope#matters}), the most above its
   * baseline, in baselines, a first token may be without counting as queued, when the backend frees places
   * slowly: the prompts admitted with it share the engine's prefill, so it waits for theirs without any queue
   * (on the LLM engine simulator, a window's median up to 4 baselines at a limit below the batch, 10 and more
   * with a queue); {@value #QUEUE_STEPS} departures' wait stays the bar where places free faster.
   */
  static final long PREFILL_MAX_MARGIN = 5;
  private final LimitEstimate estimate;
  private final LatencySignals signals;
  private final GrowthRule growth;
  private final EarlyDecrease early = new EarlyDecrease();
  private final QueuedTail tail = new QueuedTail();
  private final DepartureRate departures;
  private final BackendPlaces places;
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
    this.places = new BackendPlaces(signals);
    this.departures = places.departures();
  }

  /** A slot freed at {@code now}: the departure rate. */
  void onRelease(long now) {
    departures.onRelease(now);
  }

  /** {@link BackendPlaces#noteServedAtOnce}. */
  void noteServedAtOnce(LatencySample sample, long unqueuedNanos, int inFlight, int answering, long now) {
    places.noteServedAtOnce(sample, unqueuedNanos, inFlight, answering, now);
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
   * {@link ServedAtOnce}, it does, unless the backend is still filling its first batch
   * ({@link BackendPlaces#fillingFirstBatch}).
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
    if (sample.signal() == Signal.PER_TOKEN && (signals.lengthBound() || !signals.lengthBoundDecided())) {
      // Until the answers tell, a time per token far above the baseline may be a full batch's pace.
      return signals.lengthBound() && fastDecreaseByFit(window, now);
    }
    long baseline = signals.baselineNanos(sample.signal());
    if (!r.isFull() || baseline == 0) {
      return false;
    }
    long median = r.median();
    if (sample.signal() == Signal.PER_TOKEN && median > baseline * FAST_DECREASE_RATIO) {
      // Only then can what chance explains matter (it never lowers the bar), so it is not worked out per sample.
      baseline = signals.judgedPerTokenNanos(r.size(), r.spread());
    }
    if (median <= baseline * FAST_DECREASE_RATIO
        || sample.signal() == Signal.FIRST_TOKEN && median <= deepQueueNanos(baseline, now)) {
      return false;
    }
    double target;
    if (sample.signal() == Signal.PER_TOKEN) {
      target = estimate.clamp(r.medianConcurrency(baseline));
    } else {
      // A first token is a small part of a slot's holding time: the per-token form would read a short
      // queue as a tiny backend. Count the queue from the departure rate instead, or before any departure
      // rate (a start far above the backend, whose slots are all still busy), by what it serves at once.
      double rate = departures.perSecond(now);
      int floor = places.servedFloor(now);
      if (rate <= 0 && floor == 0) {
        return false;
      }
      target = estimate.clamp(Math.max(rate > 0 ? r.medianQueueFree(baseline, rate) : 0, floor));
      if (signals.prefill().mayMatter() && !places.queuedFor((int) r.medianInFlight(), now)) {
        // Where prompts share the prefill, a deep wait with nearly all those in flight served at once is
        // other prompts' prefill, not a queue for places: at half load it cut 64 to the 10 in flight.
        return false;
      }
      if (target >= estimate.value() * DROP_FACTOR) {
        // A queue of a few, or first tokens slowed by prefills sharing engine steps: the early decrease and
        // the window judge those; this is for a limit far above the knee.
        return false;
      }
    }
    if (target >= estimate.value()) {
      return false;
    }
    if (sample.signal() == Signal.FIRST_TOKEN && !places.fillingFirstBatch(now)) {
      // Counted, and floored by what the backend just served at once: growing x1.6 again would only
      // overshoot once more. Not while the backend fills its first batch (fillingFirstBatch).
      growth.endSlowStart();
    }
    return commitFastDecrease(target, window, now);
  }

  /** A fast decrease to {@code target}: the knee is the limit before it, and the next window starts afresh. */
  private boolean commitFastDecrease(double target, long window, long now) {
    congestedWindows++;
    growth.onDecrease(estimate.value(), now);
    early.reset();
    tail.reset();
    estimate.setClamped(target);
    lastDecreaseWindow = window + 1;
    return true;
  }

  /**
   * The fast decrease where answers take time in proportion to their length ({@link RecentAnswers#lengthBound}):
   * their time per token grows with the engine's batch, so it says nothing of a queue; the answers admitted
   * since the last decrease (not the start's, admitted at {@code minLimit}) fitted against their lengths do
   * ({@link RecentAnswers#deepQueueTarget}). It ends slow start.
   */
  private boolean fastDecreaseByFit(long window, long now) {
    double target = signals.answers().deepQueueTarget(Math.max(1, lastDecreaseWindow), signals.interceptFloorNanos(),
        estimate.value(), MIN_GRADIENT);
    if (Double.isNaN(target) || estimate.clamp(target) >= estimate.value()) {
      return false;
    }
    growth.endSlowStart();
    return commitFastDecrease(estimate.clamp(target), window, now);
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
    decrease(Signal.FIRST_TOKEN, 0, earlyQueueFree(now), true, window, now);
    return true;
  }

  private boolean queueingInEngine(LatencySample sample, int inFlight, long now) {
    long baseline = signals.baselineNanos(Signal.FIRST_TOKEN);
    if (sample.signal() != Signal.FIRST_TOKEN || baseline == 0 || inFlight < estimate.nearLimit()) {
      return false;
    }
    if (estimate.value() <= queueFreeLimit || places.servedFloor(now) >= estimate.value()) {
      return false;
    }
    // Past the last knee the engine queued before: one such first token is enough evidence there.
    // One first token is judged against the window's bar plus how far single ones stray in calm windows.
    long high = highFirstTokenNanos(baseline, now) + (signals.prefill().matters() ? signals.calmSpreadNanos(Signal.FIRST_TOKEN) : 0);
    return early.onFirstToken(sample.latencyNanos(), high, baseline, now,
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
    long most = signals.prefill().matters() ? PREFILL_MAX_MARGIN * baseline : margin;
    return baseline + (rate > 0 ? Math.min(most, (long) (QUEUE_STEPS * 1e9 / rate)) : margin);
  }

  /**
   * Above this the recent first tokens show a deep queue, for the fast decrease: {@link #highFirstTokenNanos},
   * or where first tokens carry their prompt's prefill, twice its margin. There prompts admitted together
   * share the prefill, and a burst of long ones held the recent median at four to six baselines at a limit
   * below the batch (the fast decrease then cut 64 to 18 at the capacity, with no place queued); a queue for
   * places held it at ten and more.
   */
  private long deepQueueNanos(long baseline, long now) {
    long high = highFirstTokenNanos(baseline, now);
    return signals.prefill().matters() ? high + (high - baseline) : high;
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
      // sharing engine steps, not a queue. Where prompts share the prefill, a limit not reached is no
      // evidence either: slow first tokens below it are other prompts' prefill (the fast decrease takes a
      // deep queue far below a high limit).
      congested = median > highFirstTokenNanos(baseline, now) && places.servedFloor(now) < estimate.value()
          && (reached || !signals.prefill().mayMatter() || places.queuedFor(signals.window().maxInFlight(), now));
      double rate = departures.perSecond(now);
      if (congested && rate > 0) {
        queueFree = signals.window().medianQueueFree(signal, minInFlight, baseline, rate);
      }
    } else {
      congested = gradient < 1 / (1 + PER_TOKEN_TOLERANCE);
    }
    if (!congested) {
      congestedWindows = 0;
      return reached && queuedTail(signal, minInFlight, window, now);
    }
    if (reached && estimate.value() <= queueFreeLimit) {
      // A whole window queued there: the backend has slowed since.
      queueFreeLimit = 0;
    }
    decrease(signal, gradient, queueFree, reached, window, now);
    return true;
  }

  /**
   * A sample of a request admitted with {@code inFlight} in flight in window {@code admittedIn}: kept for
   * {@link QueuedTail} if it was admitted near the limit since the last decrease.
   */
  void noteForTail(LatencySample sample, int inFlight, long admittedIn) {
    if (admittedIn >= lastDecreaseWindow && inFlight >= estimate.nearLimit()) {
      tail.add(sample);
    }
  }

  /**
   * A calm window that still hid a queue ({@link QueuedTail}): the limit comes down and growth holds a slot
   * below where it was. Not where first tokens carry their prompt's prefill.
   */
  private boolean queuedTail(Signal signal, int minInFlight, long window, long now) {
    long baseline = signals.baselineNanos(signal);
    if (signals.prefill().mayMatter() || baseline == 0 || signal == Signal.PER_TOKEN && signals.lengthBound()) {
      // A length-bound backend's tail per token is its longest answers' batch, not a queue.
      return false;
    }
    double before = estimate.value();
    double target = tail.judge(signals.window(), signal, minInFlight, baseline, before, departures.perSecond(now),
        highFirstTokenNanos(baseline, now), places.servedFloor(now), signals.knownSpreadNanos(signal), growth.inSlowStart());
    if (Double.isNaN(target)) {
      return false;
    }
    growth.onDecrease(before, now);
    growth.endSlowStart();
    early.reset();
    lastDecreaseWindow = window + 1;
    growth.holdBelow(Math.ceil(target) + 1);
    estimate.setClamped(target);
    return true;
  }

  /** Overload evidence: down by {@value #DROP_FACTOR}, and slow start is over. */
  void drop() {
    tail.reset();
    estimate.setClamped(estimate.value() * DROP_FACTOR);
    growth.endSlowStart();
  }

  /**
   * Time per token stretches with the slot's holding time, so Little's law gives the concurrency the backend
   * serves without queueing: {@code limit * gradient}. A first token's delay does not scale so (one request
   * queued in an engine waits a whole slot's turn): there, back off 10% after a window that was fine (the
   * last step overshot), twice as far for each further congested window in a row. The limit before the
   * decrease is remembered as the knee. Slow start ends, except for a limit not reached while the backend
   * fills its first batch ({@link BackendPlaces#fillingFirstBatch}).
   */
  private void decrease(Signal signal, double gradient, double queueFree, boolean reached, long window, long now) {
    congestedWindows++;
    growth.onDecrease(estimate.value(), now);
    early.reset();
    tail.reset();
    if (reached || !places.fillingFirstBatch(now)) {
      growth.endSlowStart();
    }
    lastDecreaseWindow = window + 1;
    int floor = signal == Signal.FIRST_TOKEN ? places.servedFloor(now) : 0;
    if (floor > 0) {
      queueFree = Double.isNaN(queueFree) ? floor : Math.max(queueFree, floor);
    }
    if (signal == Signal.FIRST_TOKEN && !Double.isNaN(queueFree)) {
      // Little's law counted the queue: step to what the backend served without it, and hold there (growth
      // stops a slot below the knee).
      // Not reached, the limit says nothing about the backend: far above what it serves (a start from a high
      // limit), halving per window would take a minute of windows slowed by the queue itself.
      double lowest = reached ? estimate.value() * MIN_GRADIENT : estimate.minLimit();
      double target = Math.max(lowest, Math.min(queueFree, estimate.value() - 1));
      if (target >= estimate.value() * DROP_FACTOR && !signals.prefill().matters()) {
        // A small queue, counted precisely: growth holds at the target. (Not where prompts share the prefill:
        // there a first token's wait is no count of places queued ahead.) (A large one is counted in a
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
