package dev.spillway.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A request that overflowed to a later tier is counted by route, the backend it left and the one it went to. */
class OverflowMetricsTest {
  private static ExchangeRecord record(String backend, String overflowFrom) {
    return new ExchangeRecord("r", "chat", backend, "http://10.0.9.9:8000", "acme", "standard", 200,
        Outcome.PROXIED, null, null, 10, 10, 1_000_000L, 500_000L, false, 0, 0, false, 0, 1, 1, null,
        overflowFrom);
  }

  @Test
  void countsOverflowByRouteFromAndTo() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ExchangeMeters meters = new ExchangeMeters(registry);
    meters.record(record("secondary", "primary"));
    meters.record(record("secondary", "primary"));
    meters.record(record("secondary", null));

    assertThat(registry.get("spillway_overflow").tags("route", "chat", "from", "primary", "to", "secondary")
        .counter().count()).isEqualTo(2.0);
    assertThat(registry.find("spillway_overflow").counters()).hasSize(1);
  }
}
