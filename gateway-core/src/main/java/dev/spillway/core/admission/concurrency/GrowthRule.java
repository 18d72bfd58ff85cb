package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;

/**
 * How {@link GradientLimit} grows after a calm window in which the limit was reached (a lightly loaded backend
 * gives no evidence about more concurrency). Until the first decrease, slow start multiplies the limit by
 * {@value #SLOW_START_FACTOR}; after it, additive steps of {@code max(1, sqrt(limit) / 2)}, slowed to 1 where
 * the knee is near: per token when latency is above baseline, for first tokens within
 * {@value #RECENT_WINDOWS} windows of a decrease. First tokens never step past the knee less one slot (the
 * limit at the last decrease, where the engine queued) until {@value #KNEE_HOLD_WINDOWS} calm windows have
 * passed, then by 1. Remembers the knee and the windows since the last decrease, which the decrease rules
 * set. Not thread-safe.
 */
final class GrowthRule {
  /**
   * Calm windows after a decrease before first tokens probe past the knee: each probe queues a few requests
   * in the engine, so probing rarely keeps them under a hundredth of all.
   */
  static final int KNEE_HOLD_WINDOWS = 30;
  /** Windows after a decrease in which first-token growth steps by 1. */
  static final int RECENT_WINDOWS = 8;
  /** Slow start's growth per calm window. */
  static final double SLOW_START_FACTOR = 1.6;
  /**
   * The time that counts as one window for the two counts above: a backend that answers a few requests a
   * second (an LLM engine) closes a window every few seconds, and 30 of them held the limit a slot below the
   * knee for minutes; a fast one closes several windows in this time and is counted by its windows.
   */
  static final long PER_STEP_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
  /**
   * Where prompts share the prefill, at most this many steps for one window: a window of several seconds
   * there is often one calm stretch between bursts of long prompts, and six steps at once put the limit past
   * the engine's batch.
   */
  static final double PREFILL_MAX_STEP_SCALE = 2;
  /**
   * Elsewhere, at most this many steps for one window. A window can last long for want of samples, not calm:
   * after a decrease below what is in flight, nothing is admitted until the backend drains, and on 4 places
   * of 3 s a window of 26 s added 26 slots at once, to 30, and the backend queued for 14 s.
   */
  static final double MAX_STEP_SCALE = 4;
  static final long WINDOW_EQUIVALENT_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
  /**
   * The same where prompts share the engine's prefill: its decreases come from first tokens slowed by other
   * prompts as often as from a queue, so the knee it remembers is a rough one, held for about ten seconds.
   */
  static final long PREFILL_WINDOW_EQUIVALENT_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(333);

  private Mode mode = Mode.SLOW_START;
  /** The limit at the last decrease (0 before any): growth slows to a step of 1 there. */
  private double knee;
  private int windowsSinceDecrease = RECENT_WINDOWS + 1;
  /** Calm windows since the last decrease, up to {@link #KNEE_HOLD_WINDOWS}. */
  private int windowsAtKnee;
  /** When the limit last came down. */
  private long decreasedAt;
  /** The knee holds growth by any signal ({@link #holdBelow}), not only by first tokens. */
  private boolean kneeCounted;

  /**
   * The limit after a calm window that reached {@code limit}, before clamping.
   *
   * @param maxInFlight the most requests in flight the window's samples were admitted with
   * @param signal the signal the window was judged by
   * @param gradient {@code baseline / median} of that signal
   */
  double grow(double limit, int maxInFlight, Signal signal, double gradient, long windowNanos, boolean prefillShared,
      long now) {
    if (mode == Mode.SLOW_START) {
      // No congestion seen yet and none in this window: grow multiplicatively from the concurrency
      // actually reached.
      return Math.min(limit, maxInFlight) * SLOW_START_FACTOR;
    }
    // Per token, latency creeps up before the knee: slow to a step of 1 there. First tokens stay flat
    // until the engine queues, so they keep the larger step, but for a few windows after a decrease
    // (the knee is near) step by 1 too.
    long sinceDecrease = (now - decreasedAt) / (prefillShared ? PREFILL_WINDOW_EQUIVALENT_NANOS : WINDOW_EQUIVALENT_NANOS);
    boolean flat = signal == Signal.FIRST_TOKEN
        ? Math.max(windowsSinceDecrease, sinceDecrease) > RECENT_WINDOWS : gradient >= 1;
    double step = flat ? Math.max(1, Math.sqrt(limit) / 2) : 1;
    if (signal == Signal.FIRST_TOKEN) {
      // A step per second at least: a backend that answers a few requests a second closes a window every few
      // seconds, and a step per window left its limit far below the knee for a minute after a decrease.
      double scale = Math.max(1, (double) windowNanos / PER_STEP_NANOS);
      step *= Math.min(prefillShared ? PREFILL_MAX_STEP_SCALE : MAX_STEP_SCALE, scale);
    }
    // First tokens: approach the last knee no nearer than a slot below it (just above it the engine
    // queued last time), and probe past it only after KNEE_HOLD_WINDOWS calm windows: each probe queues.
    // A queue hidden in a calm window holds any signal's growth so.
    if ((signal == Signal.FIRST_TOKEN || kneeCounted) && knee > 0 && limit + step > knee - 1) {
      step = Math.max(windowsAtKnee, sinceDecrease) >= KNEE_HOLD_WINDOWS ? 1 : Math.max(0, knee - 1 - limit);
    }
    return limit + step;
  }

  /** A window was judged calm (whether or not the limit was reached). */
  void onCalmWindow() {
    windowsSinceDecrease = Math.min(windowsSinceDecrease + 1, RECENT_WINDOWS + 1);
    windowsAtKnee = Math.min(windowsAtKnee + 1, KNEE_HOLD_WINDOWS);
  }

  /** The limit came down from {@code limitBefore}: that is the knee now, and the windows count from here. */
  void onDecrease(double limitBefore, long now) {
    decreasedAt = now;
    windowsSinceDecrease = 0;
    windowsAtKnee = 0;
    knee = limitBefore;
    kneeCounted = false;
  }

  /** A decrease counted the queue precisely: growth holds a slot below {@code newKnee}. */
  void setKnee(double newKnee) {
    knee = newKnee;
  }

  /**
   * A queue hidden in a calm window was counted ({@link QueuedTail}): growth by any signal holds a slot below
   * {@code newKnee}, as first tokens' growth does after any decrease.
   */
  void holdBelow(double newKnee) {
    knee = newKnee;
    kneeCounted = true;
  }

  /** Whether {@code limit} is at or past the last knee, where the engine queued before. */
  boolean pastKnee(double limit) {
    return knee > 0 && limit >= knee;
  }

  boolean inSlowStart() {
    return mode == Mode.SLOW_START;
  }

  /** Congestion was seen: from now on the careful additive steps. */
  void endSlowStart() {
    mode = Mode.CAREFUL;
  }

  private enum Mode {
    /** No congestion seen since start: calm windows multiply the limit by {@link #SLOW_START_FACTOR}. */
    SLOW_START,
    /** After the first decrease: the careful additive steps. */
    CAREFUL
  }
}
