package dev.spillway.server.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.LongSummaryStatistics;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class JitteredLatencyTest {
  private static final long MILLI = 1_000_000;

  private static LongSummaryStatistics draws(double jitter, int n) {
    JitteredLatency latency = new JitteredLatency(Duration.ofMillis(50), jitter, 1);
    return LongStream.range(0, n).map(i -> latency.nextNanos()).summaryStatistics();
  }

  @Test
  void withoutJitterEveryDrawIsTheLatency() {
    LongSummaryStatistics d = draws(0, 1000);
    assertThat(d.getMin()).isEqualTo(50 * MILLI);
    assertThat(d.getMax()).isEqualTo(50 * MILLI);
  }

  @Test
  void drawsAreUniformWithinTheFractionAroundTheLatency() {
    // 0.5 with 50 ms: 25 to 75 ms, centred on 50 ms, so the mean latency (and the fixed mock's rate) stays.
    LongSummaryStatistics d = draws(0.5, 10_000);
    assertThat(d.getMin()).isBetween(25 * MILLI, 26 * MILLI);
    assertThat(d.getMax()).isBetween(74 * MILLI, 75 * MILLI);
    assertThat(d.getAverage()).isCloseTo(50.0 * MILLI, within(1.0 * MILLI));
  }
}
