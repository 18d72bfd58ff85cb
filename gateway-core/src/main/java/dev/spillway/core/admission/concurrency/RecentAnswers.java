package dev.spillway.core.admission.concurrency;

/**
 * The latest non-streamed answers, whenever admitted: their whole times, lengths, the requests in flight at
 * their admission and the window they were admitted in. They say whether this backend's answers take time in
 * proportion to their length ({@link #lengthBound}, an LLM engine), and give the fast decrease a fit of
 * the answers admitted since the last decrease ({@link #fitSince}) where a window's own answers would wait
 * out a deep queue first. Not thread-safe.
 */
final class RecentAnswers {
  static final int CAPACITY = 32;
  /** {@link #deepQueueTarget}: a deep queue, its wait half the answers' mean time. */
  static final double DEEP_QUEUE_SHARE = 0.5;
  /** The verdict is taken again after this many further answers. */
  private static final int VERDICT_EVERY = 8;

  private final long[] totals = new long[CAPACITY];
  private final long[] tokens = new long[CAPACITY];
  private final int[] inFlights = new int[CAPACITY];
  private final long[] windows = new long[CAPACITY];
  private final long[] scratchTotals = new long[CAPACITY];
  private final long[] scratchTokens = new long[CAPACITY];
  private int next;
  private int count;
  private int sinceVerdict;
  private Verdict verdict = Verdict.UNDECIDED;
  /** The first answer's length, -1 before any. */
  private long firstLength = -1;
  /** Whether the answers so far had more than one length. */
  private boolean lengthsDiffer;

  /**
   * A non-streamed answer (a time per token with its length) admitted in {@code window}. Returns the fit of
   * the latest {@value #CAPACITY} answers when this answer took a new verdict and found them length-bound,
   * else null.
   */
  AnswerFit add(LatencySample sample, int inFlight, long window) {
    if (sample.answerTokens() <= 0) {
      return null;
    }
    if (firstLength < 0) {
      firstLength = sample.answerTokens();
    } else if (sample.answerTokens() != firstLength) {
      lengthsDiffer = true;
    }
    totals[next] = sample.totalNanos();
    tokens[next] = sample.answerTokens();
    inFlights[next] = inFlight;
    windows[next] = window;
    next = (next + 1) % CAPACITY;
    count = Math.min(count + 1, CAPACITY);
    if (++sinceVerdict >= VERDICT_EVERY && count == CAPACITY) {
      sinceVerdict = 0;
      AnswerFit fit = AnswerFit.of(totals, tokens, count);
      if (fit == null || fit.lengthFree()) {
        verdict = Verdict.LENGTH_FREE;
      } else if (fit.lengthBound()) {
        verdict = Verdict.LENGTH_BOUND;
        return fit;
      }
    }
    return null;
  }

  /**
   * Whether it is known if answers' time follows their length: once {@value #CAPACITY} answers of different
   * lengths have clearly shown either (until then a time per token may be a full batch's pace, not a queue), or
   * when all so far had the same length (nothing to tell apart).
   */
  boolean decided() {
    return verdict != Verdict.UNDECIDED || !lengthsDiffer;
  }

  /**
   * What the latest answers say of how their time relates to their length. A verdict holds until the answers
   * clearly show the other: while a queue builds up, waits of different lengths blur the slope.
   */
  private enum Verdict {
    UNDECIDED,
    /** Time follows length: an LLM engine, whose batch also slows each token. */
    LENGTH_BOUND,
    /** Time does not follow length: a fixed service time. */
    LENGTH_FREE
  }

  /** Whether the latest {@value #CAPACITY} answers' time clearly followed their length. */
  boolean lengthBound() {
    return verdict == Verdict.LENGTH_BOUND;
  }

  /** The answers admitted in {@code window} or later, fitted against their lengths; null when too few. */
  AnswerFit fitSince(long window) {
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (windows[i] >= window) {
        scratchTotals[n] = totals[i];
        scratchTokens[n++] = tokens[i];
      }
    }
    return AnswerFit.of(scratchTotals, scratchTokens, n);
  }

  /**
   * Where the answers admitted in {@code window} or later waited at least {@value #DEEP_QUEUE_SHARE} of their
   * mean time beyond {@code floorNanos} ({@link AnswerFit#queueShare}), what by Little's law the backend served
   * without that wait: their mean concurrency at admission times the share not waited, but not below
   * {@code minShare} of the most they were admitted with (at most {@code limit}), since those admitted with few
   * in flight waited for the many admitted after them (a level of load rising). NaN for no deep queue, or too
   * few answers to fit.
   */
  double deepQueueTarget(long window, long floorNanos, double limit, double minShare) {
    AnswerFit fit = fitSince(window);
    double share = fit == null ? 0 : fit.queueShare(floorNanos);
    if (share < DEEP_QUEUE_SHARE) {
      return Double.NaN;
    }
    double reached = Math.min(limit, maxInFlightSince(window));
    return Math.max(minShare * reached, meanInFlightSince(window) * (1 - share));
  }

  /** The most requests in flight at the admission of an answer admitted in {@code window} or later. */
  int maxInFlightSince(long window) {
    int max = 0;
    for (int i = 0; i < count; i++) {
      if (windows[i] >= window) {
        max = Math.max(max, inFlights[i]);
      }
    }
    return max;
  }

  /** The mean of the requests in flight at the admission of the answers admitted in {@code window} or later. */
  double meanInFlightSince(long window) {
    long sum = 0;
    int n = 0;
    for (int i = 0; i < count; i++) {
      if (windows[i] >= window) {
        sum += inFlights[i];
        n++;
      }
    }
    return n == 0 ? 0 : (double) sum / n;
  }
}
