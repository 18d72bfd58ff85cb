package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import java.util.Arrays;

/**
 * What {@link GradientLimit} knows about each latency {@link Signal}, kept apart per signal because a time to
 * first token and a time per token are not comparable: the current window's samples, each signal's
 * {@link Baseline} (its latency without queueing) and its latest samples whenever admitted
 * ({@link RecentSamples}, the fast decrease's evidence). Also picks the signal a window is judged by, and for
 * non-streamed answers keeps the latest ones with their lengths ({@link RecentAnswers}) and the lowest
 * intercept of their fits ({@link AnswerFit}). Not thread-safe.
 */
final class LatencySignals {
  private static final Signal[] SIGNALS = SampleWindow.signals();

  private final PrefillEnvelope prefill = new PrefillEnvelope(GradientLimit.BASELINE_INTERVAL_NANOS);
  private final SampleWindow samples =
      new SampleWindow(Math.max(GradientLimit.PROBE_SAMPLES, GradientLimit.WINDOW_SAMPLES), prefill);
  private final Baseline[] baselines = new Baseline[SIGNALS.length];
  /** The latest samples of each signal, whenever admitted: the fast decrease's evidence. */
  private final RecentSamples[] recent = new RecentSamples[SIGNALS.length];
  /** Each signal's samples of requests admitted in the start that came after it, while it has no baseline. */
  private final long[][] lateStart = new long[SIGNALS.length][GradientLimit.MIN_SIGNAL_SAMPLES];
  private final int[] lateStartCount = new int[SIGNALS.length];
  static final int SPREADS = 8;
  /**
   * {@link #judgedPerTokenNanos}: how far, in standard errors of a median, a judged median lies above the
   * typical one rarely by chance; the baseline (the lowest of k window medians, k at least
   * {@value #MIN_MEDIANS}) lies {@code sqrt(2 ln k)} below it. A median's standard error is about
   * {@code spread / sqrt(n)} for a calm window's spread (its 0.9 quantile less its median).
   */
  static final int MIN_MEDIANS = 20;
  static final double MEDIAN_ERRORS = 2;
  static final int BASELINE_MIN_SAMPLES = 16;
  static final double SPREAD_QUANTILE = 0.9;
  private final long[][] spreads = new long[SIGNALS.length][SPREADS];
  private final int[] nextSpread = new int[SIGNALS.length];
  private final int[] spreadCount = new int[SIGNALS.length];
  /** Each signal's spread in the start's window (at {@code minLimit}), -1 when it had too few samples. */
  private final long[] startSpreads = {-1, -1};
  /** The lowest fitted intercepts (at least 0): what an answer takes whatever its length, unqueued. */
  private final Baseline intercepts = new Baseline(GradientLimit.BASELINE_INTERVAL_NANOS);
  private final RecentAnswers answers = new RecentAnswers();

  LatencySignals() {
    for (int i = 0; i < SIGNALS.length; i++) {
      baselines[i] = new Baseline(GradientLimit.BASELINE_INTERVAL_NANOS);
      recent[i] = new RecentSamples(GradientLimit.FAST_DECREASE_SAMPLES);
    }
  }

  /** First tokens' unqueued time against their request's size. */
  PrefillEnvelope prefill() {
    return prefill;
  }

  /**
   * Learns the prefill envelope from {@code sample}. When the reference size moves, so does the first-token
   * baseline. When the envelope becomes known, the first-token baseline measured without it starts over: taken from the window medians of unadjusted first tokens, it came from a window
   * of short prompts (24 ms where a median prompt takes 140), and every later window read as queueing.
   */
  void learnPrefill(LatencySample sample, long now) {
    boolean wasFitted = prefill.fitted();
    long referenceBefore = prefill.referenceBytes();
    prefill.add(sample, now);
    if (!wasFitted && prefill.fitted()) {
      baselines[Signal.FIRST_TOKEN.ordinal()] = new Baseline(GradientLimit.BASELINE_INTERVAL_NANOS);
    } else if (wasFitted && prefill.referenceBytes() != referenceBefore) {
      // The baseline is a first token of the reference size: it moves with it along the envelope.
      baselines[Signal.FIRST_TOKEN.ordinal()].shift(
          (long) (prefill.nanosPerByte() * (prefill.referenceBytes() - referenceBefore)));
    }
  }

  /**
   * A window near the limit judged calm by {@code signal} spread this far above its median (its
   * {@value #SPREAD_QUANTILE} quantile less its median): how far single samples stray without queueing.
   */
  void noteCalmSpread(Signal signal, long spreadNanos) {
    int k = signal.ordinal();
    spreads[k][nextSpread[k]] = spreadNanos;
    nextSpread[k] = (nextSpread[k] + 1) % SPREADS;
    spreadCount[k] = Math.min(spreadCount[k] + 1, SPREADS);
  }

