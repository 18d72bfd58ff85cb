package dev.spillway.core.admission.concurrency;

/**
 * The limit {@link GradientLimit} has arrived at, within its configured bounds. Kept as a fraction so that
 * steps of less than a slot (a slow start from a small limit, a gradient cut) add up instead of rounding away;
 * the permits see its whole part. Not thread-safe.
 */
final class LimitEstimate {
  private int minLimit;
  private int maxLimit;
  private double value;

  /** Starts at {@code minLimit}: the start measures baselines there. */
  LimitEstimate(int minLimit, int maxLimit) {
    this.minLimit = minLimit;
    this.maxLimit = maxLimit;
    this.value = minLimit;
  }

  double value() {
    return value;
  }

  /** The limit the permits see. */
  int limit() {
    return (int) value;
  }

  int minLimit() {
    return minLimit;
  }

  /**
   * The fewest requests in flight at which one counts as admitted near the limit: what the limit does to
   * latency shows there, while a lightly loaded backend answers at its baseline whatever the limit.
   */
  int nearLimit() {
    return limit() - Math.max(1, limit() / 10);
  }

  double clamp(double v) {
    return Math.max(minLimit, Math.min(maxLimit, v));
  }

  /** Moves to {@code v}, kept within the bounds. */
  void setClamped(double v) {
    value = clamp(v);
  }

  /** Moves to {@code v} as given: the configured start limit, which the config already bounds. */
  void set(double v) {
    value = v;
  }

  /** A reload moved the bounds: the value stays, clamped to them. */
  void rebound(int newMinLimit, int newMaxLimit) {
    this.minLimit = newMinLimit;
    this.maxLimit = newMaxLimit;
    this.value = clamp(value);
  }
}
