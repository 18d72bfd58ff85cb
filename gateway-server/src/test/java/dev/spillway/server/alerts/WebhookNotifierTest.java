package dev.spillway.server.alerts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.spillway.server.config.AlertsConfig;
import dev.spillway.server.status.IncidentImpact;
import dev.spillway.server.status.IncidentPhase;
import dev.spillway.server.status.IncidentView;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook delivery to a local HTTP server: payload, deduplication, retry with backoff, failure counting. */
class WebhookNotifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final IncidentView INCIDENT = new IncidentView(7, "Shedding on route chat",
      "Ongoing for 12s: shedding on route chat, 40 requests shed, peak 9/s", true,
      Instant.parse("2026-01-01T00:00:00Z"), null, 12, List.of("route chat"), List.of());

  private HttpServer server;
  private final ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
  /** How many requests to fail (500) before answering 204. */
  private final AtomicInteger failFirst = new AtomicInteger();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  @BeforeEach
  void startServer() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", exchange -> {
      bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      int status = failFirst.getAndDecrement() > 0 ? 500 : 204;
      exchange.sendResponseHeaders(status, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
    scheduler.shutdownNow();
  }

  private WebhookNotifier notifier(int retries, URI... urls) {
    return new WebhookNotifier(new AlertsConfig(List.of(urls), retries, Duration.ofMillis(5), Duration.ofSeconds(5)),
        HttpClient.newHttpClient(), scheduler);
  }

  private URI hook() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Test
  void postsASlackCompatiblePayload() throws Exception {
    WebhookNotifier notifier = notifier(0, hook());

    notifier.send(INCIDENT, "opened").get(10, TimeUnit.SECONDS);

    assertThat(bodies).hasSize(1);
    JsonNode body = JSON.readTree(bodies.peek());
    assertThat(body.get("text").asText()).contains("incident #7 opened").contains("Shedding on route chat")
        .contains("40 requests shed");
    assertThat(body.get("event").asText()).isEqualTo("incident_opened");
    assertThat(body.get("id").asLong()).isEqualTo(7);
    assertThat(notifier.delivered()).isEqualTo(1);
  }

  @Test
  void anOperatorsPostSaysSoWithItsPhaseAndText() throws Exception {
    WebhookNotifier notifier = notifier(0, hook());
    Instant at = Instant.parse("2026-01-01T00:05:00Z");
    IncidentView.Update first = new IncidentView.Update(at, IncidentPhase.IDENTIFIED, "A bad model rollout.");
    IncidentView updated = new IncidentView(7, INCIDENT.title(), INCIDENT.summary(), true, INCIDENT.startedAt(),
        null, 300, INCIDENT.components(), List.of(), false, IncidentImpact.MAJOR, IncidentPhase.IDENTIFIED,
        List.of(first));

    notifier.send(updated, "updated").get(10, TimeUnit.SECONDS);
    notifier.send(updated, "updated").get(10, TimeUnit.SECONDS); // told twice: sent once
    notifier.send(INCIDENT, "opened").get(10, TimeUnit.SECONDS);

    assertThat(bodies).hasSize(2);
    JsonNode update = JSON.readTree(bodies.stream().filter(b -> b.contains("incident_updated")).findFirst()
        .orElseThrow());
    assertThat(update.get("source").asText()).isEqualTo("operator");
    assertThat(update.at("/update/phase").asText()).isEqualTo("identified");
    assertThat(update.at("/update/text").asText()).isEqualTo("A bad model rollout.");
    assertThat(update.at("/update/at").asText()).isEqualTo("2026-01-01T00:05:00Z");
    assertThat(update.get("text").asText()).contains("incident #7 updated by an operator (identified)")
        .contains("A bad model rollout.");
    JsonNode opened = JSON.readTree(bodies.stream().filter(b -> b.contains("incident_opened")).findFirst()
        .orElseThrow());
    assertThat(opened.get("source").asText()).isEqualTo("automatic");
    assertThat(opened.has("update")).isFalse();

    IncidentView.Update second = new IncidentView.Update(at.plusSeconds(60), IncidentPhase.MONITORING,
        "Rolled back.");
    notifier.send(new IncidentView(7, INCIDENT.title(), INCIDENT.summary(), true, INCIDENT.startedAt(), null, 360,
        INCIDENT.components(), List.of(), false, IncidentImpact.MAJOR, IncidentPhase.MONITORING,
        List.of(first, second)), "updated").get(10, TimeUnit.SECONDS);
    assertThat(bodies).as("each update is its own alert").hasSize(3);
  }

  @Test
  void sendsEachTransitionOnce() throws Exception {
    WebhookNotifier notifier = notifier(0, hook());

    notifier.send(INCIDENT, "opened").get(10, TimeUnit.SECONDS);
    notifier.send(INCIDENT, "opened").get(10, TimeUnit.SECONDS);
    notifier.send(INCIDENT, "resolved").get(10, TimeUnit.SECONDS);

    assertThat(bodies).hasSize(2);
    assertThat(notifier.delivered()).isEqualTo(2);
  }

  @Test
  void retriesWithBackoffUntilDelivered() throws Exception {
    failFirst.set(2);
    WebhookNotifier notifier = notifier(3, hook());

    notifier.send(INCIDENT, "opened").get(10, TimeUnit.SECONDS);

    assertThat(bodies).hasSize(3);
    assertThat(notifier.failedAttempts()).isEqualTo(2);
    assertThat(notifier.delivered()).isEqualTo(1);
    assertThat(notifier.givenUp()).isZero();
  }

  @Test
  void givesUpAfterTheLastRetryAndCountsIt() throws Exception {
    failFirst.set(100);
    int port = server.getAddress().getPort();
    WebhookNotifier notifier = notifier(2, hook(), URI.create("http://127.0.0.1:" + unusedPort(port) + "/gone"));

    notifier.send(INCIDENT, "resolved").get(10, TimeUnit.SECONDS);

    assertThat(bodies).hasSize(3);
    assertThat(notifier.failedAttempts()).isEqualTo(6);
    assertThat(notifier.givenUp()).isEqualTo(2);
    assertThat(notifier.delivered()).isZero();
  }

  /** A port nothing listens on: bound once, then released. */
  private static int unusedPort(int avoid) throws Exception {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort() == avoid ? unusedPort(avoid) : s.getLocalPort();
    }
  }
}
