package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CapacityBackendTest {
  @Test
  void theFixedMockTakesOneLatencyAndStreamsHalfByDefault() {
    CapacityBackend b = CapacityBackend.fixed(64, Duration.ofMillis(500), 1024);

    assertThat(b.options()).doesNotContain("--latency-jitter");
    assertThat(b.mixOptions()).doesNotContain("--latency-jitter");
    assertThat(b.mixShort().streamFraction()).isEqualTo(0.5);
    assertThat(b.mix().kinds()).singleElement().isEqualTo(b.mixShort());
    assertThat(b.label()).isEqualTo("fixed mock: 64 slots × 500 ms, queue 1024");
  }

  @Test
  void jitterGoesToEveryFixedMockAndTheStreamShareToItsRequests() {
    CapacityBackend b = CapacityBackend.fixed(64, Duration.ofMillis(500), 1024, 0.5, 0.2);

    assertThat(b.options()).containsSubsequence("--latency-jitter", "0.5").contains("--tokens-per-second", "0");
    assertThat(b.mixOptions()).containsSubsequence("--latency-jitter", "0.5").contains("--tokens-per-second", "50");
    assertThat(b.mix().kinds()).singleElement().extracting(k -> k.streamFraction()).isEqualTo(0.2);
    assertThat(b.mixShort().streamFraction()).isEqualTo(0.2);
    assertThat(b.label()).isEqualTo("fixed mock: 64 slots × 500 ms ± 50.0 %, queue 1024");
    // The mean latency, and so the capacity, is the nominal one; the timeout covers the longest latency.
    assertThat(b.modelRate()).isEqualTo(128);
    assertThat(b.timeout()).isGreaterThanOrEqualTo(CapacityBackend.fixed(64, Duration.ofMillis(500), 1024).timeout());
  }
}
