package dev.spillway.core.upstream.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.time.FakeTicker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BalancingTest {
  private final FakeTicker ticker = new FakeTicker();

  @Test
  void powerOfTwoPrefersTheLessLoaded() {
    EndpointGroup group = Groups.group(2, Balancing.POWER_OF_TWO_CHOICES, ticker);
    EndpointState e0 = group.states().get(0);
    List<EndpointAttempt> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(OutlierTest.acquireOn(group, e0));
    }
    for (int i = 0; i < 100; i++) {
      EndpointAttempt a = group.acquire();
      assertThat(a.endpoint()).isEqualTo(group.states().get(1).endpoint());
      a.onCancelled();
    }
    held.forEach(EndpointAttempt::onCancelled);
  }

  @Test
  void powerOfTwoKeepsLoadBalancedUnderSkew() {
    EndpointGroup group = Groups.group(8, Balancing.POWER_OF_TWO_CHOICES, ticker);
    Random random = new Random(3);
    List<EndpointAttempt> inFlight = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      inFlight.add(group.acquire());
      if (inFlight.size() > 80) {
        inFlight.remove(random.nextInt(inFlight.size())).onSuccess(1);
      }
      int max = group.states().stream().mapToInt(EndpointState::outstanding).max().orElseThrow();
      int min = group.states().stream().mapToInt(EndpointState::outstanding).min().orElseThrow();
      assertThat(max - min).as("spread of in-flight counts").isLessThanOrEqualTo(12);
    }
    inFlight.forEach(a -> a.onSuccess(1));
  }

  @Test
  void headroomBreaksTies() {
    EndpointGroup group = Groups.group(2, Balancing.POWER_OF_TWO_CHOICES, ticker);
    OutlierTest.acquireOn(group, group.states().get(0)).onResponseHeaders(200,
        CooldownTest.headers("x-ratelimit-remaining-requests", "2"));
    OutlierTest.acquireOn(group, group.states().get(1)).onResponseHeaders(200,
        CooldownTest.headers("x-ratelimit-remaining-requests", "900"));
    group.states().forEach(s -> assertThat(s.outstanding()).isEqualTo(1));
    for (int i = 0; i < 50; i++) {
      EndpointAttempt a = group.acquire();
      assertThat(a.endpoint()).isEqualTo(group.states().get(1).endpoint());
      a.onCancelled();
    }
  }

  @ParameterizedTest
  @EnumSource(Balancing.class)
  void neverPicksUnavailableEndpoints(Balancing balancing) {
    List<EndpointConfig> endpoints = Groups.endpoints(8);
    endpoints.set(7, new EndpointConfig(new EndpointAddress("e7", 8000), 1, 2));
    EndpointGroup group = Groups.group(endpoints, Groups.config(balancing, 50), ticker,
        EndpointEventListener.NOOP);
    List<EndpointState> s = group.states();
    group.setHealthy(s.get(0).endpoint(), false);
    OutlierTest.failOn(group, s.get(1), 3);
    s.get(2).coolDownUntil(ticker.nanoTime(), ticker.nanoTime() + 1_000_000_000L);
    s.get(3).breaker().transitionToOpenState();
    assertThat(s.get(1).ejected()).isTrue();
    assertThat(s.get(3).breakerState().name()).isEqualTo("OPEN");
    List<EndpointAttempt> held = new ArrayList<>();
    held.add(OutlierTest.acquireOn(group, s.get(7)));
    held.add(OutlierTest.acquireOn(group, s.get(7)));
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 2000; i++) {
      EndpointAttempt a = group.acquire();
      picks.merge(a.endpoint().address().host(), 1, Integer::sum);
      a.onSuccess(1);
    }
    assertThat(picks.keySet()).containsExactlyInAnyOrder("e4", "e5", "e6");
    held.forEach(EndpointAttempt::onCancelled);
  }

  @ParameterizedTest
  @EnumSource(Balancing.class)
  void allUnavailableIsNull(Balancing balancing) {
    EndpointGroup group = Groups.group(3, balancing, ticker);
    for (EndpointState s : group.states()) {
      s.coolDownUntil(ticker.nanoTime(), ticker.nanoTime() + 1_000_000_000L);
    }
    assertThat(group.acquire()).isNull();
    assertThat(group.select()).isNull();
  }

  @ParameterizedTest
  @EnumSource(Balancing.class)
  void cappedEndpointAtItsCapIsSkipped(Balancing balancing) {
    List<EndpointConfig> endpoints = List.of(
        new EndpointConfig(new EndpointAddress("e0", 8000), 1, 3),
        new EndpointConfig(new EndpointAddress("e1", 8000), 1, 1));
    EndpointGroup group = Groups.group(endpoints, Groups.config(balancing, 50), ticker,
        EndpointEventListener.NOOP);
    List<EndpointAttempt> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      held.add(group.acquire());
    }
    assertThat(group.acquire()).isNull();
    assertThat(group.states().get(0).outstanding()).isEqualTo(3);
    assertThat(group.states().get(1).outstanding()).isEqualTo(1);
    held.get(0).onSuccess(1);
    EndpointAttempt again = group.acquire();
    assertThat(again.endpoint()).isEqualTo(held.get(0).endpoint());
  }

  @Test
  void weightedSharesFollowWeights() {
    int[] weights = {5, 3, 1, 1};
    List<EndpointConfig> endpoints = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      endpoints.add(new EndpointConfig(new EndpointAddress("e" + i, 8000), weights[i], 0));
    }
    EndpointGroup group = Groups.group(endpoints, Groups.config(Balancing.WEIGHTED, 50), ticker,
        EndpointEventListener.NOOP);
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 10_000; i++) {
      EndpointAttempt a = group.acquire();
      picks.merge(a.endpoint().address().host(), 1, Integer::sum);
      a.onSuccess(1);
    }
    assertThat(picks).containsEntry("e0", 5000).containsEntry("e1", 3000).containsEntry("e2", 1000)
        .containsEntry("e3", 1000);
  }

  @Test
  void weightedIsSmoothNotBursty() {
    List<EndpointConfig> endpoints = List.of(
        new EndpointConfig(new EndpointAddress("a", 80), 5, 0),
        new EndpointConfig(new EndpointAddress("b", 80), 1, 0),
        new EndpointConfig(new EndpointAddress("c", 80), 1, 0));
    EndpointGroup group = Groups.group(endpoints, Groups.config(Balancing.WEIGHTED, 50), ticker,
        EndpointEventListener.NOOP);
    StringBuilder order = new StringBuilder();
    for (int i = 0; i < 7; i++) {
      EndpointAttempt a = group.acquire();
      order.append(a.endpoint().address().host());
      a.onSuccess(1);
    }
    assertThat(order).hasToString("aabacaa");
  }

  @Test
  void weightedProportionsHoldWhileOneIsOut() {
    int[] weights = {4, 2, 1};
    List<EndpointConfig> endpoints = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      endpoints.add(new EndpointConfig(new EndpointAddress("e" + i, 8000), weights[i], 0));
    }
    EndpointGroup group = Groups.group(endpoints, Groups.config(Balancing.WEIGHTED, 50), ticker,
        EndpointEventListener.NOOP);
    group.setHealthy(group.states().get(0).endpoint(), false);
    Map<String, Integer> picks = new HashMap<>();
    for (int i = 0; i < 3000; i++) {
      EndpointAttempt a = group.acquire();
      picks.merge(a.endpoint().address().host(), 1, Integer::sum);
      a.onSuccess(1);
    }
    assertThat(picks).containsOnlyKeys("e1", "e2").containsEntry("e1", 2000).containsEntry("e2", 1000);
  }

  @Test
  void roundRobinRotates() {
    EndpointGroup group = Groups.group(3, Balancing.ROUND_ROBIN, ticker);
    assertThat(OutlierTest.pickedHosts(group, 6)).containsExactly("e0", "e1", "e2", "e0", "e1", "e2");
  }
}
