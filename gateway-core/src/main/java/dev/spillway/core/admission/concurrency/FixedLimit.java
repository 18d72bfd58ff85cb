package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;

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
  public long window() {
    return 0;
  }

  @Override
  public void onSample(LatencySample sample, int inFlight, long window, long now) {}

  @Override
  public void onDropped(long window, long now) {}

  @Override
  public long baselineNanos(Signal signal) {
    return 0;
  }
}
