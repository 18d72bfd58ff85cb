package dev.spillway.core.config;

import java.time.Duration;

/**
 * The gateway's protection of itself (after Envoy's overload manager): a cap on client connections, and
 * actions taken while heap or direct memory is under pressure.
 *
 * @param maxConnections most client connections open at once; a connection accepted over it is closed at once
 *     (0: no cap)
 * @param heap thresholds of heap pressure (heap in use after the last GC, as a share of the maximum heap)
 * @param directMemory thresholds of direct memory pressure (Netty's direct memory, as a share of the JVM's
 *     maximum direct memory)
 * @param sampleInterval how often memory is sampled (off the event loops)
 * @param shortClientTimeout the client timeout while {@code shortenTimeouts} is active (never longer than
 *     {@code server.clientTimeout})
 */
public record OverloadConfig(int maxConnections, Thresholds heap, Thresholds directMemory, Duration sampleInterval,
    Duration shortClientTimeout) {
  public static final int DEFAULT_MAX_CONNECTIONS = 10_000;
  public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofMillis(250);
  public static final Duration DEFAULT_SHORT_CLIENT_TIMEOUT = Duration.ofSeconds(2);
  public static final OverloadConfig DEFAULTS = new OverloadConfig(DEFAULT_MAX_CONNECTIONS, Thresholds.DEFAULTS,
      Thresholds.DEFAULTS, DEFAULT_SAMPLE_INTERVAL, DEFAULT_SHORT_CLIENT_TIMEOUT);

  public OverloadConfig {
    Checks.nonNegative("maxConnections", maxConnections);
    Checks.notNull("heap", heap);
    Checks.notNull("directMemory", directMemory);
    Checks.positive("sampleInterval", sampleInterval);
    Checks.positive("shortClientTimeout", shortClientTimeout);
    if (sampleInterval.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new ConfigException("sampleInterval", Durations.format(sampleInterval) + " (expected: at most 10s)");
    }
  }

  /**
   * The pressures (0 to 1) at which each action starts; it stops when the pressure falls below again.
   *
   * @param keepAliveOff answers close their connection instead of keeping it
   * @param shortenTimeouts idle and slow clients get {@code shortClientTimeout} instead of {@code clientTimeout}
   * @param stopAccepting new requests get a 503 at once and their connection is closed
   */
  public record Thresholds(double keepAliveOff, double shortenTimeouts, double stopAccepting) {
    public static final Thresholds DEFAULTS = new Thresholds(0.80, 0.85, 0.95);

    public Thresholds {
      share("keepAliveOff", keepAliveOff);
      share("shortenTimeouts", shortenTimeouts);
      share("stopAccepting", stopAccepting);
    }

    private static void share(String key, double value) {
      if (!(value > 0 && value <= 1)) {
        throw new ConfigException(key, value + " (expected: a share of memory > 0 and <= 1, e.g. 0.9)");
      }
    }
  }
}
