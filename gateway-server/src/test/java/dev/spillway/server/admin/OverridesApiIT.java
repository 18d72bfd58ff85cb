package dev.spillway.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The incident controls through the admin API, against a real gateway and mock backend: each applied and
 * removed, its effect on traffic, the audit log, the status JSON, {@code /overrides} and the incident it opens.
 */
class OverridesApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static MockBackend backend;
  private final ListAppender<ILoggingEvent> auditLog = new ListAppender<>();

  @BeforeAll
  static void startBackend() throws InterruptedException {
    backend = MockBackend.start(MockBackendOptions.defaults());
  }

  @AfterAll
  static void stopBackend() {
    backend.close();
  }

  @BeforeEach
  void captureAudit() {
    auditLog.start();
    ((Logger) LoggerFactory.getLogger(OverridesApi.AUDIT_LOGGER)).addAppender(auditLog);
  }

  @AfterEach
  void releaseAudit() {
    ((Logger) LoggerFactory.getLogger(OverridesApi.AUDIT_LOGGER)).detachAppender(auditLog);
  }

  private static HttpResponse<String> send(MonitoringFixture f, String method, String path, String body)
      throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.admin.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + MonitoringFixture.TOKEN)
        .header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    return f.client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private List<String> auditLines() {
    return auditLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void maintenanceIsAppliedShownAuditedAndRemoved() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      HttpResponse<String> put = send(f, "PUT", "/overrides/routes/chat/maintenance",
          "{\"message\":\"Planned upgrade until 14:00 UTC\",\"retryAfterSeconds\":120}");
      assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
      JsonNode applied = JSON.readTree(put.body()).get("applied");
      assertThat(applied.get("kind").asText()).isEqualTo("maintenance");
      assertThat(applied.get("by").asText()).startsWith("admin-token@127.0.0.1:");

      HttpResponse<String> chat = f.chat();
      assertThat(chat.statusCode()).isEqualTo(503);
      assertThat(chat.headers().firstValue("retry-after")).hasValue("120");
      assertThat(chat.headers().firstValue("x-spillway-shed-reason")).hasValue("maintenance");
      assertThat(JSON.readTree(chat.body()).at("/error/message").asText()).isEqualTo("Planned upgrade until 14:00 UTC");

      f.seconds(1);
      JsonNode status = JSON.readTree(f.admin("/status", true).body());
      assertThat(status.at("/overrides/0/target").asText()).isEqualTo("chat");
      assertThat(status.at("/overrides/0/settings/retryAfterSeconds").asInt()).isEqualTo(120);
      assertThat(JSON.readTree(f.admin("/api/dashboard", true).body()).at("/overrides/0/kind").asText())
          .isEqualTo("maintenance");
      assertThat(JSON.readTree(f.admin("/overrides", true).body()).toString()).contains("maintenance");
      // /config stays the file `validate` accepts: no runtime state in it.
      assertThat(JSON.readTree(f.admin("/config", true).body()).has("overrides")).isFalse();
      JsonNode incidents = JSON.readTree(f.admin("/incidents", true).body());
      assertThat(incidents.toString()).contains("operator override on maintenance chat");
      assertThat(auditLines()).singleElement().asString()
          .startsWith("override applied: maintenance chat {message=Planned upgrade until 14:00 UTC, "
              + "retryAfterSeconds=120} by admin-token@127.0.0.1:");

      HttpResponse<String> delete = send(f, "DELETE", "/overrides/routes/chat/maintenance", null);
      assertThat(delete.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(delete.body()).at("/removed/kind").asText()).isEqualTo("maintenance");
      assertThat(f.chat().statusCode()).isEqualTo(200);
      assertThat(auditLines()).hasSize(2).last().asString().startsWith("override removed: maintenance chat");
      assertThat(JSON.readTree(f.admin("/status", true).body()).get("overrides")).isEmpty();
      assertThat(send(f, "DELETE", "/overrides/routes/chat/maintenance", null).statusCode())
          .as("nothing left to remove").isEqualTo(404);
      // The maintenance answers count as shedding for a window; then every condition has ended.
      f.seconds(2 + (int) (MonitoringFixture.WINDOW.toSeconds() + MonitoringFixture.RESOLVE_AFTER.toSeconds()));
      assertThat(JSON.readTree(f.admin("/status", true).body()).get("openIncidents").asInt()).isZero();
    }
  }

  @Test
  void shedAPriorityClassAnswersTheUsualAtCapacityReplyCountedAsOperator() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      assertThat(send(f, "PUT", "/overrides/shed", "{\"priority\":\"standard\",\"percent\":100}").statusCode())
          .isEqualTo(200);
      HttpResponse<String> chat = f.chat();
      assertThat(chat.statusCode()).isEqualTo(503);
      assertThat(chat.headers().firstValue("x-spillway-shed-reason")).hasValue("operator");
      assertThat(chat.body()).contains("\"type\":\"server_error\"");
      f.awaitRecords(1);
      assertThat(f.admin("/metrics", true).body()).containsPattern(
          "spillway_requests_total\\{[^}]*outcome=\"shed\"[^}]*reason=\"operator\"[^}]*} 1\\.0");
      assertThat(send(f, "DELETE", "/overrides/shed/priority/standard", null).statusCode()).isEqualTo(200);
      assertThat(f.chat().statusCode()).isEqualTo(200);
      assertThat(auditLines()).hasSize(2);
    }
  }

  @Test
  void pinsTheBackendLimitAndGivesItBack() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, ConcurrencyConfig.fixed(4), null)) {
      assertThat(send(f, "PUT", "/overrides/backends/b/concurrency", "{\"pin\":1}").statusCode()).isEqualTo(200);
      f.seconds(1);
      assertThat(JSON.readTree(f.admin("/status", true).body()).at("/backends/0/limit").asInt()).isEqualTo(1);
      assertThat(f.gateway.router().routes().get(0).backend().admission().limit()).isEqualTo(1);
      assertThat(send(f, "PUT", "/overrides/backends/b/concurrency", "{\"max\":2}").statusCode()).isEqualTo(200);
      assertThat(f.gateway.router().routes().get(0).backend().admission().limit()).isEqualTo(2);
      assertThat(f.chat().statusCode()).isEqualTo(200);
      assertThat(send(f, "DELETE", "/overrides/backends/b/concurrency", null).statusCode()).isEqualTo(200);
      assertThat(f.gateway.router().routes().get(0).backend().admission().limit()).isEqualTo(4);
    }
  }

  @Test
  void drainingTheOnlyEndpointLeavesNothingToPickUntilRestored() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      String endpoint = "/overrides/endpoints/127.0.0.1:" + backend.port();
      assertThat(send(f, "PUT", endpoint, "{\"state\":\"drained\"}").statusCode()).isEqualTo(200);
      assertThat(f.chat().statusCode()).isEqualTo(503);
      JsonNode list = JSON.readTree(send(f, "GET", "/overrides", null).body()).get("overrides");
      assertThat(list).hasSize(1);
      assertThat(list.get(0).get("kind").asText()).isEqualTo("endpoint_drain");
      assertThat(send(f, "DELETE", endpoint, null).statusCode()).isEqualTo(200);
      assertThat(f.chat().statusCode()).isEqualTo(200);
    }
  }

  @Test
  void refusesBadRequestsNamingTheFieldAndUnknownNamesWith404() throws Exception {
    try (MonitoringFixture f = new MonitoringFixture(backend, null, null)) {
      HttpResponse<String> bad = send(f, "PUT", "/overrides/shed", "{\"priority\":\"sheddable\",\"percent\":150}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).at("/error/param").asText()).isEqualTo("percent");
      assertThat(JSON.readTree(send(f, "PUT", "/overrides/shed", "{\"priority\":\"sheddable\",\"percent\":5,"
          + "\"extra\":1}").body()).at("/error/param").asText()).isEqualTo("extra");
      assertThat(send(f, "PUT", "/overrides/shed", "not json").statusCode()).isEqualTo(400);
      assertThat(send(f, "PUT", "/overrides/backends/b/concurrency", "{\"pin\":2}").statusCode())
          .as("backend b has no concurrency limit").isEqualTo(409);
      HttpResponse<String> unknown = send(f, "PUT", "/overrides/backends/nope/concurrency", "{\"pin\":2}");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(JSON.readTree(unknown.body()).at("/error/param").asText()).isEqualTo("backend");
      assertThat(send(f, "PUT", "/overrides/routes/nope/maintenance", "{\"message\":\"x\"}").statusCode())
          .isEqualTo(404);
      assertThat(send(f, "PUT", "/overrides/endpoints/10.9.9.9:1", "{\"state\":\"drained\"}").statusCode())
          .isEqualTo(404);
      assertThat(send(f, "POST", "/overrides/shed", "{}").statusCode()).isEqualTo(405);
      HttpResponse<String> anonymous = f.client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + f.admin.port() + "/overrides/shed")).PUT(HttpRequest.BodyPublishers.ofString(
              "{\"priority\":\"standard\",\"percent\":100}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(JSON.readTree(send(f, "GET", "/overrides", null).body()).get("overrides")).isEmpty();
      assertThat(auditLines()).isEmpty();
      assertThat(f.chat().statusCode()).isEqualTo(200);
    }
  }
}
