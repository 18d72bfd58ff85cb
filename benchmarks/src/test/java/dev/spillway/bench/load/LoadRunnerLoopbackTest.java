package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.time.Ticker;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The generator against the mock backend over loopback: what it records per request, and giving up on a run. */
class LoadRunnerLoopbackTest {
  @Test
  void recordsTokensAndFirstTokensOfStreamsAndJsonAnswers() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(20)));
    try (LoadClient client = new LoadClient(1, 100, Ticker.system())) {
      RequestMix mix = RequestMix.of(new RequestMix.Kind("chat", 1, 0.5, Lengths.fixed(20), Lengths.uniform(5, 9)),
          new Zipf(10, 1), 3);
      LoadResult r = new LoadRunner(client, Ticker.system()).runAbandoning(new Target("mock", backend.port()), mix,
          Schedule.constant(40, Duration.ofMillis(500), Arrivals.poisson(1)), Duration.ofSeconds(5),
          Duration.ofSeconds(5), origin -> { });
      List<LoadResult.Record> records = r.records();
      assertThat(records).hasSize((int) r.sentCount()).isNotEmpty();
      for (LoadResult.Record rec : records) {
        assertThat(rec.ok()).isTrue();
        assertThat(rec.tokens()).isBetween(5, 9);
        assertThat(rec.firstTokenNanos()).isBetween(rec.intendedNanos(), rec.endNanos());
      }
      assertThat(records).anyMatch(LoadResult.Record::stream).anyMatch(rec -> !rec.stream());
      assertThat(r.okTokens()).isEqualTo(records.stream().mapToLong(LoadResult.Record::tokens).sum());
      assertThat(r.timeToFirstToken().getTotalCount() + r.timeToResponseHead().getTotalCount())
          .isEqualTo(records.size());
    } finally {
      backend.close();
    }
  }

  @Test
  void givesUpOnAnswersLongerThanTheDrainAndKeepsTheirFirstTokens() throws Exception {
    // First token after 20 ms, then one token every 10 s: nothing completes within the drain.
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withLatency(Duration.ofMillis(20))
        .withTokensPerSecond(0.1));
    try (LoadClient client = new LoadClient(1, 100, Ticker.system())) {
      RequestMix mix = RequestMix.of(new RequestMix.Kind("chat", 1, 1.0, Lengths.fixed(20), Lengths.fixed(5)),
          new Zipf(10, 1), 3);
      LoadResult r = new LoadRunner(client, Ticker.system()).runAbandoning(new Target("mock", backend.port()), mix,
          Schedule.constant(20, Duration.ofMillis(200)), Duration.ofSeconds(30), Duration.ofMillis(500),
          origin -> { });
      assertThat(r.abandonedCount()).isEqualTo(r.sentCount()).isPositive();
      assertThat(r.errorCount()).isZero();
      assertThat(r.records()).allSatisfy(rec -> {
        assertThat(rec.status()).isEqualTo(LoadResult.ABANDONED);
        assertThat(rec.stream()).isTrue();
        assertThat(rec.firstTokenNanos()).isGreaterThanOrEqualTo(rec.intendedNanos());
      });
    } finally {
      backend.close();
    }
  }
}
