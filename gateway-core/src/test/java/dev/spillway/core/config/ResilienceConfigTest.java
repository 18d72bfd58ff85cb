package dev.spillway.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResilienceConfigTest {

  @Test
  void defaultsAreValid() {
    assertThat(ResilienceConfig.DEFAULTS.balancing()).isEqualTo(Balancing.POWER_OF_TWO_CHOICES);
    assertThat(BreakerConfig.DEFAULTS.minimumCalls()).isEqualTo(BreakerConfig.DEFAULT_MINIMUM_CALLS);
    assertThat(HealthCheckConfig.DEFAULTS.enabled()).isFalse();
    assertThat(OutlierConfig.DEFAULTS.enabled()).isTrue();
  }

  @Test
  void messagesNameTheKeyTheValueAndWhatWasExpected() {
    BreakerConfig b = BreakerConfig.DEFAULTS;
    assertThatThrownBy(() -> new BreakerConfig(true, 0, 100, b.slowCallDuration(), b.windowType(), 100, 20,
        b.waitInOpen(), b.maxWaitInOpen(), 5)).hasMessageContaining("failureRateThreshold")
        .hasMessageContaining("0 (expected: 1..100)");
    assertThatThrownBy(() -> new BreakerConfig(true, 50, 100, b.slowCallDuration(), BreakerConfig.WindowType.COUNT,
        10, 20, b.waitInOpen(), b.maxWaitInOpen(), 5)).hasMessageContaining("minimumCalls")
        .hasMessageContaining("<= windowSize 10");
    assertThatThrownBy(() -> new BreakerConfig(true, 50, 100, b.slowCallDuration(), b.windowType(), 100, 20,
        Duration.ofSeconds(30), Duration.ofSeconds(10), 5)).hasMessageContaining("maxWaitInOpen")
        .hasMessageContaining("10s (expected: >= waitInOpen 30s)");
    assertThatThrownBy(() -> new HealthCheckConfig(true, "health", Duration.ofSeconds(1), 0.1,
        Duration.ofSeconds(1), 1, 1)).hasMessageContaining("path").hasMessageContaining("expected: an origin-form");
    assertThatThrownBy(() -> new HealthCheckConfig(true, "/h", Duration.ofSeconds(1), 1.5, Duration.ofSeconds(1),
        1, 1)).hasMessageContaining("jitter").hasMessageContaining("1.5 (expected: 0..1)");
    assertThatThrownBy(() -> new OutlierConfig(true, 5, Duration.ofSeconds(30), Duration.ofSeconds(10)))
        .hasMessageContaining("maxEjection").hasMessageContaining("expected: >= baseEjection");
    assertThatThrownBy(() -> new EndpointConfig(new EndpointAddress("h", 80), 0, 0))
        .hasMessageContaining("weight").hasMessageContaining("0 (expected: 1..1000000)");
    assertThatThrownBy(() -> new ResilienceConfig(Balancing.WEIGHTED, b, HealthCheckConfig.DEFAULTS,
        OutlierConfig.DEFAULTS, 101, Duration.ofMinutes(1)))
        .hasMessageContaining("maxEjectedPercent").hasMessageContaining("101 (expected: 0..100)");
  }
}
