package dev.spillway.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.resilience.EndpointAttempt;
import dev.spillway.server.config.StatusConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * States follow the last seconds, with the gateway's real endpoint groups (breakers, ejection) under steady
 * traffic on fake time: 15 requests a second, each one attempt on the endpoint and one finished request.
 */
class StatusStatesTest {
  private static final int RATE = 15;
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void theOnlyBackendKilledReadsOutageWithinTenSecondsAndRecoversWithinThirty() {
    // The backend comes back at every point of the breaker's open-wait cycle: the worst case counts.
    int worst = 0;
    for (int extraDown = 0; extraDown < 16; extraDown++) {
      worst = Math.max(worst, killAndRestore(extraDown));
    }
    // After a long outage the breaker's open wait has doubled up to its cap (15 s by default), so a trial goes
    // through at most 15 s after the backend's return; the state follows once the failures leave the last 5 s.
    assertThat(worst).as("seconds from the backend's return to operational, worst case").isLessThanOrEqualTo(21);
  }

  /** Kills the only backend for 60 + {@code extraDown} seconds, then restores it; seconds to operational. */
  private int killAndRestore(int extraDown) {
    Backend backend = new Backend(BackendConfig.of("llm", List.of(new EndpointAddress("10.0.0.1", 8000))), ticker);
    Router router = new Router(List.of(new Route(new RouteConfig("chat", new RouteMatch(null, "/"), "llm"),
        backend)));
    StatusTracker tracker = tracker(router);
    for (int s = 0; s < 60; s++) {
      second(tracker, backend, Health.UP);
    }
    assertThat(state(tracker, "backend", "llm")).isEqualTo(ComponentState.OPERATIONAL);

    int toOutage = 0;
    while (state(tracker, "backend", "llm") != ComponentState.OUTAGE && toOutage < 60) {
      second(tracker, backend, Health.DOWN);
      toOutage++;
    }
    assertThat(toOutage).as("seconds from the kill to outage").isLessThanOrEqualTo(10);
    assertThat(state(tracker, "route", "chat")).isEqualTo(ComponentState.OUTAGE);
    assertThat(reason(tracker, "route", "chat")).contains("of requests failed in the last 5s")
        .contains("over 30s");
    for (int s = 0; s < 60 + extraDown; s++) { // a long outage: the breaker has opened and re-opened on its trials
      second(tracker, backend, Health.DOWN);
    }
    assertThat(reason(tracker, "backend", "llm")).startsWith("no endpoint available (1 circuit breaker");

    int toRecovery = 0;
    while ((state(tracker, "backend", "llm") != ComponentState.OPERATIONAL
        || state(tracker, "route", "chat") != ComponentState.OPERATIONAL) && toRecovery < 120) {
      second(tracker, backend, Health.UP);
      toRecovery++;
    }
    return toRecovery;
  }

