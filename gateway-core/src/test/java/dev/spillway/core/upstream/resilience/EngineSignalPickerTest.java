package dev.spillway.core.upstream.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.engine.EngineSignals;
import dev.spillway.core.upstream.engine.SignalFixtures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineSignalPickerTest {
  private final FakeTicker ticker = new FakeTicker();
  private final EndpointGroup group = Groups.group(3, Balancing.ROUND_ROBIN, ticker);
  private final EngineSignals signals = new EngineSignals(group.endpoints(), EngineSignalConfig.of(EnginePreset.VLLM),
      ticker);

  {
    group.preferEngineSignals(signals);
  }

  private Endpoint endpoint(int i) {
    return group.states().get(i).endpoint();
  }

  private Endpoint pickAndRelease() {
    EndpointAttempt a = group.acquire();
    a.onCancelled();
    return a.endpoint();
  }

  @Test
  void prefersTheEngineWithTheFewestWaiting() {
    SignalFixtures.record(signals, 0, 10, 5, 0.2);
    SignalFixtures.record(signals, 1, 10, 1, 0.9);
    SignalFixtures.record(signals, 2, 10, 3, 0.1);

    for (int i = 0; i < 20; i++) {
      assertThat(pickAndRelease()).isEqualTo(endpoint(1));
    }
  }

  @Test
  void onEqualQueuesTheEmptierKvCacheWins() {
    SignalFixtures.record(signals, 0, 10, 0, 0.70);
    SignalFixtures.record(signals, 1, 10, 0, 0.30);
    SignalFixtures.record(signals, 2, 10, 2, 0.00);

    assertThat(pickAndRelease()).isEqualTo(endpoint(1));
  }

  @Test
  void withinTheKvBandRequestsSpreadByWhatIsInFlight() {
    SignalFixtures.record(signals, 0, 10, 0, 0.50);
    SignalFixtures.record(signals, 1, 10, 0, 0.52);
    SignalFixtures.record(signals, 2, 10, 4, 0.00);
    List<EndpointAttempt> held = new ArrayList<>();
    Map<Endpoint, Integer> counts = new HashMap<>();

    for (int i = 0; i < 10; i++) {
      EndpointAttempt a = group.acquire();
      held.add(a);
      counts.merge(a.endpoint(), 1, Integer::sum);
    }

    assertThat(counts).containsOnlyKeys(endpoint(0), endpoint(1));
    assertThat(counts.get(endpoint(0))).isEqualTo(5);
    held.forEach(EndpointAttempt::onCancelled);
  }

  @Test
  void staleMetricsFallBackToTheConfiguredBalancing() {
    SignalFixtures.record(signals, 0, 10, 0, 0.0);
    SignalFixtures.record(signals, 1, 10, 9, 0.9);
    SignalFixtures.record(signals, 2, 10, 9, 0.9);
    ticker.advance(Duration.ofMillis(1501)); // staleAfter: 3 x 500ms

    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      counts.merge(pickAndRelease(), 1, Integer::sum);
    }

    assertThat(counts).containsValues(10, 10, 10);
  }

  @Test
  void oneEndpointWithoutMetricsMeansTheConfiguredBalancing() {
    SignalFixtures.record(signals, 0, 10, 0, 0.0);
    SignalFixtures.record(signals, 1, 10, 9, 0.9);
    SignalFixtures.fail(signals, 2, "connect failed");

    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < 30; i++) {
      counts.merge(pickAndRelease(), 1, Integer::sum);
    }

    assertThat(counts).hasSize(3);
  }

  @Test
  void theLimitReadsTheMeanWaitingOfFreshEngines() {
    SignalFixtures.record(signals, 0, 10, 2, 0.0);
    SignalFixtures.record(signals, 1, 10, 4, 0.0);
    ticker.advance(Duration.ofMillis(1000));
    SignalFixtures.record(signals, 2, 10, 9, 0.0);

    assertThat(signals.waitingPerEngine(ticker.nanoTime())).isEqualTo(5.0);
    ticker.advance(Duration.ofMillis(1000));
    assertThat(signals.waitingPerEngine(ticker.nanoTime())).isEqualTo(9.0);
    ticker.advance(Duration.ofMillis(1000));
    assertThat(signals.waitingPerEngine(ticker.nanoTime())).isNaN();
  }
}
