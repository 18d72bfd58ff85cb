package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.upstream.Endpoint;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What the gateway knows about one endpoint of a backend: requests in flight (and the cap on them), its
 * circuit breaker, active-check health, passive ejection, an upstream-requested cooldown and the rate-limit
 * headroom it last reported. Read-only to the outside; the group, its pickers, attempts and the health checker
 * change it. Thread-safe; the read path is a handful of volatile reads.
 */
public final class EndpointState {
  private final Endpoint endpoint;
  private final int weight;
  private final int maxConcurrency;
  private final CircuitBreaker breaker;
  private final Events events;
  private final AtomicInteger outstanding;
  private final AtomicReference<CircuitBreaker.State> reportedBreakerState;
  private final AtomicLong cooldownUntil;
  /** Completed attempts by {@link AttemptOutcome}, indexed by ordinal; only ever grows. */
  private final AtomicLongArray attempts = new AtomicLongArray(AttemptOutcome.values().length);

  final AtomicInteger consecutiveFailures;
  /** Guarded by the group's {@link OutlierDetector}; volatile so the read path needs no lock. */
  volatile boolean ejected;
  volatile long ejectedUntil;
  int ejections;
  long restoredAt;
  /** Smooth weighted round-robin's running weight, guarded by the weighted picker. */
  long currentWeight;

  private volatile boolean healthy = true;
  /** Drained by an operator: picked for no new request, while in-flight ones finish and checks go on. */
  private volatile boolean drained;
  private volatile long remainingRequests = UpstreamPause.UNKNOWN;

  EndpointState(Endpoint endpoint, int weight, int maxConcurrency, CircuitBreaker breaker, Events events,
      long now) {
    this.endpoint = endpoint;
    this.weight = weight;
    this.maxConcurrency = maxConcurrency;
    this.breaker = breaker;
    this.events = events;
    this.reportedBreakerState = new AtomicReference<>(breaker.getState());
    this.cooldownUntil = new AtomicLong(now);
    this.outstanding = new AtomicInteger();
    this.consecutiveFailures = new AtomicInteger();
  }

