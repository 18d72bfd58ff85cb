package dev.spillway.core.upstream.resilience;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.EndpointSelector;
import io.netty.handler.codec.http.HttpHeaders;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * A backend's endpoints with everything that decides whether each may take a request, and the balancing
 * strategy that picks among those that may.
 *
 * <p>An endpoint is skipped while its circuit breaker does not permit a call, while it is cooling down on the
 * upstream's request, while it is at its {@code maxConcurrency}, and while it is unhealthy (active checks) or
 * ejected (passive detection). The last two are "soft": when more than {@code maxEjectedPercent} of the
 * endpoints are down for those reasons, the group is in <em>panic mode</em> and ignores them, because a
 * partial service beats a total outage. Breakers, cooldowns and caps are never overridden: when every endpoint
 * is held back by one of them, {@link #acquire()} returns {@code null} and the caller answers 503.
 *
 * <p>Thread-safe. {@link #acquire()} reads the ticker once and, for round-robin and power of two choices,
 * allocates only the returned attempt.
 */
public final class EndpointGroup implements EndpointSelector {
  private final EndpointState[] states;
  private final List<EndpointState> stateList;
  /** Set at construction, or once by {@link #preferEngineSignals} before traffic; volatile for readers. */
  private volatile Picker picker;
  private final OutlierDetector outlier;
  private final Ticker ticker;
  private final Clock wallClock;
  private final int maxSoftDown;
  private final long maxCooldownNanos;
  private final Balancing balancing;
  /** The settings this group was built with, so a reload can tell what changed. */
  private final ResilienceConfig resilience;

  /**
   * @param endpoints the backend's endpoints with their weights and caps
   * @param wallClock only for {@code Retry-After} HTTP-dates, which name a moment
   * @param random the power-of-two picker's choices; tests pass a seeded one
   */
  public EndpointGroup(List<EndpointConfig> endpoints, ResilienceConfig config, Ticker ticker, Clock wallClock,
      EndpointEventListener listener, RandomGenerator random) {
    this(endpoints, config, ticker, wallClock, listener, random, null);
  }

  private EndpointGroup(List<EndpointConfig> endpoints, ResilienceConfig config, Ticker ticker, Clock wallClock,
      EndpointEventListener listener, RandomGenerator random, EndpointGroup previous) {
    if (endpoints.isEmpty()) {
      throw new ConfigException("endpoints", "[] (expected: at least one http://host:port)");
    }
    this.ticker = ticker;
    this.wallClock = wallClock;
    this.balancing = config.balancing();
    this.resilience = config;
    Events events = new Events(listener);
    long now = ticker.nanoTime();
    this.states = new EndpointState[endpoints.size()];
    for (int i = 0; i < states.length; i++) {
      EndpointConfig e = endpoints.get(i);
      EndpointState kept = previous == null ? null : previous.stateOf(e.address());
      if (kept != null) {
        states[i] = carriedOver(kept, e, previous.resilience, config, ticker, events);
        continue;
      }
      Endpoint endpoint = new Endpoint(e.address());
      states[i] = new EndpointState(endpoint, e.weight(), e.maxConcurrency(),
          Breakers.create(endpoint.toString(), config.breaker(), ticker), events, now);
    }
    this.stateList = Collections.unmodifiableList(java.util.Arrays.asList(states));
    this.maxSoftDown = states.length * config.maxEjectedPercent() / 100;
    this.outlier = new OutlierDetector(config.outlier(), states, maxSoftDown, events);
    this.maxCooldownNanos = config.maxCooldown().toNanos();
    this.picker = Picker.of(config.balancing(), random);
  }

  /**
   * The group for a reloaded backend: endpoints are the same endpoints if their address is, and keep their
   * state (breaker, ejection, cooldown, health, requests in flight, and their {@link Endpoint}, which keys the
   * connection pools); new addresses start fresh. When the breaker settings changed, a kept endpoint gets a
   * breaker with the new ones, opened if its old one was not closed, so a reload never lets traffic through
   * to an endpoint its breaker was holding back. {@code previous} itself is left as it is: requests that
   * started on it finish there.
   */
  public static EndpointGroup reconfigured(EndpointGroup previous, List<EndpointConfig> endpoints,
      ResilienceConfig config, Ticker ticker, EndpointEventListener listener) {
    return new EndpointGroup(endpoints, config, ticker, previous.wallClock, listener, threadLocalRandom(),
        previous);
  }

  private static EndpointState carriedOver(EndpointState kept, EndpointConfig e, ResilienceConfig before,
      ResilienceConfig after, Ticker ticker, Events events) {
    boolean sameBreaker = before.breaker().equals(after.breaker());
    if (sameBreaker && kept.weight() == e.weight() && kept.maxConcurrency() == e.maxConcurrency()) {
      return kept;
    }
    io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = kept.breaker();
    if (!sameBreaker) {
      breaker = Breakers.create(kept.endpoint().toString(), after.breaker(), ticker);
      var old = kept.breaker().getState();
      if (after.breaker().enabled() && (old == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.OPEN
          || old == io.github.resilience4j.circuitbreaker.CircuitBreaker.State.HALF_OPEN)) {
        breaker.transitionToOpenState();
      }
    }
    return new EndpointState(kept, e.weight(), e.maxConcurrency(), breaker, events);
  }

  /** The state of the endpoint at {@code address}, or {@code null}. */
  public EndpointState stateOf(dev.spillway.core.config.EndpointAddress address) {
    for (EndpointState s : states) {
      if (s.endpoint().address().equals(address)) {
        return s;
      }
    }
    return null;
  }

  /** The settings this group was built with. */
  public ResilienceConfig resilience() {
    return resilience;
  }

  /** A group on the system wall clock, no listener, thread-local randomness. */
  public static EndpointGroup of(List<EndpointConfig> endpoints, ResilienceConfig config, Ticker ticker) {
    return of(endpoints, config, ticker, EndpointEventListener.NOOP);
  }

  /** A group on the system wall clock and thread-local randomness, reporting its changes to {@code listener}. */
  public static EndpointGroup of(List<EndpointConfig> endpoints, ResilienceConfig config, Ticker ticker,
      EndpointEventListener listener) {
    return new EndpointGroup(endpoints, config, ticker, Clock.systemUTC(), listener, threadLocalRandom());
  }

  /** Weight 1 and no cap for each of {@code addresses}. */
  public static List<EndpointConfig> uniform(List<dev.spillway.core.config.EndpointAddress> addresses) {
    List<EndpointConfig> out = new ArrayList<>(addresses.size());
    for (var a : addresses) {
      out.add(EndpointConfig.of(a));
    }
    return out;
  }

  /**
   * An attempt on the endpoint the balancing strategy picks among those available, or {@code null} when none
   * is. The attempt must be completed exactly once.
   */
  public EndpointAttempt acquire() {
    long now = ticker.nanoTime();
    EndpointState s = picker.pick(states, now, panic(now));
    return s == null ? null : new EndpointAttempt(this, s);
  }

  /**
   * Like {@link #acquire()}, but never one of {@code excluded} (the endpoints a request already tried): the
   * least loaded other available endpoint, or {@code null}. A plain scan, since retries are rare.
   */
  public EndpointAttempt acquireExcluding(java.util.Collection<Endpoint> excluded) {
    if (excluded.isEmpty()) {
      return acquire();
    }
    long now = ticker.nanoTime();
    boolean panic = panic(now);
    for (int round = 0; round < states.length; round++) {
      EndpointState best = null;
      for (EndpointState s : states) {
        if (excluded.contains(s.endpoint()) || !s.selectable(now, panic)) {
          continue;
        }
        if (best == null || (long) s.outstanding() * best.weight() < (long) best.outstanding() * s.weight()) {
          best = s;
        }
      }
      if (best == null) {
        return null;
      }
      if (best.tryAcquire()) {
        return new EndpointAttempt(this, best);
      }
    }
    return null;
  }

  /**
   * The seam the exchange uses today: the endpoint {@link #acquire()} would pick, without holding anything
   * (the attempt is cancelled at once). Outstanding counts, breakers and ejection only see traffic that goes
   * through {@link #acquire()}.
   */
  @Override
  public Endpoint select() {
    EndpointAttempt attempt = acquire();
    if (attempt == null) {
      return null;
    }
    attempt.onCancelled();
    return attempt.endpoint();
  }

  /**
   * Picks by the engines' own metrics while they are fresh, else as configured ({@link EngineSignalPicker}).
   * {@code signals} must list {@link #endpoints()} in order; call it once, before traffic.
   */
  public void preferEngineSignals(dev.spillway.core.upstream.engine.EngineSignals signals) {
    if (signals.size() != states.length) {
      throw new IllegalArgumentException("signals: " + signals.size() + " endpoints (expected: " + states.length
          + ")");
    }
    this.picker = new EngineSignalPicker(signals, picker);
  }

  /** Whether more endpoints are unhealthy or ejected than {@code maxEjectedPercent} allows. */
  public boolean inPanic() {
    return panic(ticker.nanoTime());
  }

  /**
   * Marks {@code endpoint} healthy or not (active health checks); unknown endpoints are ignored. An endpoint
   * the checks see healthy again is trusted at once, as Envoy un-ejects a host that passes its health check:
   * its open breaker goes half-open (trial calls decide) and its ejection ends, instead of both waiting out
   * their timers while the endpoint already answers.
   */
  public void setHealthy(Endpoint endpoint, boolean healthy) {
    for (EndpointState s : states) {
      if (s.endpoint() == endpoint && s.setHealthy(healthy) && healthy) {
        s.healthCheckRecovered();
        outlier.restoreNow(s, ticker.nanoTime());
      }
    }
  }

  public List<EndpointState> states() {
    return stateList;
  }

  public List<Endpoint> endpoints() {
    List<Endpoint> out = new ArrayList<>(states.length);
    for (EndpointState s : states) {
      out.add(s.endpoint());
    }
    return out;
  }

  public Balancing balancing() {
    return balancing;
  }

  Ticker ticker() {
    return ticker;
  }

  OutlierDetector outlier() {
    return outlier;
  }

  void onResponseHeaders(EndpointState s, int status, HttpHeaders headers) {
    if (headers == null) {
      return;
    }
    s.reportHeadroom(UpstreamPause.remainingRequests(headers));
    long pause = UpstreamPause.pauseNanos(status, headers, wallClock);
    if (pause > 0) {
      long now = ticker.nanoTime();
      s.coolDownUntil(now, now + Math.min(pause, maxCooldownNanos));
    }
  }

  /** Restores ejections that are over, then counts the soft-down endpoints. */
  private boolean panic(long now) {
    int down = 0;
    for (EndpointState s : states) {
      outlier.refresh(s, now);
      if (s.softDown()) {
        down++;
      }
    }
    return down > maxSoftDown;
  }

  private static RandomGenerator threadLocalRandom() {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return ThreadLocalRandom.current().nextLong();
      }

      @Override
      public int nextInt(int bound) {
        return ThreadLocalRandom.current().nextInt(bound);
      }
    };
  }
}
