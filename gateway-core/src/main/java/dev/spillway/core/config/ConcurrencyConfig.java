package dev.spillway.core.config;

/**
 * How many requests a backend may have in flight through this gateway.
 *
 * @param mode {@code static}: always {@code limit}; {@code adaptive}: starts at {@code limit} and moves
 *     between {@code minLimit} and {@code maxLimit} with the measured latency
 * @param limit the static limit, or the adaptive starting point
 * @param minLimit adaptive floor
 * @param maxLimit adaptive ceiling
 * @param latencySignal what the adaptive limit measures: time to first byte (the default; it does not grow
 *     with answer length) or whole-response time per output token
 * @param engineSignal the engines' own metrics, which also bound the limit (see {@link EngineSignalConfig}), or
 *     {@code null}
 */
public record ConcurrencyConfig(Mode mode, int limit, int minLimit, int maxLimit, LatencySignal latencySignal,
                                EngineSignalConfig engineSignal) {
  public static final int DEFAULT_LIMIT = 64;
  public static final int DEFAULT_MIN_LIMIT = 4;
  public static final int DEFAULT_MAX_LIMIT = 1024;

  public ConcurrencyConfig {
    Checks.notNull("mode", mode);
    Checks.positive("limit", limit);
    Checks.positive("minLimit", minLimit);
    Checks.positive("maxLimit", maxLimit);
    Checks.notNull("latencySignal", latencySignal);
    if (mode == Mode.ADAPTIVE && (minLimit > limit || limit > maxLimit)) {
      throw new ConfigException("limit", limit + " (expected: minLimit " + minLimit + " <= limit <= maxLimit "
          + maxLimit + ")");
    }
  }

  /** Without engine signals. */
  public ConcurrencyConfig(Mode mode, int limit, int minLimit, int maxLimit, LatencySignal latencySignal) {
    this(mode, limit, minLimit, maxLimit, latencySignal, null);
  }

  public static ConcurrencyConfig fixed(int limit) {
    return new ConcurrencyConfig(Mode.STATIC, limit, Math.min(DEFAULT_MIN_LIMIT, limit),
        Math.max(DEFAULT_MAX_LIMIT, limit), LatencySignal.TTFB);
  }

  public enum Mode {
    STATIC,
    ADAPTIVE
  }

  public enum LatencySignal {
    /** Time from the request being sent to the response's first byte. */
    TTFB,
    /** Whole-response time divided by output tokens. */
    PER_TOKEN
  }
}
