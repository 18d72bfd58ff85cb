package dev.spillway.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.config.StatusConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The status page counts overflowed requests per route and lists every tier's backend. */
class StatusOverflowTest {
  @Test
  void countsOverflowPerRouteAndShowsEveryTiersBackend() {
    FakeTicker ticker = new FakeTicker();
    Backend primary = new Backend(BackendConfig.of("primary", List.of(new EndpointAddress("10.0.0.1", 8000))), ticker);
    Backend secondary = new Backend(BackendConfig.of("secondary", List.of(new EndpointAddress("10.0.9.9", 8000))),
        ticker);
    RouteConfig config = new RouteConfig("chat", new RouteMatch(null, "/"), "primary")
        .withTiers(List.of(FailoverTierConfig.of("primary"), FailoverTierConfig.of("secondary")));
    Router router = new Router(List.of(new Route(config, List.of(new Route.Tier(primary, null),
        new Route.Tier(secondary, null)), null, null)));
    StatusTracker tracker = new StatusTracker(StatusConfig.DEFAULTS, router, () -> null, ticker,
        new WallClock(ticker, Clock.systemUTC()), IncidentListener.NONE);
    for (String from : new String[] {"primary", "primary", null}) {
      tracker.onRecord(new ExchangeRecord("r", "chat", "secondary", "http://10.0.9.9:8000", null, null, 200,
          Outcome.PROXIED, null, null, 0, 0, 1_000_000L, 500_000L, false, 0, 0, false, -1, 1, 1, null, from));
    }
    ticker.advance(Duration.ofSeconds(1));
    tracker.tick();

    List<ComponentStatus> components = tracker.snapshot().components();
    assertThat(components).filteredOn(c -> c.kind().equals("route")).singleElement()
        .satisfies(c -> assertThat(c.overflowed()).isEqualTo(2));
    assertThat(components).filteredOn(c -> c.kind().equals("backend")).extracting(ComponentStatus::name)
        .containsExactly("primary", "secondary");
  }
}
