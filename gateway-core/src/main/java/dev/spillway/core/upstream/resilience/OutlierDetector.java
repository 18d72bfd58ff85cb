package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.OutlierConfig;
import java.time.Duration;

/**
 * Passive outlier ejection for one group: an endpoint failing {@code consecutiveFailures} times in a row is
 * ejected for {@code baseEjection × 2^(n-1)} (at most {@code maxEjection}), where {@code n} counts ejections
 * that came less than {@code maxEjection} after the previous restore. No more than {@code maxEjectable}
 * endpoints are out at once: past that share, ejecting more would turn a partial outage into a total one.
 *
 * <p>Restores happen lazily, when the group next looks at its endpoints (every selection does), so no timer
 * is needed. Ejecting and restoring take this object's lock; they are rare. The per-call path is one atomic.
 */
final class OutlierDetector {
  private final OutlierConfig config;
  private final EndpointState[] states;
  private final int maxEjectable;
  private final Events events;
  private final long baseNanos;
  private final long maxNanos;

  OutlierDetector(OutlierConfig config, EndpointState[] states, int maxEjectable, Events events) {
    this.config = config;
    this.states = states;
    this.maxEjectable = maxEjectable;
    this.events = events;
    this.baseNanos = config.baseEjection().toNanos();
    this.maxNanos = config.maxEjection().toNanos();
  }

  void onSuccess(EndpointState s) {
    if (s.consecutiveFailures.get() != 0) {
      s.consecutiveFailures.set(0);
    }
  }

  void onFailure(EndpointState s, long now) {
    if (!config.enabled()) {
      return;
    }
    if (s.consecutiveFailures.incrementAndGet() >= config.consecutiveFailures() && !s.ejected) {
      tryEject(s, now);
    }
  }

  /** Restores {@code s} if its ejection is over at {@code now}. */
  void refresh(EndpointState s, long now) {
    if (s.ejected && s.ejectedUntil - now <= 0) {
      restore(s, now);
    }
  }

  /** Ends {@code s}'s ejection now, whatever its backoff said (health checks see it healthy again). */
  synchronized void restoreNow(EndpointState s, long now) {
    if (s.ejected) {
      s.ejectedUntil = now;
      restore(s, now);
    }
  }

  private synchronized void restore(EndpointState s, long now) {
    if (!s.ejected || s.ejectedUntil - now > 0) {
      return;
    }
    s.ejected = false;
    s.restoredAt = now;
    s.consecutiveFailures.set(0);
    events.restored(s.endpoint());
  }

  private synchronized void tryEject(EndpointState s, long now) {
    if (s.ejected) {
      return;
    }
    int out = 0;
    for (EndpointState other : states) {
      if (other.ejected && other.ejectedUntil - now <= 0) {
        restore(other, now);
      }
      if (other.ejected) {
        out++;
      }
    }
    if (out >= maxEjectable) {
      return;
    }
    boolean repeat = s.ejections > 0 && now - s.restoredAt < maxNanos;
    s.ejections = repeat ? s.ejections + 1 : 1;
    long backoff = backoffNanos(s.ejections);
    s.ejectedUntil = now + backoff;
    s.ejected = true;
    s.consecutiveFailures.set(0);
    events.ejected(s.endpoint(), Duration.ofNanos(backoff));
  }

  /** {@code base × 2^(n-1)}, capped, without overflowing. */
  long backoffNanos(int n) {
    long b = baseNanos;
    for (int k = 1; k < n && b < maxNanos; k++) {
      b = b > maxNanos / 2 ? maxNanos : b * 2;
    }
    return Math.min(b, maxNanos);
  }
}
