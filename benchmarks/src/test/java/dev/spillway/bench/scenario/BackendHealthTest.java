package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackendHealthTest {
  @Test
  void addsInFlightAndQueued() {
    assertThat(BackendHealth.busy("{\"status\":\"ok\",\"inFlight\":3,\"queued\": 12}")).isEqualTo(15);
    assertThat(BackendHealth.busy("{\"status\":\"ok\"}")).isEqualTo(-1);
  }

  @Test
  void anIdleMockBackendIsIdleAndAMissingOneUnreadable() throws Exception {
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults());
    try {
      assertThat(BackendHealth.awaitIdle(backend.port(), Duration.ofSeconds(5))).isZero();
    } finally {
      backend.close();
    }
    assertThat(BackendHealth.busy(Proc.freePort())).isEqualTo(-1);
  }
}
