package dev.spillway.core.admission.concurrency;

/** {@link dev.spillway.core.config.ConcurrencyConfig.Mode#STATIC}: the configured limit, whatever happens. */
final class FixedLimit implements ConcurrencyLimit {
  private final int limit;

  FixedLimit(int limit) {
    this.limit = limit;
  }

  @Override
  public int limit() {
    return limit;
  }

  @Override
  public void onSample(long ttfbNanos, long totalNanos, long outputTokens, int inFlight) {}

  @Override
  public void onDropped() {}
}
