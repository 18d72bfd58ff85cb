package dev.spillway.core.config;

/**
 * How many requests a backend may have in flight through this gateway.
 *
 * @param mode {@code static}: always {@code limit}; {@code adaptive}: measures the backend's latency without
 *     queueing at {@code minLimit} first, then starts at {@code limit} and moves between {@code minLimit} and
 *     {@code maxLimit} to the concurrency at which the backend starts to queue
 * @param limit the static limit, or the adaptive starting point
 * @param minLimit adaptive floor, and the concurrency the first baseline is measured at
 * @param maxLimit adaptive ceiling
 * @param engineSignal the engines' own metrics, which also bound the limit (see {@link EngineSignalConfig}), or
 *     {@code null}
 * @param prefillGate adaptive only: while first tokens show that prompts share the backend's prefill, admit a
 *     request only when few admitted ones still await their first token (the adaptive limit's prefill gate)
 */
public record ConcurrencyConfig(Mode mode, int limit, int minLimit, int maxLimit,
                                EngineSignalConfig engineSignal, boolean prefillGate) {
  public static final int DEFAULT_LIMIT = 64;
  public static final int DEFAULT_MIN_LIMIT = 4;
  public static final int DEFAULT_MAX_LIMIT = 1024;

  public ConcurrencyConfig {
    Checks.notNull("mode", mode);
    Checks.positive("limit", limit);
    Checks.positive("minLimit", minLimit);
    Checks.positive("maxLimit", maxLimit);
    if (mode == Mode.ADAPTIVE && (minLimit > limit || limit > maxLimit)) {
      throw new ConfigException("limit", limit + " (expected: minLimit " + minLimit + " <= limit <= maxLimit "
          + maxLimit + ")");
    }
  }

  /** Without the prefill gate (the default). */
  public ConcurrencyConfig(Mode mode, int limit, int minLimit, int maxLimit, EngineSignalConfig engineSignal) {
    this(mode, limit, minLimit, maxLimit, engineSignal, false);
  }

  /** Without engine signals. */
  public ConcurrencyConfig(Mode mode, int limit, int minLimit, int maxLimit) {
    this(mode, limit, minLimit, maxLimit, null);
  }

  public static ConcurrencyConfig fixed(int limit) {
    return new ConcurrencyConfig(Mode.STATIC, limit, Math.min(DEFAULT_MIN_LIMIT, limit),
        Math.max(DEFAULT_MAX_LIMIT, limit));
  }

  /** An adaptive limit with the default bounds, starting at {@code limit}. */
  public static ConcurrencyConfig adaptive(int limit) {
    return new ConcurrencyConfig(Mode.ADAPTIVE, limit, Math.min(DEFAULT_MIN_LIMIT, limit),
        Math.max(DEFAULT_MAX_LIMIT, limit));
  }

  public enum Mode {
    STATIC,
    ADAPTIVE
  }
}
