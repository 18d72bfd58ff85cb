package dev.spillway.server.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.time.FakeTicker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The status page's chart data per component, on fake time. */
class ChartHistoryTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final FakeTicker ticker = new FakeTicker();
  private final ChartHistory charts = new ChartHistory(ticker,
      new WallClock(ticker, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC)));

  /** Percentiles are HdrHistogram values at two significant digits: within 1%. */
  private static ExchangeRecord served(String route, String backend, long millis, long ttftMillis, long tokens) {
    return new ExchangeRecord("r", route, backend, "http://10.0.0.1:8000", null, null, 200, Outcome.PROXIED, null,
        null, 0, 0, millis * 1_000_000L, ttftMillis * 1_000_000L, ttftMillis > 0, 10, tokens, false, -1, 1, 0, null,
        null);
  }

  private static ExchangeRecord shed(String route, String backend, ShedReason reason) {
    return new ExchangeRecord("r", route, backend, null, null, null, reason.isRateLimit() ? 429 : 503, Outcome.SHED,
        reason, null, 0, 0, 1_000L, 0, false, 0, 0, false, -1, 0, 0, null, null);
  }

  private JsonNode json(String id) throws Exception {
    return MAPPER.readTree(charts.json(id));
  }

  @Test
  void countsEachSecondPerComponentWithLatencyTtftAndTokens() throws Exception {
    charts.track("route", "idle");
    charts.record(served("chat", "gpu", 100, 20, 50));
    charts.record(served("chat", "gpu", 300, 40, 70));
    charts.record(served("embed", "cpu", 10, 0, 0));
    charts.record(shed("chat", "gpu", ShedReason.QUEUE_FULL));
    charts.record(shed("chat", null, ShedReason.RATE_LIMITED_REQUESTS));
    charts.sample("gpu", 8, 5, 2);
    charts.sample("gpu", 8, 7, 1);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(charts.tick()).isTrue();
    ticker.advance(Duration.ofSeconds(1));
    charts.tick();

    JsonNode gateway = json("gateway");
    assertThat(gateway.get("components")).extracting(JsonNode::asText)
        .containsExactly("gateway", "route:idle", "route:chat", "backend:gpu", "route:embed", "backend:cpu");
    assertThat(gateway.get("points").asInt()).isEqualTo(2);
    assertThat(gateway.get("start").asDouble()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z").getEpochSecond());
    assertThat(gateway.get("admitted")).extracting(JsonNode::asInt).containsExactly(3, 0);
    assertThat(gateway.get("shed")).extracting(JsonNode::asInt).containsExactly(1, 0);
    assertThat(gateway.get("rateLimited")).extracting(JsonNode::asInt).containsExactly(1, 0);
    assertThat(gateway.has("limit")).as("limits are per backend").isFalse();

    JsonNode chat = json("route:chat");
    assertThat(chat.get("admitted")).extracting(JsonNode::asInt).containsExactly(2, 0);
    assertThat(chat.get("completionTokens")).extracting(JsonNode::asInt).containsExactly(120, 0);
    assertThat(chat.at("/latencyP99Millis/0").asDouble()).isBetween(297.0, 303.0);
    assertThat(chat.at("/ttftP50Millis/0").asDouble()).isBetween(19.8, 20.2);
    assertThat(chat.at("/ttftP99Millis/0").asDouble()).isBetween(39.6, 40.4);
    assertThat(chat.at("/latencyP50Millis/1").isNull()).as("no request, no latency").isTrue();

    JsonNode gpu = json("backend:gpu");
    assertThat(gpu.get("limit")).extracting(JsonNode::asInt).containsExactly(8, 0);
    assertThat(gpu.get("inFlight")).extracting(JsonNode::asInt).containsExactly(7, 0);
    assertThat(gpu.get("queued")).extracting(JsonNode::asInt).containsExactly(2, 0);
    assertThat(json("route:embed").at("/ttftP50Millis/0").isNull()).as("not a stream").isTrue();
    assertThat(json("route:idle").get("admitted")).extracting(JsonNode::asInt).containsExactly(0, 0);
    assertThat(charts.json("route:nope")).isNull();
  }

  @Test
  void keepsFifteenMinutesAndRendersOnlyWhenASecondCloses() throws Exception {
    for (int i = 0; i < ChartHistory.HISTORY_SECONDS + 30; i++) {
      charts.record(served("chat", "gpu", 10, 0, 1));
      ticker.advance(Duration.ofSeconds(1));
      charts.tick();
    }
    byte[] before = charts.json("gateway");
    ticker.advance(Duration.ofMillis(500));
    assertThat(charts.tick()).isFalse();
    assertThat(charts.json("gateway")).isSameAs(before);

    JsonNode gateway = json("gateway");
    assertThat(gateway.get("points").asInt()).isEqualTo(ChartHistory.HISTORY_SECONDS);
    assertThat(gateway.get("admitted")).allSatisfy(v -> assertThat(v.asInt()).isEqualTo(1));
    assertThat(gateway.get("start").asDouble())
        .isEqualTo(Instant.parse("2026-01-01T00:00:30Z").getEpochSecond());
  }
}
