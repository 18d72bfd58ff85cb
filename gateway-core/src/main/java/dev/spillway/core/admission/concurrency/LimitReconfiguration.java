package dev.spillway.core.admission.concurrency;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.time.Ticker;

/**
 * The next concurrency limit of a backend whose {@code concurrency} settings a reload changed. A static limit is
 * simply the new number. An adaptive limit that stays adaptive keeps what it learned (its current value and
 * baselines), clamped to the new {@code minLimit..maxLimit}; one that becomes adaptive starts as at boot. An
 * engine-signal bound continues from its current value when it stays on.
 */
final class LimitReconfiguration {
  private LimitReconfiguration() {}

  static ConcurrencyLimit apply(ConcurrencyLimit current, ConcurrencyConfig next, EngineLoad engineLoad,
      Ticker ticker) {
    ConcurrencyLimit latency = current instanceof EngineSignalLimit e ? e.latency() : current;
    ConcurrencyLimit nextLatency = next.mode() == ConcurrencyConfig.Mode.ADAPTIVE && latency instanceof GradientLimit g
        ? g.rebound(next.minLimit(), next.maxLimit())
        : ConcurrencyLimit.of(next);
    if (next.engineSignal() == null || engineLoad == null) {
      return nextLatency;
    }
    EngineSignalLimit bounded = new EngineSignalLimit(nextLatency, engineLoad, next, ticker);
    if (current instanceof EngineSignalLimit previous) {
      bounded.continueFrom(previous);
    }
    return bounded;
  }
}
