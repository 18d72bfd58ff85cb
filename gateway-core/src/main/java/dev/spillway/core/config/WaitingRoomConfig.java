package dev.spillway.core.config;

import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The bounded queue in front of a backend's concurrency limit.
 *
 * @param maxQueue requests waiting at most; 0 disables waiting (shed at once when full)
 * @param maxWait longest wait; apart from it, a waiting request whose client deadline
 *     ({@code x-spillway-deadline-ms}, {@code X-Stainless-Timeout}) can no longer be met leaves sooner
 * @param shares guaranteed share of the concurrency limit per priority class (summing to at most 1); a
 *     class may borrow capacity others leave idle
 * @param codelTarget CoDel: the queueing delay considered acceptable
 * @param codelInterval CoDel: how long the oldest waiter's age must stay above target before the queue is
 *     deemed persistently overloaded, switching every waiter to a short wait and serving newest first
 */
public record WaitingRoomConfig(int maxQueue, Duration maxWait, Map<PriorityClass, Double> shares,
    Duration codelTarget, Duration codelInterval) {
  public static final int DEFAULT_MAX_QUEUE = 256;
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_CODEL_TARGET = Duration.ofMillis(50);
  public static final Duration DEFAULT_CODEL_INTERVAL = Duration.ofMillis(500);
  public static final WaitingRoomConfig DEFAULTS = new WaitingRoomConfig(DEFAULT_MAX_QUEUE, DEFAULT_MAX_WAIT,
      defaultShares(), DEFAULT_CODEL_TARGET, DEFAULT_CODEL_INTERVAL);

  public WaitingRoomConfig {
    Checks.nonNegative("maxQueue", maxQueue);
    Checks.positive("maxWait", maxWait);
    Checks.notNull("shares", shares);
    EnumMap<PriorityClass, Double> copy = new EnumMap<>(PriorityClass.class);
    double sum = 0;
    for (Map.Entry<PriorityClass, Double> e : shares.entrySet()) {
      double v = e.getValue();
      if (!(v >= 0 && v <= 1)) {
        throw new ConfigException("shares." + e.getKey().name().toLowerCase(java.util.Locale.ROOT),
            v + " (expected: 0..1)");
      }
      sum += v;
      copy.put(e.getKey(), v);
    }
    if (sum > 1.0 + 1e-9) {
      throw new ConfigException("shares", sum + " in total (expected: <= 1)");
    }
    shares = Collections.unmodifiableMap(copy);
    Checks.positive("codelTarget", codelTarget);
    Checks.positive("codelInterval", codelInterval);
  }

  /** Critical 50%, standard 30%, sheddable 0%: sheddable traffic only ever borrows idle capacity. */
  public static Map<PriorityClass, Double> defaultShares() {
    EnumMap<PriorityClass, Double> m = new EnumMap<>(PriorityClass.class);
    m.put(PriorityClass.CRITICAL, 0.5);
    m.put(PriorityClass.STANDARD, 0.3);
    m.put(PriorityClass.SHEDDABLE, 0.0);
    return m;
  }
}