  /**
   * How far single samples of {@code signal} stray above a calm window's median: the median of the last
   * {@value #SPREADS} calm windows' spreads; 0 before any. On a backend with exact service times it is 0;
   * on an LLM engine, whose prompts share its prefill, first tokens stray hundreds of milliseconds, and one
   * that far up is no evidence of a queue.
   */
  long calmSpreadNanos(Signal signal) {
    return spreadCount[signal.ordinal()] == 0 ? 0 : medianSpread(signal.ordinal());
  }

  /**
   * As {@link #calmSpreadNanos}, or before any calm window the spread of the start's window (measured at
   * {@code minLimit}, so without queueing); -1 when neither is known.
   */
  long knownSpreadNanos(Signal signal) {
    int k = signal.ordinal();
    return spreadCount[k] > 0 ? medianSpread(k) : startSpreads[k];
  }

  /** The start's window, at {@code minLimit}: each signal with enough samples keeps its spread. */
  void noteStartSpreads() {
    for (Signal s : SIGNALS) {
      if (samples.count(s) >= GradientLimit.MIN_SIGNAL_SAMPLES) {
        startSpreads[s.ordinal()] = samples.quantile(s, 0, SPREAD_QUANTILE) - samples.median(s);
      }
    }
  }

  private long medianSpread(int k) {
    long[] sorted = Arrays.copyOf(spreads[k], spreadCount[k]);
    Arrays.sort(sorted);
    return sorted[(spreadCount[k] - 1) / 2];
  }

  /** The samples of requests admitted in the current window. */
  SampleWindow window() {
    return samples;
  }

  /** The latest samples of {@code signal}, whenever admitted. */
  RecentSamples recent(Signal signal) {
    return recent[signal.ordinal()];
  }

  /** {@code signal}'s baseline, 0 before it has one. */
  long baselineNanos(Signal signal) {
    return baselines[signal.ordinal()].nanos();
  }

  /**
   * The time per token a median of {@code samples} samples spreading {@code ownSpreadNanos} above it is
   * judged against: the baseline, or where single answers stray far by themselves,
   * {@code (baseline + margin) / (1 + tolerance)}, whichever is higher; 0 before a baseline. The baseline is the lowest window median of minutes, so where answers vary by
   * themselves (service times of ±50 %, or an LLM's answers, whose length and prompt set their time per
   * token) it lies below a typical window's median by chance alone, and every window read as a queue: on 64
   * slots of 25–75 ms the limit sank to 4 and stayed there (6 % of the goodput). The margin is what chance
   * explains: a median of n samples moves by about {@code spread / sqrt(n)} (the calm spread, see
   * {@link #knownSpreadNanos}, or before one is known the samples' own: an LLM's answers of seconds may give
   * none in the start); the lowest of k such medians lies about {@code sqrt(2 ln k)} of those below the
   * typical one (a baseline from fewer than {@value #BASELINE_MIN_SAMPLES} samples, a slow start's
   * window, counts as that many: judged by its own count, a ±10 % backend's limit stayed 10 % above its
   * slots), and the judged median {@value #MEDIAN_ERRORS} above it rarely by chance. Where answers take nearly
   * the same time the spread is small and this is the baseline: the tolerance rules.
   */
  long judgedPerTokenNanos(int samples, long ownSpreadNanos) {
    Baseline b = baselines[Signal.PER_TOKEN.ordinal()];
    long baseline = b.nanos();
    long known = knownSpreadNanos(Signal.PER_TOKEN);
    long spread = known >= 0 ? known : ownSpreadNanos;
    if (baseline == 0 || spread <= 0 || samples <= 0) {
      return baseline;
    }
    // The lowest of k medians lies about sqrt(2 ln k) standard errors below the typical one: 2.1 for 10, 4.3
    // for the 9,600 windows 64 slots of 50 ms close in four minutes.
    double baselineErrors = Math.sqrt(2 * Math.log(Math.max(MIN_MEDIANS, b.medians())));
    double margin = spread * (baselineErrors / Math.sqrt(Math.max(BASELINE_MIN_SAMPLES, b.samples()))
        + MEDIAN_ERRORS / Math.sqrt(samples));
    return Math.max(baseline, (long) ((baseline + margin) / (1 + DecreaseRules.PER_TOKEN_TOLERANCE)));
  }

  /**
   * A non-streamed answer admitted in {@code window} with {@code inFlight} in flight. The latest answers' fit,
   * each time they are judged length-bound, also offers its intercept as the lowest: windows are fitted only
   * once the backend is known to be length-bound, and the first such window may already be queued (on the LLM
   * simulator, end to end, the first came at full load, and its 1.9 s intercept read every later wait as none).
   */
  void noteAnswer(LatencySample sample, int inFlight, long window, long now) {
    if (sample.signal() == Signal.PER_TOKEN) {
      AnswerFit fit = answers.add(sample, inFlight, window);
      if (fit != null) {
        noteIntercept(fit, now);
      }
    }
  }

  private void noteIntercept(AnswerFit fit, long now) {
    intercepts.update(Math.max(0, (long) fit.interceptNanos()), fit.samples(), now);
  }

