package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.LatencySample.Signal;
import dev.spillway.core.incident.LimitOverride;

/**
 * A limit with an operator's {@link LimitOverride} on top: samples still reach the limit underneath (so it
 * keeps its own value current), while {@link #limit()} answers what the override allows. Under the
 * {@link BackendAdmission}'s lock, like every limit.
 */
final class OverriddenLimit implements ConcurrencyLimit {
  /** Replaced only by a reload ({@link #reconfigured}); the override stays. */
  private ConcurrencyLimit inner;
  private LimitOverride override = LimitOverride.NONE;

  OverriddenLimit(ConcurrencyLimit inner) {
    this.inner = inner;
  }

  /** The limit underneath, as configured (for a reload to rebuild from). */
  ConcurrencyLimit inner() {
    return inner;
  }

  /** A reload's new limit underneath; the operator's override keeps applying on top. */
  void reconfigured(ConcurrencyLimit next) {
    this.inner = next;
  }

  void override(LimitOverride next) {
    this.override = next;
  }

  LimitOverride override() {
    return override;
  }

  /** What the limit underneath says, whatever the override. */
  int unoverridden() {
    return inner.limit();
  }

  @Override
  public int limit() {
    return override.apply(inner.limit());
  }

  @Override
  public long window() {
    return inner.window();
  }

  @Override
  public void onSample(LatencySample sample, int inFlight, long window, long now) {
    inner.onSample(sample, inFlight, window, now);
  }

  @Override
  public void onDropped(long window, long now) {
    inner.onDropped(window, now);
  }

  @Override
  public long baselineNanos(Signal signal) {
    return inner.baselineNanos(signal);
  }

  @Override
  public void onTick(long now) {
    inner.onTick(now);
  }

  @Override
  public boolean searching() {
    return inner.searching();
  }

  @Override
  public void onAnswering(boolean started) {
    inner.onAnswering(started);
  }

  @Override
  public void onUnused(int peakInFlight, long now) {
    inner.onUnused(peakInFlight, now);
  }

  @Override
  public void onRelease(long now) {
    inner.onRelease(now);
  }

  @Override
  public void onRefresh(int inFlight, int queued) {
    inner.onRefresh(inFlight, queued);
  }
}
