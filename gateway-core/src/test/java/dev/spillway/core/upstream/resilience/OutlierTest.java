package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Endpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutlierTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<String> events = new ArrayList<>();
  private final EndpointEventListener recorder = new EndpointEventListener() {
    @Override
    public void onEjected(Endpoint e, Duration backoff) {
      events.add("ejected " + e.address().host() + " " + backoff.toSeconds() + "s");
    }

    @Override
    public void onRestored(Endpoint e) {
      events.add("restored " + e.address().host());
    }
  };

  @Test
  void consecutiveFailuresEjectForAGrowingBackoffThenRestore() {
    EndpointGroup group = Groups.group(Groups.endpoints(4), Groups.outlierOnly(Balancing.ROUND_ROBIN), ticker,
        recorder);
    EndpointState e0 = group.states().get(0);
    List<Long> backoffs = new ArrayList<>();
    for (int round = 1; round <= 4; round++) {
      failOn(group, e0, 3);
      assertThat(e0.ejected()).isTrue();
      assertThat(pickedHosts(group, 40)).doesNotContain("e0");
      long seconds = round == 1 ? 10 : round == 2 ? 20 : 40;
      backoffs.add(seconds);
      ticker.advance(Duration.ofSeconds(seconds).minusMillis(1));
      assertThat(pickedHosts(group, 4)).doesNotContain("e0");
      ticker.advance(Duration.ofMillis(1));
      assertThat(pickedHosts(group, 8)).contains("e0");
      assertThat(e0.ejected()).isFalse();
    }
    assertThat(events).containsExactly("ejected e0 10s", "restored e0", "ejected e0 20s", "restored e0",
        "ejected e0 40s", "restored e0", "ejected e0 40s", "restored e0");
  }

  @Test
  void aSuccessResetsTheFailureCount() {
    EndpointGroup group = Groups.group(Groups.endpoints(2), Groups.outlierOnly(Balancing.ROUND_ROBIN), ticker,
        recorder);
    EndpointState e0 = group.states().get(0);
    failOn(group, e0, 2);
    acquireOn(group, e0).onSuccess(1);
    failOn(group, e0, 2);
    assertThat(e0.ejected()).isFalse();
  }

  @Test
  void backoffStartsOverAfterAQuietPeriod() {
    EndpointGroup group = Groups.group(Groups.endpoints(4), Groups.outlierOnly(Balancing.ROUND_ROBIN), ticker,
        recorder);
    EndpointState e0 = group.states().get(0);
    failOn(group, e0, 3);
    ticker.advance(Duration.ofSeconds(10));
    group.inPanic();
    ticker.advance(Duration.ofSeconds(41));
    failOn(group, e0, 3);
    assertThat(events).containsExactly("ejected e0 10s", "restored e0", "ejected e0 10s");
  }

  @Test
  void neverEjectsMoreThanMaxEjectedPercent() {
    EndpointGroup group = Groups.group(Groups.endpoints(4), Groups.outlierOnly(Balancing.ROUND_ROBIN), ticker,
        recorder);
    for (EndpointState s : group.states()) {
      failOn(group, s, 3);
    }
    assertThat(group.states()).filteredOn(EndpointState::ejected).hasSize(2);
    assertThat(group.inPanic()).isFalse();
    assertThat(pickedHosts(group, 20)).containsOnly("e2", "e3");
  }

  @Test
  void unhealthyBeyondTheShareIsPanicModeAndRoutesToAll() {
    EndpointGroup group = Groups.group(4, Balancing.ROUND_ROBIN, ticker);
    List<EndpointState> s = group.states();
    group.setHealthy(s.get(0).endpoint(), false);
    group.setHealthy(s.get(1).endpoint(), false);
    assertThat(group.inPanic()).isFalse();
    assertThat(pickedHosts(group, 20)).containsOnly("e2", "e3");
    group.setHealthy(s.get(2).endpoint(), false);
    assertThat(group.inPanic()).isTrue();
    assertThat(pickedHosts(group, 20)).containsOnly("e0", "e1", "e2", "e3");
    group.setHealthy(s.get(2).endpoint(), true);
    assertThat(group.inPanic()).isFalse();
  }

  @Test
  void healthChecksSeeingAnEjectedEndpointHealthyAgainEndItsEjection() {
    EndpointGroup group = Groups.group(Groups.endpoints(4), Groups.outlierOnly(Balancing.ROUND_ROBIN), ticker,
        recorder);
    EndpointState target = group.states().get(0);
    failOn(group, target, 3);
    assertThat(target.ejected()).isTrue();
    group.setHealthy(target.endpoint(), false);
    ticker.advance(Duration.ofSeconds(2));

    group.setHealthy(target.endpoint(), true);

    assertThat(target.ejected()).isFalse();
    assertThat(events).containsExactly("ejected e0 10s", "restored e0");
  }

  @Test
  void panicDoesNotOverrideOpenBreakersOrCooldowns() {
    EndpointGroup group = Groups.group(2, Balancing.ROUND_ROBIN, ticker);
    for (EndpointState s : group.states()) {
      group.setHealthy(s.endpoint(), false);
      s.coolDownUntil(ticker.nanoTime(), ticker.nanoTime() + Duration.ofSeconds(5).toNanos());
    }
    assertThat(group.inPanic()).isTrue();
    assertThat(group.acquire()).isNull();
    ticker.advance(Duration.ofSeconds(5));
    assertThat(group.acquire()).isNotNull();
  }

  /** {@code n} failed attempts on {@code target}, whichever the picker offers in between. */
  static void failOn(EndpointGroup group, EndpointState target, int n) {
    for (int i = 0; i < n; i++) {
      acquireOn(group, target).onFailure(AttemptOutcome.CONNECT_FAILED, 1);
    }
  }

  /**
   * An attempt on {@code target}. Attempts the picker offers on other endpoints are held until then (so a
   * load-aware picker comes round to the target) and cancelled afterwards.
   */
  static EndpointAttempt acquireOn(EndpointGroup group, EndpointState target) {
    List<EndpointAttempt> others = new ArrayList<>();
    try {
      for (int i = 0; i < 1000; i++) {
        EndpointAttempt a = group.acquire();
        if (a == null) {
          break;
        }
        if (a.endpoint() == target.endpoint()) {
          return a;
        }
        others.add(a);
      }
    } finally {
      others.forEach(EndpointAttempt::onCancelled);
    }
    throw new AssertionError(target + " never picked");
  }

  static List<String> pickedHosts(EndpointGroup group, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      EndpointAttempt a = group.acquire();
      out.add(a.endpoint().address().host());
      a.onCancelled();
    }
    return out;
  }
}