  /** The latest non-streamed answers, whenever admitted. */
  RecentAnswers answers() {
    return answers;
  }

  /**
   * Whether a window of non-streamed answers is judged by {@code fit} ({@link AnswerFit}): where the latest
   * answers' time clearly follows their length, and the window has enough of them to fit.
   */
  boolean judgedByFit(AnswerFit fit) {
    return fit != null && answers.lengthBound();
  }

  /** Whether the latest answers' time clearly followed their length (an LLM engine). */
  boolean lengthBound() {
    return answers.lengthBound();
  }

  /** {@link RecentAnswers#decided}. */
  boolean lengthBoundDecided() {
    return answers.decided();
  }

  /** The lowest intercept fitted so far (at least 0), 0 before any: what an answer takes unqueued. */
  long interceptFloorNanos() {
    return intercepts.nanos();
  }

  /**
   * A length-bound window's gradient: the share of the mean answer's time not spent waiting, beyond the lowest
   * intercept seen ({@link AnswerFit#queueShare}). By Little's law the backend serves that share of the
   * limit without a queue, as the per-token gradient means.
   */
  double queueGradient(AnswerFit fit, long now) {
    noteIntercept(fit, now);
    return 1 - fit.queueShare(intercepts.nanos());
  }

  /** Each signal with at least {@code minSamples} in the window takes in the window's median. */
  void updateBaselines(int minSamples, long now) {
    for (Signal s : SIGNALS) {
      if (samples.count(s) >= minSamples) {
        baselines[s.ordinal()].update(samples.median(s), samples.count(s), now);
      }
    }
  }

  /**
   * The start ended by time before enough samples came (an LLM's prefill of a long prompt, or answers of
   * seconds, take longer than the start): the first {@value GradientLimit#MIN_SIGNAL_SAMPLES} samples of each
   * signal from requests admitted in it (at {@code minLimit}, so with the least queueing) seed that signal's
   * baseline when they come; times per token only while the answers are not known to follow their length
   * ({@link RecentAnswers#decided}). Without it a signal's baseline came from its first window, admitted under the
   * configured limit: on one place of 1 s at 3x its capacity, that window's answers had queued for seconds,
   * the baseline read their queue as the backend's pace, and the limit stayed at 64 for 25 s while the
   * backend's own queue grew to 58. Their spread becomes the start's ({@link #knownSpreadNanos}) if it has none.
   */
  void seedFromLateStart(LatencySample sample, int inFlight, int minLimit, long now) {
    int i = sample.signal().ordinal();
    if (sample.signal() == Signal.NONE || baselines[i].nanos() > 0 || inFlight > minLimit
        || lateStartCount[i] == lateStart[i].length
        || sample.signal() == Signal.PER_TOKEN && (!answers.decided() || answers.lengthBound())) {
      // Not a time per token whose answers may be length-bound: an engine's tokens slow down with its batch,
      // and one seeded at minLimit read every fuller batch as a queue (non-streamed LLM answers at 5x: 82 %
      // of the best static limit's tokens, against 89 %).
      return;
    }
    lateStart[i][lateStartCount[i]++] = sample.latencyNanos();
    if (lateStartCount[i] == lateStart[i].length) {
      long[] sorted = lateStart[i].clone();
      Arrays.sort(sorted);
      long median = sorted[(sorted.length - 1) / 2];
      baselines[i].update(median, sorted.length, now);
      if (startSpreads[i] < 0) {
        // Their spread, too, is the one measured without a queue: the first window's own spread would read a
        // queue building up as answers that vary by themselves (judgedPerTokenNanos).
        startSpreads[i] = sorted[sorted.length - 1] - median;
      }
    }
  }

  /**
   * The signal to judge the samples admitted with {@code minInFlight} or more in flight by: first tokens
   * when there are enough of them, else time per token; null when neither has enough. First tokens are
   * preferred because a batching engine's time per token also grows, gently and usefully, with its batch:
   * judged by it, the limit would stop filling the batch long before the engine queues.
   */
  Signal judged(int minInFlight) {
    Signal preferred = preferred();
    if (samples.count(preferred, minInFlight) >= GradientLimit.MIN_SIGNAL_SAMPLES) {
      return preferred;
    }
    for (Signal s : SIGNALS) {
      if (samples.count(s, minInFlight) >= GradientLimit.MIN_SIGNAL_SAMPLES) {
        return s;
      }
    }
    return null;
  }

  /** First tokens once this backend has served streams (it has their baseline), else time per token. */
  Signal preferred() {
    return baselineNanos(Signal.FIRST_TOKEN) > 0 ? Signal.FIRST_TOKEN : Signal.PER_TOKEN;
  }

  /** A new window: its own samples only, and no recent evidence from under the old limit. */
  void clearWindow() {
    samples.clear();
    for (RecentSamples r : recent) {
      r.clear();
    }
  }
}
