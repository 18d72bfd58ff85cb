package dev.spillway.server.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.time.FakeTicker;
import dev.spillway.server.config.StatusConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Incidents operators open and update through the admin API, next to the automatic ones, on fake time. */
class ManualIncidentsTest {
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
          IncidentView.Update last = incident.updates().get(incident.updates().size() - 1);
          alerts.add("updated " + incident.id() + " " + last.phase().tag() + " " + last.text());
        }

        @Override
        public void resolved(IncidentView incident) {
          alerts.add("resolved " + incident.id());
        }
      });

  private void seconds(int n, Signal... signals) {
    for (int i = 0; i < n; i++) {
      ticker.advance(Duration.ofSeconds(1));
      tracker.update(ticker.nanoTime(), List.of(signals));
    }
  }

  private static Signal outage() {
    return new Signal("outage:backend b", Signal.Kind.OUTAGE, "backend b", "80% of requests failed", 0);
  }

  @Test
  void anOperatorIncidentStaysOpenUntilTheyResolveIt() {
    IncidentView opened = tracker.openManual(ticker.nanoTime(), "Slow answers", List.of("Chat API"),
        IncidentImpact.MAJOR, IncidentPhase.INVESTIGATING, "Looking into it.");
    assertThat(opened.manual()).isTrue();
    assertThat(opened.open()).isTrue();
    assertThat(opened.title()).isEqualTo("Slow answers");
    assertThat(opened.components()).containsExactly("Chat API");
    assertThat(opened.impact()).isEqualTo(IncidentImpact.MAJOR);
    assertThat(opened.phase()).isEqualTo(IncidentPhase.INVESTIGATING);

    seconds(60);
    assertThat(tracker.openCount()).as("no condition ends it").isEqualTo(1);
    ticker.advance(Duration.ofSeconds(1));
    IncidentView identified = tracker.postUpdate(ticker.nanoTime(), opened.id(), IncidentPhase.IDENTIFIED,
        "A slow model server.");
    assertThat(identified.phase()).isEqualTo(IncidentPhase.IDENTIFIED);
    assertThat(identified.updates()).extracting(IncidentView.Update::phase)
        .containsExactly(IncidentPhase.INVESTIGATING, IncidentPhase.IDENTIFIED);
    assertThat(identified.updates().get(1).at()).isEqualTo(Instant.parse("2026-01-01T00:01:01Z"));

    ticker.advance(Duration.ofSeconds(9));
    IncidentView resolved = tracker.postUpdate(ticker.nanoTime(), opened.id(), IncidentPhase.RESOLVED, "Fixed.");
    assertThat(resolved.open()).isFalse();
    assertThat(resolved.endedAt()).isEqualTo(Instant.parse("2026-01-01T00:01:10Z"));
    assertThat(resolved.durationSeconds()).isEqualTo(70);
    assertThat(tracker.openCount()).isZero();
    assertThatThrownBy(() -> tracker.postUpdate(ticker.nanoTime(), opened.id(), IncidentPhase.MONITORING, "again"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("is resolved");
    assertThat(tracker.postUpdate(ticker.nanoTime(), 99, IncidentPhase.MONITORING, "x")).isNull();
  }

  @Test
  void operatorPostsAlertLikeTheTrackersOwnIncidents() {
    long id = tracker.openManual(ticker.nanoTime(), "Slow answers", List.of("Chat API"), IncidentImpact.MINOR,
        IncidentPhase.INVESTIGATING, "Looking into it.").id();
    tracker.postUpdate(ticker.nanoTime(), id, IncidentPhase.IDENTIFIED, "A slow model server.");
    tracker.postUpdate(ticker.nanoTime(), id, IncidentPhase.RESOLVED, "Fixed.");
    seconds(2, outage());
    long automatic = tracker.incidents(ticker.nanoTime()).get(0).id();
    tracker.postUpdate(ticker.nanoTime(), automatic, IncidentPhase.MONITORING, "Restarted the backend.");
    tracker.openManual(ticker.nanoTime(), "Old news", List.of("Chat API"), IncidentImpact.NONE,
        IncidentPhase.RESOLVED, "It was brief.");

    assertThat(alerts).containsExactly("opened 1", "updated 1 identified A slow model server.", "resolved 1",
        "opened 2", "updated 2 monitoring Restarted the backend.", "opened 3", "resolved 3");
  }

  @Test
  void automaticConditionsNeverJoinAnOperatorIncident() {
    tracker.openManual(ticker.nanoTime(), "Slow answers", List.of("Chat API"), IncidentImpact.MINOR,
        IncidentPhase.INVESTIGATING, "Looking into it.");
    seconds(1, outage());

    List<IncidentView> incidents = tracker.incidents(ticker.nanoTime());
    assertThat(incidents).hasSize(2);
    assertThat(incidents.get(0).manual()).isFalse();
    assertThat(incidents.get(0).title()).isEqualTo("Outage on backend b");
    assertThat(incidents.get(0).impact()).isEqualTo(IncidentImpact.MAJOR);
    assertThat(incidents.get(1).events()).isEmpty();
    assertThat(alerts).containsExactly("opened 1", "opened 2");
  }

  @Test
  void operatorsUpdateAutomaticIncidentsWhichStillResolveOnTheirOwn() {
    seconds(2, outage());
    long id = tracker.incidents(ticker.nanoTime()).get(0).id();

    IncidentView updated = tracker.postUpdate(ticker.nanoTime(), id, IncidentPhase.RESOLVED, "We think it is over.");
    assertThat(updated.open()).as("its conditions decide").isTrue();
    assertThat(updated.phase()).isEqualTo(IncidentPhase.RESOLVED);
    seconds(6);

    IncidentView after = tracker.incidents(ticker.nanoTime()).get(0);
    assertThat(after.open()).isFalse();
    assertThat(after.updates()).singleElement().satisfies(u -> assertThat(u.text()).isEqualTo("We think it is over."));
  }
}