  @Test
  void aRouteServedByItsFallbackSaysSoAndThePrimaryShowsItsOutage() {
    Backend primary = new Backend(BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000),
        new EndpointAddress("10.0.0.2", 8000))), ticker);
    Backend fallback = new Backend(BackendConfig.of("small", List.of(new EndpointAddress("10.0.9.9", 8000))),
        ticker);
    RouteConfig config = new RouteConfig("chat", new RouteMatch(null, "/"), "primary")
        .withTiers(List.of(FailoverTierConfig.of("primary"), FailoverTierConfig.of("small")));
    Router router = new Router(List.of(new Route(config, List.of(new Route.Tier(primary, null),
        new Route.Tier(fallback, "small-model")), null, null)));
    StatusTracker tracker = tracker(router);
    for (int s = 0; s < 20; s++) {
      for (int i = 0; i < RATE; i++) {
        // Both primary endpoints refuse while they are still tried; the fallback answers every request.
        EndpointAttempt tried = primary.endpointGroup().acquire();
        if (tried != null) {
          tried.complete(AttemptOutcome.CONNECT_FAILED, 1_000_000);
        }
        fallback.endpointGroup().acquire().complete(AttemptOutcome.SUCCESS, 50_000_000);
        tracker.onRecord(record("small", Outcome.PROXIED, 200, 1));
      }
      ticker.advance(Duration.ofSeconds(1));
      tracker.tick();
    }

    assertThat(state(tracker, "route", "chat")).isEqualTo(ComponentState.DEGRADED);
    assertThat(reason(tracker, "route", "chat")).startsWith("served by fallback small (100% of answered requests");
    assertThat(component(tracker, "route", "chat").fallback()).isEqualTo("small");
    assertThat(state(tracker, "backend", "primary")).isEqualTo(ComponentState.OUTAGE);
    assertThat(state(tracker, "backend", "small")).isEqualTo(ComponentState.OPERATIONAL);
    assertThat(tracker.snapshot().overall()).isEqualTo(ComponentState.OUTAGE);
    assertThat(new String(StatusJson.status(tracker.snapshot()), java.nio.charset.StandardCharsets.UTF_8))
        .contains("\"servedByFallback\":\"small\"").contains("\"name\":\"small\"");
  }

  @Test
  void configureTracksNewBackendsKeepsKeptOnesAndForgetsRemovedOnes() {
    Backend a = new Backend(BackendConfig.of("a", List.of(new EndpointAddress("10.0.0.1", 8000))), ticker);
    Router router = new Router(List.of(new Route(new RouteConfig("chat", new RouteMatch(null, "/"), "a"), a)));
    StatusTracker tracker = tracker(router);
    tracker.onRecord(record("a", Outcome.PROXIED, 200, 0));
    ticker.advance(Duration.ofSeconds(1));
    tracker.tick();

    var next = new dev.spillway.core.config.GatewayConfig(dev.spillway.core.config.ServerConfig.DEFAULTS,
        java.util.Map.of("a", BackendConfig.of("a", List.of(new EndpointAddress("10.0.0.1", 8000))),
            "b", BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.2", 8000)))),
        List.of(new RouteConfig("chat", new RouteMatch(null, "/"), "a")
            .withTiers(List.of(FailoverTierConfig.of("a"), FailoverTierConfig.of("b")))));
    tracker.configure(next);
    tracker.configure(next);
    ticker.advance(Duration.ofSeconds(1));
    tracker.tick();
    assertThat(tracker.snapshot().components()).extracting(c -> c.kind() + " " + c.name())
        .containsExactly("route chat", "backend a", "backend b");
    assertThat(component(tracker, "route", "chat").assessment().reason()).contains("1 requests");

    tracker.configure(new dev.spillway.core.config.GatewayConfig(dev.spillway.core.config.ServerConfig.DEFAULTS,
        java.util.Map.of("b", BackendConfig.of("b", List.of(new EndpointAddress("10.0.0.2", 8000)))),
        List.of(new RouteConfig("other", new RouteMatch(null, "/"), "b"))));
    ticker.advance(Duration.ofSeconds(1));
    tracker.tick();
    assertThat(tracker.snapshot().components()).extracting(c -> c.kind() + " " + c.name())
        .containsExactly("route other", "backend b");
  }

  private enum Health { UP, DOWN }

  /** One second of traffic at {@link #RATE}, then a tick. */
  private void second(StatusTracker tracker, Backend backend, Health health) {
    for (int i = 0; i < RATE; i++) {
      EndpointAttempt attempt = backend.endpointGroup().acquire();
      if (attempt == null) {
        tracker.onRecord(gatewayError(GatewayError.NO_AVAILABLE_ENDPOINT));
      } else if (health == Health.UP) {
        attempt.complete(AttemptOutcome.SUCCESS, 50_000_000);
        tracker.onRecord(record("llm", Outcome.PROXIED, 200, 0));
      } else {
        attempt.complete(AttemptOutcome.CONNECT_FAILED, 1_000_000);
        tracker.onRecord(gatewayError(GatewayError.UPSTREAM_CONNECT_FAILED));
      }
      ticker.advance(Duration.ofMillis(1000 / RATE));
    }
    ticker.advance(Duration.ofMillis(1000 % RATE));
    tracker.tick();
  }

  private StatusTracker tracker(Router router) {
    return new StatusTracker(StatusConfig.DEFAULTS, router, Readiness.ALWAYS, ticker,
        new WallClock(ticker, Clock.systemUTC()), IncidentListener.NONE);
  }

  private static ExchangeRecord record(String backend, Outcome outcome, int status, int tier) {
    return new ExchangeRecord("r", "chat", backend, "http://10.0.0.1:8000", null, null, status, outcome, null, null,
        0, 0, 50_000_000L, 10_000_000L, false, 0, 0, false, -1, 1, tier, null, null);
  }

  private static ExchangeRecord gatewayError(GatewayError error) {
    return new ExchangeRecord("r", "chat", "llm", null, null, null, error.status().code(), Outcome.GATEWAY_ERROR,
        null, error, 0, 0, 1_000_000L, -1, false, 0, 0, false, -1, 1, 0, null, null);
  }

  private static ComponentStatus component(StatusTracker tracker, String kind, String name) {
    return tracker.snapshot().components().stream().filter(c -> c.kind().equals(kind) && c.name().equals(name))
        .findFirst().orElseThrow();
  }

  private static ComponentState state(StatusTracker tracker, String kind, String name) {
    return component(tracker, kind, name).state();
  }

  private static String reason(StatusTracker tracker, String kind, String name) {
    return component(tracker, kind, name).assessment().reason();
  }
}
