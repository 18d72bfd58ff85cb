package dev.spillway.bench.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** What the cluster scenario asks the mock backend and the gateways' admin servers. */
final class ClusterProbe {
  private static final String OPERATIONS = "spillway_limiter_store_operations_seconds_count";
  private static final String FALLBACKS = "spillway_limiter_store_fallback_decisions_total";
  private static final String TIMEOUTS = "spillway_limiter_store_timeouts_total";
  private static final String ERRORS = "spillway_limiter_store_errors_total";
  private static final String UP = "spillway_limiter_store_state{state=\"up\"}";

  private ClusterProbe() {}

  /** The limiter store's counters of one gateway (or a sum, or a difference). */
  record Counters(double operations, double fallbacks, double timeouts, double errors) {
    static final Counters ZERO = new Counters(0, 0, 0, 0);

    Counters plus(Counters o) {
      return new Counters(operations + o.operations, fallbacks + o.fallbacks, timeouts + o.timeouts,
          errors + o.errors);
    }

    Counters minus(Counters o) {
      return new Counters(operations - o.operations, fallbacks - o.fallbacks, timeouts - o.timeouts,
          errors - o.errors);
    }
  }

  /** The usage total (prompt plus completion) the mock reports for the scenario's request: what a token limit counts. */
  static long totalTokens(int mockPort, int promptTokens, int maxTokens) throws IOException, InterruptedException {
    String body = "{\"model\":\"mock-gpt\",\"max_tokens\":" + maxTokens + ",\"messages\":[{\"role\":\"user\","
        + "\"content\":\"" + "x".repeat(promptTokens * 4) + "\"}]}";
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + mockPort + "/v1/chat/completions"))
        .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode usage = new ObjectMapper().readTree(response.body()).path("usage");
    if (!usage.has("total_tokens")) {
      throw new IOException("the mock's answer has no usage.total_tokens: " + response.body());
    }
    return usage.get("total_tokens").asLong();
  }

  /** Waits until the gateway's limiter store is connected to Redis; fails after {@code timeout}. */
  static void awaitStoreUp(int adminPort, Duration timeout) throws IOException {
    MetricsScraper scraper = new MetricsScraper(adminPort, "/metrics", List.of(UP));
    long deadline = System.nanoTime() + timeout.toNanos();
    try (scraper) {
      while (System.nanoTime() - deadline < 0) {
        if (scraper.scrapeOnce().get(UP) == 1.0) {
          return;
        }
        ChildProcess.sleep(50);
      }
    }
    throw new IOException("the gateway with admin port " + adminPort + " did not connect to Redis within "
        + timeout.toSeconds() + " s");
  }

  static Counters counters(int adminPort) {
    try (MetricsScraper scraper = new MetricsScraper(adminPort, "/metrics",
        List.of(OPERATIONS, FALLBACKS, TIMEOUTS, ERRORS))) {
      Map<String, Double> v = scraper.scrapeOnce();
      return new Counters(orZero(v.get(OPERATIONS)), orZero(v.get(FALLBACKS)), orZero(v.get(TIMEOUTS)),
          orZero(v.get(ERRORS)));
    }
  }

  private static double orZero(Double v) {
    return v == null || v.isNaN() ? 0 : v;
  }
}
