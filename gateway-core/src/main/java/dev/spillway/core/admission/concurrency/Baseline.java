package dev.spillway.core.admission.concurrency;

/**
 * One signal's uncongested latency: the smallest window median seen over the last one to two
 * {@code intervalNanos} (a windowed minimum, as BBR keeps its min RTT). Unlike an average it does not follow
 * congestion up: while the limit works, the window after each decrease is uncongested and renews the minimum.
 * Only if every window for two whole intervals was slower does the baseline rise to match (the backend
 * itself became slower). Not thread-safe.
 */
final class Baseline {
  private final long intervalNanos;
  private long previous;
  private long current;
  /** How many samples the medians {@link #previous} and {@link #current} were taken over. */
  private int previousSamples;
  private int currentSamples;
  /** How many medians each interval took in: the more, the further the lowest lies below the typical. */
  private int previousUpdates;
  private int currentUpdates;
  private long currentSince;
  private boolean started;

  Baseline(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** A window's {@code median} over {@code samples} samples. */
  void update(long median, int samples, long now) {
    if (!started) {
      started = true;
      previous = median;
      current = median;
      previousSamples = samples;
      currentSamples = samples;
      currentSince = now;
      currentUpdates = 1;
      return;
    }
    if (now - currentSince >= intervalNanos) {
      previous = current;
      previousSamples = currentSamples;
      previousUpdates = currentUpdates;
      current = median;
      currentSamples = samples;
      currentSince = now;
      currentUpdates = 1;
      return;
    }
    currentUpdates++;
    if (median < current) {
      current = median;
      currentSamples = samples;
    }
  }

  /** Moves the baseline by {@code deltaNanos} (what it measures moved), never below 1 ns. */
  void shift(long deltaNanos) {
    if (started) {
      previous = Math.max(1, previous + deltaNanos);
      current = Math.max(1, current + deltaNanos);
    }
  }

  /**
   * How many samples the baseline's median was taken over (0 before the first window): the fewer, the
   * further below the typical median it may lie by chance.
   */
  int samples() {
    return !started ? 0 : previous < current ? previousSamples : currentSamples;
  }

  /** How many medians the baseline is the lowest of (over both intervals it spans); 0 before the first. */
  int medians() {
    return previousUpdates + currentUpdates;
  }

  /** The baseline, or 0 before the first window. */
  long nanos() {
    return started ? Math.min(previous, current) : 0;
  }
}
