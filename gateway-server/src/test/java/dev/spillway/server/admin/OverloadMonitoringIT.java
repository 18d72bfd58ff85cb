package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The overload manager on /metrics and /status of a running gateway. */
class OverloadMonitoringIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockBackend backend;

  @BeforeAll
  static void startBackend() throws InterruptedException {
    backend = MockBackend.start(MockBackendOptions.defaults());
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @Test
  void actionsPressuresAndConnectionsAreExportedAndTheComponentIsShown() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      assertThat(f.chat().statusCode()).isEqualTo(200);
      f.awaitRecords(1);
      f.seconds(1);
      String metrics = f.admin("/metrics", true).body();
      for (String action : new String[] {"keep_alive_off", "shorten_timeouts", "stop_accepting"}) {
        assertThat(MonitoringIT.sample(metrics, "spillway_overload_action_active", "action=\"" + action + "\""))
            .isEqualTo(0.0);
      }
      assertThat(MonitoringIT.sample(metrics, "spillway_overload_pressure", "resource=\"heap\""))
          .isGreaterThan(0.0).isLessThan(1.0);
      assertThat(MonitoringIT.sample(metrics, "spillway_overload_pressure", "resource=\"direct_memory\""))
          .isGreaterThanOrEqualTo(0.0).isLessThan(1.0);
      assertThat(metrics).contains("spillway_client_connections ").contains("spillway_overload_rejected_connections_total 0.0")
          .contains("spillway_overload_rejected_requests_total 0.0");
      assertThat(MonitoringIT.sample(metrics, "spillway_component_state", "kind=\"gateway\"", "name=\"overload\""))
          .isEqualTo(0.0);

      JsonNode status = JSON.readTree(f.admin("/status", true).body());
      assertThat(status.at("/gateway/0/name").asText()).isEqualTo("overload");
      assertThat(status.at("/gateway/0/state").asText()).isEqualTo("operational");
      assertThat(status.at("/gateway/0/reason").asText()).contains("heap").contains("connections");
    }
  }
}
