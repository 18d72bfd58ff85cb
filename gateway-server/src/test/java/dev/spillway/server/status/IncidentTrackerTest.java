package dev.spillway.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.time.FakeTicker;
import dev.spillway.server.config.StatusConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Incidents from conditions, on fake time: grouping, flap suppression, ends, bounded history, hooks. */
class IncidentTrackerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> alerts = new ArrayList<>();
  private final IncidentTracker tracker = new IncidentTracker(
      StatusConfig.DEFAULTS.withTiming(Duration.ofSeconds(5), Duration.ofSeconds(30)),
      new WallClock(ticker, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)),
      new IncidentListener() {
        @Override
        public void opened(IncidentView incident) {
          alerts.add("opened " + incident.id());
        }

        @Override
        public void updated(IncidentView incident) {
          alerts.add("updated " + incident.id());
        }

        @Override
        public void resolved(IncidentView incident) {
          alerts.add("resolved " + incident.id());
        }
      });

  private static Signal shedding(long shed) {
    return new Signal("shedding:route chat", Signal.Kind.SHEDDING, "route chat", "shedding", shed);
  }

  private static Signal outage() {
    return new Signal("outage:backend b", Signal.Kind.OUTAGE, "backend b", "80% of requests failed", 0);
  }

  private void seconds(int n, Signal... signals) {
    for (int i = 0; i < n; i++) {
      ticker.advance(Duration.ofSeconds(1));
      tracker.update(ticker.nanoTime(), List.of(signals));
    }
  }

  @Test
  void sheddingOpensOneIncidentThatEndsAfterItStaysClear() {
    seconds(3, shedding(10));
    seconds(1, shedding(25));
    seconds(4);

    assertThat(tracker.openCount()).isEqualTo(1);
    seconds(1);

    List<IncidentView> incidents = tracker.incidents(ticker.nanoTime());
    assertThat(incidents).hasSize(1);
    IncidentView i = incidents.get(0);
    assertThat(i.open()).isFalse();
    assertThat(i.summary()).contains("55 requests shed, peak 25/s");
    // It ended when shedding was last seen, not when the quiet period ran out.
    assertThat(i.durationSeconds()).isEqualTo(3);
    assertThat(alerts).containsExactly("opened 1", "resolved 1");
  }

  @Test
  void aShortGapDoesNotSplitTheIncident() {
    seconds(2, shedding(5));
    seconds(3);
    seconds(2, shedding(5));
    seconds(6);

    assertThat(tracker.incidents(ticker.nanoTime())).hasSize(1);
    assertThat(alerts).containsExactly("opened 1", "resolved 1");
  }

  @Test
  void relatedConditionsJoinTheOpenIncident() {
    seconds(2, outage());
    seconds(2, outage(), shedding(4));
    seconds(10);

    List<IncidentView> incidents = tracker.incidents(ticker.nanoTime());
    assertThat(incidents).hasSize(1);
    assertThat(incidents.get(0).components()).containsExactly("backend b", "route chat");
    assertThat(incidents.get(0).title()).isEqualTo("Outage on backend b (+1 related)");
  }

  @Test
  void laterProblemsOpenNewIncidentsAndHistoryIsBounded() {
    IncidentTracker small = new IncidentTracker(new StatusConfig(Duration.ofSeconds(30), 5, 0.05, 0.5, 0.01,
        Duration.ofSeconds(1), Duration.ofSeconds(1), 3), new WallClock(ticker, Clock.systemUTC()),
        IncidentListener.NONE);
    for (int round = 0; round < 5; round++) {
      ticker.advance(Duration.ofSeconds(1));
      small.update(ticker.nanoTime(), List.of(shedding(1)));
      for (int i = 0; i < 5; i++) {
        ticker.advance(Duration.ofSeconds(1));
        small.update(ticker.nanoTime(), List.of());
      }
    }

    List<IncidentView> incidents = small.incidents(ticker.nanoTime());
    assertThat(incidents).extracting(IncidentView::id).containsExactly(5L, 4L, 3L);
    assertThat(incidents).noneMatch(IncidentView::open);
  }

  @Test
  void resilienceEventsOpenAndCloseConditions() {
    ResilienceEvent opened = new ResilienceEvent(ResilienceEvent.Type.BREAKER_OPENED, "backend b", "5 failures");
    ResilienceEvent closed = new ResilienceEvent(ResilienceEvent.Type.BREAKER_CLOSED, "backend b", null);
    assertThat(opened.key()).isEqualTo(closed.key());
    Signal breaker = new Signal(opened.key(), opened.type().kind(), opened.component(), opened.detail(), 0);

    seconds(3, breaker);
    seconds(6);

    IncidentView i = tracker.incidents(ticker.nanoTime()).get(0);
    assertThat(i.title()).isEqualTo("Circuit breaker open on backend b");
    assertThat(i.open()).isFalse();
  }
}
