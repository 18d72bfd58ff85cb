package dev.spillway.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.http.GatewayError;
import org.junit.jupiter.api.Test;

/** Every way a request ends maps to one outcome word; rate limits and capacity shedding never share one. */
class RequestResultTest {
  @Test
  void wordsForEveryEnding() {
    assertThat(of(Outcome.PROXIED, 200, null)).isEqualTo(RequestResult.SERVED);
    assertThat(of(Outcome.PROXIED, 404, null)).isEqualTo(RequestResult.SERVED);
    assertThat(of(Outcome.PROXIED, 500, null)).isEqualTo(RequestResult.FAILED);
    assertThat(of(Outcome.ABORTED, 200, null)).isEqualTo(RequestResult.FAILED);
    assertThat(of(Outcome.GATEWAY_ERROR, 502, null)).isEqualTo(RequestResult.FAILED);
    assertThat(of(Outcome.GATEWAY_ERROR, 400, null)).isEqualTo(RequestResult.REJECTED);
    assertThat(of(Outcome.SHED, 429, ShedReason.RATE_LIMITED_REQUESTS)).isEqualTo(RequestResult.RATE_LIMITED);
    assertThat(of(Outcome.SHED, 429, ShedReason.RATE_LIMITED_TOKENS)).isEqualTo(RequestResult.RATE_LIMITED);
    assertThat(of(Outcome.SHED, 503, ShedReason.QUEUE_FULL)).isEqualTo(RequestResult.SHED);
    assertThat(of(Outcome.SHED, 503, ShedReason.DISPLACED)).isEqualTo(RequestResult.SHED);
    assertThat(of(Outcome.SHED, 401, ShedReason.UNKNOWN_KEY)).isEqualTo(RequestResult.REJECTED);
    assertThat(of(Outcome.CLIENT_CLOSED, 0, null)).isEqualTo(RequestResult.CLIENT_CANCELLED);
  }

  @Test
  void theReasonIsTheShedReasonOrHowTheExchangeEnded() {
    assertThat(RequestResult.reason(record(Outcome.SHED, 429, ShedReason.RATE_LIMITED_TOKENS)))
        .isEqualTo("rate_limited_tokens");
    assertThat(RequestResult.reason(record(Outcome.ABORTED, 200, null))).isEqualTo("aborted");
    assertThat(RequestResult.RATE_LIMITED.tag()).isEqualTo("rate_limited");
    assertThat(RequestResult.CLIENT_CANCELLED.tag()).isEqualTo("client_cancelled");
  }

  private static RequestResult of(Outcome outcome, int status, ShedReason reason) {
    return RequestResult.of(record(outcome, status, reason));
  }

  private static ExchangeRecord record(Outcome outcome, int status, ShedReason reason) {
    GatewayError error = outcome == Outcome.GATEWAY_ERROR ? GatewayError.UPSTREAM_RESET : null;
    return new ExchangeRecord("r", "chat", "b", null, null, null, status, outcome, reason, error, 0, 0, 1, -1,
        false, 0, 0, false, -1, 0, 0, null, null);
  }
}
