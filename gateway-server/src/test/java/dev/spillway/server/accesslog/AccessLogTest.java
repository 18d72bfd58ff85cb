package dev.spillway.server.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.Outcome;
import dev.spillway.core.time.FakeTicker;
import dev.spillway.server.config.AccessLogConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The JSON line, sampling of admitted requests and the rate bound on shed ones. */
class AccessLogTest {
  private final FakeTicker ticker = new FakeTicker();

  static ExchangeRecord proxied() {
    return new ExchangeRecord("req-1", "chat", "b", "http://10.0.0.1:8000", "acme", "standard", 200,
        Outcome.PROXIED, null, null, 120, 3400, 250_000_000L, 40_000_000L, true, 11, 22, false, 5_000_000L, 2, 1, "http://10.0.0.9:8000,http://10.0.0.1:8000",
        "primary");
  }

  static ExchangeRecord shed() {
    return new ExchangeRecord("req-2", "chat", "b", null, "acme", "standard", 503, Outcome.SHED,
        ShedReason.QUEUE_FULL, null, 0, 0, 1_000_000L, -1, false, 0, 0, false, 0, 0, -1, null, null);
  }

  @Test
  void writesOneJsonObjectPerRequest() throws Exception {
    JsonNode line = new ObjectMapper().readTree(AccessLog.line(proxied()));

    assertThat(line.get("requestId").asText()).isEqualTo("req-1");
    assertThat(line.get("route").asText()).isEqualTo("chat");
    assertThat(line.get("endpoint").asText()).isEqualTo("http://10.0.0.1:8000");
    assertThat(line.get("tenant").asText()).isEqualTo("acme");
    assertThat(line.get("outcome").asText()).isEqualTo("served");
    assertThat(line.get("reason").asText()).isEqualTo("proxied");
    assertThat(line.get("status").asInt()).isEqualTo(200);
    assertThat(line.get("durationMs").asDouble()).isEqualTo(250.0);
    assertThat(line.get("ttfbMs").asDouble()).isEqualTo(40.0);
    assertThat(line.get("promptTokens").asLong()).isEqualTo(11);
    assertThat(line.get("completionTokens").asLong()).isEqualTo(22);
    assertThat(new ObjectMapper().readTree(AccessLog.line(shed())).get("reason").asText()).isEqualTo("queue_full");
    assertThat(new ObjectMapper().readTree(AccessLog.line(shed())).get("outcome").asText()).isEqualTo("shed");
  }

  @Test
  void namesTheBackendARequestOverflowedFrom() throws Exception {
    assertThat(new ObjectMapper().readTree(AccessLog.line(proxied())).get("overflowFrom").asText())
        .isEqualTo("primary");
    assertThat(new ObjectMapper().readTree(AccessLog.line(shed())).has("overflowFrom")).isFalse();
  }

  @Test
  void shedRequestsAreLoggedAtABoundedRate() {
    AccessLog log = new AccessLog(new AccessLogConfig(true, 1.0, 5), ticker, infoLogger());

    for (int i = 0; i < 100; i++) {
      log.onRecord(shed());
    }
    assertThat(log.written()).isEqualTo(5);
    assertThat(log.suppressedShed()).isEqualTo(95);

    ticker.advance(Duration.ofMillis(400));
    for (int i = 0; i < 100; i++) {
      log.onRecord(shed());
    }
    assertThat(log.written()).isEqualTo(7);
    log.onRecord(proxied());
    assertThat(log.written()).isEqualTo(8);
  }

  @Test
  void samplingLeavesOutAdmittedRequestsOnly() {
    AccessLog log = new AccessLog(new AccessLogConfig(true, 0.0, 5), ticker, infoLogger());

    for (int i = 0; i < 10; i++) {
      log.onRecord(proxied());
    }
    log.onRecord(shed());

    assertThat(log.sampledOut()).isEqualTo(10);
    assertThat(log.written()).isEqualTo(1);
  }

  /** A logger of a context of its own without appenders: INFO is enabled, lines go nowhere. */
  private static org.slf4j.Logger infoLogger() {
    return new ch.qos.logback.classic.LoggerContext().getLogger(AccessLog.LOGGER);
  }
}
