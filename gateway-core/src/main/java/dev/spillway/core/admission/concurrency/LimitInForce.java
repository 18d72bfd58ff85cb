package dev.spillway.core.admission.concurrency;

import dev.spillway.core.admission.concurrency.AdmissionPermit.Completion;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.incident.LimitOverride;
import dev.spillway.core.time.Ticker;
import java.util.Objects;

/**
 * One backend's concurrency limit in force: the measured limit ({@link ConcurrencyLimit}, static or adaptive)
 * with an operator's override on top ({@link OverriddenLimit}), fed by completing permits, and the
 * {@link ServiceTime} fed by the same samples.
 *
 * <p>Every change runs under {@link BackendAdmission}'s lock and republishes {@link #current()}, a volatile
 * copy read without the lock on the admission fast path and by monitoring. Each mutator says whether the
 * waiters may need serving; the caller ({@link BackendAdmission}, {@link CapacityChanges}) then serves them
 * under the same lock.
 */
final class LimitInForce {
  private final OverriddenLimit limit;
  private final ServiceTime serviceTime;
  private final Ticker ticker;
  /** {@link ConcurrencyLimit#limit()}, published for readers outside the lock. */
  private volatile int current;

  LimitInForce(ConcurrencyConfig concurrency, EngineLoad engineLoad, ServiceTime serviceTime, Ticker ticker) {
    this.ticker = ticker;
    this.limit = new OverriddenLimit(ConcurrencyLimit.of(concurrency, engineLoad, ticker));
    this.serviceTime = serviceTime;
    this.current = limit.limit();
  }

  /** The limit in force; any thread. */
  int current() {
    return current;
  }

  /** The adaptive limit's sample window a permit admitted now belongs to. Under the lock. */
  long window() {
    return limit.window();
  }

  /** The adaptive limit's latency without queueing for {@code signal}; 0 when static or unmeasured. Under the lock. */
  long baselineNanos(LatencySample.Signal signal) {
    return limit.baselineNanos(signal);
  }

  /** The limit as measured, without an operator's override. Under the lock. */
  int unoverridden() {
    return limit.unoverridden();
  }

  /** Lets the limit move with time alone (an adaptive limit's bounded start); whether it grew. Under the lock. */
  boolean tick(long now) {
    int before = current;
    limit.onTick(now);
    current = limit.limit();
    return current > before;
  }

  /** A latency sample from a request still in flight ({@link Permit#onFirstToken}). Under the lock. */
  void onSample(LatencySample sample, int inFlightAtAdmission, long window, long now) {
    limit.onAnswering(true);
    limit.onSample(sample, inFlightAtAdmission, window, now);
    serviceTime.onSample(sample, now);
    current = limit.limit();
  }

  /**
   * A permit came back after holding its slot {@code holdNanos}: only a success carries a latency sample; a
   * drop (the backend failed or timed out) tells the adaptive limit to back off. {@code answering}: its answer
   * had begun ({@link #onSample} was called for it). Under the lock.
   */
  void onRelease(Completion completion, int inFlightAtAdmission, long window, long holdNanos,
      LatencySample sample, boolean answering, long now) {
    serviceTime.onRelease(holdNanos, now);
    if (answering) {
      limit.onAnswering(false);
    }
    limit.onRelease(now);
    if (completion == Completion.SUCCESS) {
      limit.onSample(sample, inFlightAtAdmission, window, now);
      serviceTime.onSample(sample, now);
    } else if (completion == Completion.DROPPED) {
      limit.onDropped(window, now);
    }
    current = limit.limit();
  }

  /** {@link ConcurrencyLimit#searching}. Under the lock. */
  boolean searching() {
    return limit.searching();
  }

  /** {@link ConcurrencyLimit#onUnused}. Under the lock. */
  void onUnused(int peakInFlight, long now) {
    limit.onUnused(peakInFlight, now);
    current = limit.limit();
  }

  /** Applies an operator's override ({@link LimitOverride#NONE} removes it). Under the lock. */
  void override(LimitOverride next) {
    limit.override(Objects.requireNonNull(next, "next"));
    current = limit.limit();
  }

  /** Re-reads a limit bounded by engine metrics, which move without a request finishing. Under the lock. */
  void refresh(int inFlight, int queued) {
    limit.onRefresh(inFlight, queued);
    current = limit.limit();
  }

  /**
   * Takes a reloaded config; an adaptive limit keeps its learned value within the new bounds
   * ({@link LimitReconfiguration}). Under the lock.
   */
  void reconfigure(ConcurrencyConfig concurrency, EngineLoad engineLoad) {
    limit.reconfigured(LimitReconfiguration.apply(limit.inner(), concurrency, engineLoad, ticker));
    current = limit.limit();
  }
}
