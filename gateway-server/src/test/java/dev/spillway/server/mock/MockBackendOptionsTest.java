package dev.spillway.server.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MockBackendOptionsTest {
  @Test
  void defaults() {
    MockBackendOptions o = MockBackendOptions.defaults();
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isZero();
    assertThat(o.latency()).isEqualTo(Duration.ofMillis(50));
    assertThat(o.capacity()).isEqualTo(64);
    assertThat(o.maxQueue()).isEqualTo(256);
    assertThat(o.tokensPerSecond()).isZero();
    assertThat(o.defaultCompletionTokens()).isEqualTo(16);
    assertThat(o.ioThreads()).isEqualTo(1);
    assertThat(o.latencyJitter()).isZero();
    assertThat(o.seed()).isEqualTo(1);
  }

  @Test
  void withersChangeOneField() {
    MockBackendOptions o = MockBackendOptions.defaults().withPort(8000).withLatency(Duration.ofSeconds(2))
        .withCapacity(4).withMaxQueue(0).withTokensPerSecond(20).withLatencyJitter(0.5).withSeed(7);
    assertThat(o).isEqualTo(new MockBackendOptions("127.0.0.1", 8000, Duration.ofSeconds(2), 4, 0, 20, 16, 1, 0.5,
        7));
  }

  @Test
  void rejectsInvalidValuesWithTheHouseMessage() {
    assertThatThrownBy(() -> MockBackendOptions.defaults().withCapacity(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("capacity: 0 (expected: > 0)");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withMaxQueue(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxQueue: -1 (expected: >= 0)");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withLatency(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("latency: ");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withTokensPerSecond(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tokensPerSecond: NaN");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withPort(70000))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("port: 70000 (expected: 0..65535)");
  }

  @Test
  void latencyJitterIsAFractionBelowOne() {
    assertThat(MockBackendOptions.defaults().withLatencyJitter(0.99).latencyJitter()).isEqualTo(0.99);
    assertThatThrownBy(() -> MockBackendOptions.defaults().withLatencyJitter(1.5))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyJitter: 1.5 (expected: >= 0 and < 1)");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withLatencyJitter(1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyJitter: 1.0 (expected: >= 0 and < 1)");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withLatencyJitter(-0.1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyJitter: -0.1 (expected: >= 0 and < 1)");
    assertThatThrownBy(() -> MockBackendOptions.defaults().withLatencyJitter(Double.NaN))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("latencyJitter: NaN (expected: >= 0 and < 1)");
  }
}