  /**
   * The same endpoint after a reload changed its weight, cap or breaker settings: it shares the counters of
   * {@code previous} (requests in flight there finish into this one's count, and cooldowns and failure streaks
   * carry on) and copies its health and ejection. {@code breaker} is {@code previous}'s own unless the breaker
   * settings changed.
   */
  EndpointState(EndpointState previous, int weight, int maxConcurrency, CircuitBreaker breaker, Events events) {
    this.endpoint = previous.endpoint;
    this.weight = weight;
    this.maxConcurrency = maxConcurrency;
    this.breaker = breaker;
    this.events = events;
    this.reportedBreakerState = breaker == previous.breaker ? previous.reportedBreakerState
        : new AtomicReference<>(breaker.getState());
    this.cooldownUntil = previous.cooldownUntil;
    this.outstanding = previous.outstanding;
    this.consecutiveFailures = previous.consecutiveFailures;
    this.ejected = previous.ejected;
    this.ejectedUntil = previous.ejectedUntil;
    this.ejections = previous.ejections;
    this.restoredAt = previous.restoredAt;
    this.healthy = previous.healthy;
    this.remainingRequests = previous.remainingRequests;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  public int weight() {
    return weight;
  }

  /** The cap on requests in flight, 0 for none. */
  public int maxConcurrency() {
    return maxConcurrency;
  }

  /** Requests in flight through this gateway. */
  public int outstanding() {
    return outstanding.get();
  }

  public CircuitBreaker.State breakerState() {
    return breaker.getState();
  }

  public boolean healthy() {
    return healthy;
  }

  /** Whether passive outlier detection has taken the endpoint out (until its backoff ends). */
  public boolean ejected() {
    return ejected;
  }

  /** Whether an upstream-requested cooldown still runs at ticker time {@code now}. */
  public boolean coolingDown(long now) {
    return cooldownUntil.get() - now > 0;
  }

  /**
   * Attempts on this endpoint that ended with {@code outcome}, every attempt counted once (retried and
   * abandoned ones too, not only the one that answered the client); never reset.
   */
  public long attempts(AttemptOutcome outcome) {
    return attempts.get(outcome.ordinal());
  }

  /** Counts one completed attempt; {@link EndpointAttempt} calls it once per attempt. */
  void countAttempt(AttemptOutcome outcome) {
    attempts.incrementAndGet(outcome.ordinal());
  }

  /** The last {@code x-ratelimit-remaining-requests} reported, or {@link UpstreamPause#UNKNOWN}. */
  public long remainingRequests() {
    return remainingRequests;
  }

  /** Drains the endpoint (no new requests) or restores it; an operator's incident control. */
  public void setDrained(boolean drained) {
    this.drained = drained;
  }

  public boolean drained() {
    return drained;
  }

  CircuitBreaker breaker() {
    return breaker;
  }

  boolean atCap() {
    return maxConcurrency > 0 && outstanding.get() >= maxConcurrency;
  }

  /** Unavailable for health reasons, which panic mode overrides. */
  boolean softDown() {
    return !healthy || ejected;
  }

  /** Worth trying: a breaker permission is the last check and is only taken in {@link #tryAcquire()}. */
  boolean selectable(long now, boolean panic) {
    return !drained && (panic || !softDown()) && !atCap() && !coolingDown(now);
  }

  /**
   * Counts one more request in flight, within the cap, and takes a breaker permission. The breaker comes last
   * because a half-open breaker hands out a limited number of trial permits; asking an open one is also what
   * moves it to half-open once its wait is over.
   */
  boolean tryAcquire() {
    if (maxConcurrency > 0) {
      int c;
      do {
        c = outstanding.get();
        if (c >= maxConcurrency) {
          return false;
        }
      } while (!outstanding.compareAndSet(c, c + 1));
    } else {
      outstanding.incrementAndGet();
    }
    boolean permitted = breaker.tryAcquirePermission();
    reportBreakerState();
    if (!permitted) {
      outstanding.decrementAndGet();
    }
    return permitted;
  }

  void succeeded(long latencyNanos) {
    outstanding.decrementAndGet();
    breaker.onSuccess(latencyNanos, TimeUnit.NANOSECONDS);
    reportBreakerState();
  }

  void failed(AttemptOutcome outcome, long latencyNanos) {
    outstanding.decrementAndGet();
    breaker.onError(latencyNanos, TimeUnit.NANOSECONDS, EndpointFailure.of(outcome));
    reportBreakerState();
  }

  void cancelled() {
    outstanding.decrementAndGet();
    breaker.releasePermission();
  }

  /** Sets health; true when it changed. */
  boolean setHealthy(boolean value) {
    if (healthy == value) {
      return false;
    }
    healthy = value;
    events.healthChange(endpoint, value);
    return true;
  }

  /**
   * Active health checks saw the endpoint come back: an open breaker lets its trial calls through now rather
   * than at the end of its wait (they still decide between closed and open, and a failed trial opens it for the
   * next, longer wait). A breaker that moved on by itself meanwhile is left alone.
   */
  void healthCheckRecovered() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) {
      return;
    }
    try {
      breaker.transitionToHalfOpenState();
    } catch (IllegalStateException raced) {
      // A request moved the breaker on between the check and the transition: its own state machine decides.
    }
    reportBreakerState();
  }

  void reportHeadroom(long remaining) {
    if (remaining != remainingRequests) {
      remainingRequests = remaining;
    }
  }

  /** Cools down until {@code end}, unless a later end is already set: the latest end always wins. */
  boolean coolDownUntil(long now, long end) {
    long cur;
    do {
      cur = cooldownUntil.get();
      if (cur - end >= 0) {
        return false;
      }
    } while (!cooldownUntil.compareAndSet(cur, end));
    events.cooldown(endpoint, Duration.ofNanos(end - now));
    return true;
  }

  /**
   * Reports a breaker transition once. Resilience4j's own event publisher would allocate an event on every
   * call once anything listens, so transitions are noticed here instead, after each call that can cause one.
   * Racing threads may fold a quick OPEN→HALF_OPEN→OPEN into fewer reports, but each report is a real
   * change, reported once.
   */
  private void reportBreakerState() {
    CircuitBreaker.State now = breaker.getState();
    CircuitBreaker.State seen = reportedBreakerState.get();
    if (now != seen && reportedBreakerState.compareAndSet(seen, now)) {
      events.breakerStateChange(endpoint, seen, now);
    }
  }

  @Override
  public String toString() {
    return endpoint + "{outstanding=" + outstanding.get() + ", breaker=" + breaker.getState() + ", healthy="
        + healthy + ", ejected=" + ejected + "}";
  }
}
