package dev.spillway.core.attempt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.attempt.AttemptOutcome.EndpointVerdict;
import dev.spillway.core.attempt.AttemptOutcome.PermitCompletion;
import dev.spillway.core.http.GatewayError;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every outcome against every property, spelled out: a change to the classification shows up here as a
 * changed row, not as a surprise in the limit, the breaker or the retries.
 */
class AttemptOutcomeTest {
  /** outcome: tag, reachedBackend, overloadEvidence, retryable, countsForBreaker, permit, endpoint. */
  private record Row(String tag, boolean reached, boolean overload, boolean retryable, boolean breaker,
      PermitCompletion permit, EndpointVerdict endpoint) {}

  private static final PermitCompletion OK = PermitCompletion.SUCCESS;
  private static final PermitCompletion DROP = PermitCompletion.DROPPED;
  private static final PermitCompletion IGN = PermitCompletion.IGNORE;
  private static final EndpointVerdict GOOD = EndpointVerdict.SUCCESS;
  private static final EndpointVerdict BAD = EndpointVerdict.FAILURE;
  private static final EndpointVerdict NONE = EndpointVerdict.NEUTRAL;

  private static final Map<AttemptOutcome, Row> TABLE = new EnumMap<>(AttemptOutcome.class);

  static {
    //                                                      reached overload retry  breaker permit endpoint
    TABLE.put(AttemptOutcome.SUCCESS, new Row("success", true, false, false, false, OK, GOOD));
    TABLE.put(AttemptOutcome.CLIENT_ERROR, new Row("status_4xx", true, false, false, false, IGN, GOOD));
    TABLE.put(AttemptOutcome.STATUS_429, new Row("status_429", true, true, true, false, DROP, NONE));
    TABLE.put(AttemptOutcome.STATUS_502, new Row("status_502", true, false, true, true, IGN, BAD));
    TABLE.put(AttemptOutcome.STATUS_503, new Row("status_503", true, true, true, true, DROP, BAD));
    TABLE.put(AttemptOutcome.STATUS_529, new Row("status_529", true, true, true, true, DROP, BAD));
    TABLE.put(AttemptOutcome.STATUS_OTHER, new Row("status_other", true, false, false, true, IGN, BAD));
    TABLE.put(AttemptOutcome.CONNECT_FAILED, new Row("connect_failed", false, false, true, true, IGN, BAD));
    TABLE.put(AttemptOutcome.CONNECT_TIMEOUT, new Row("connect_timeout", false, false, true, true, IGN, BAD));
    TABLE.put(AttemptOutcome.POOL_EXHAUSTED, new Row("pool_exhausted", false, false, true, false, IGN, NONE));
    TABLE.put(AttemptOutcome.NO_ENDPOINT, new Row("no_endpoint", false, false, false, false, IGN, NONE));
    TABLE.put(AttemptOutcome.RESET, new Row("reset", true, false, true, true, IGN, BAD));
    TABLE.put(AttemptOutcome.PROTOCOL_ERROR, new Row("protocol_error", true, false, false, true, IGN, BAD));
    TABLE.put(AttemptOutcome.FIRST_TOKEN_TIMEOUT,
        new Row("first_token_timeout", true, true, true, true, DROP, BAD));
    TABLE.put(AttemptOutcome.STREAM_ERROR_BEFORE_CONTENT,
        new Row("stream_error", true, false, true, true, IGN, BAD));
    TABLE.put(AttemptOutcome.TIMEOUT, new Row("timeout", true, true, false, true, DROP, BAD));
    TABLE.put(AttemptOutcome.CANCELLED, new Row("cancelled", false, false, false, false, IGN, NONE));
  }

  @Test
  void everyOutcomeHasExactlyTheTabledProperties() {
    assertThat(TABLE.keySet()).as("every outcome has a row").containsExactly(AttemptOutcome.values());
    for (AttemptOutcome o : AttemptOutcome.values()) {
      Row row = TABLE.get(o);
      assertThat(o.tag()).as(o + " tag").isEqualTo(row.tag());
      assertThat(o.reachedBackend()).as(o + " reachedBackend").isEqualTo(row.reached());
      assertThat(o.overloadEvidence()).as(o + " overloadEvidence").isEqualTo(row.overload());
      assertThat(o.retryable()).as(o + " retryable").isEqualTo(row.retryable());
      assertThat(o.countsForBreaker()).as(o + " countsForBreaker").isEqualTo(row.breaker());
      assertThat(o.permitCompletion()).as(o + " permit").isEqualTo(row.permit());
      assertThat(o.endpointVerdict()).as(o + " endpoint").isEqualTo(row.endpoint());
    }
  }

  @Test
  void onlyOverloadEvidenceDropsAndOnlyABackendCanShowIt() {
    for (AttemptOutcome o : AttemptOutcome.values()) {
      assertThat(o.permitCompletion() == PermitCompletion.DROPPED).as(o.name()).isEqualTo(o.overloadEvidence());
      if (o.overloadEvidence()) {
        assertThat(o.reachedBackend()).as(o + ": overload evidence comes from a backend that had the request")
            .isTrue();
      }
    }
  }

  @Test
  void statusesMapToOutcomes() {
    for (int status : new int[] {100, 200, 201, 204, 301, 304}) {
      assertThat(AttemptOutcome.ofStatus(status)).as("status " + status).isEqualTo(AttemptOutcome.SUCCESS);
    }
    for (int status : new int[] {400, 401, 403, 404, 408, 409, 413, 422, 499}) {
      assertThat(AttemptOutcome.ofStatus(status)).as("status " + status).isEqualTo(AttemptOutcome.CLIENT_ERROR);
    }
    assertThat(AttemptOutcome.ofStatus(429)).isEqualTo(AttemptOutcome.STATUS_429);
    assertThat(AttemptOutcome.ofStatus(502)).isEqualTo(AttemptOutcome.STATUS_502);
    assertThat(AttemptOutcome.ofStatus(503)).isEqualTo(AttemptOutcome.STATUS_503);
    assertThat(AttemptOutcome.ofStatus(529)).isEqualTo(AttemptOutcome.STATUS_529);
    for (int status : new int[] {500, 501, 504, 507, 599}) {
      assertThat(AttemptOutcome.ofStatus(status)).as("status " + status).isEqualTo(AttemptOutcome.STATUS_OTHER);
    }
  }

  @Test
  void gatewayErrorsMapToOutcomes() {
    Map<GatewayError, AttemptOutcome> sent = new EnumMap<>(GatewayError.class);
    for (GatewayError e : GatewayError.values()) {
      sent.put(e, AttemptOutcome.CANCELLED);
    }
    sent.put(GatewayError.UPSTREAM_CONNECT_FAILED, AttemptOutcome.CONNECT_FAILED);
    sent.put(GatewayError.UPSTREAM_CONNECT_TIMEOUT, AttemptOutcome.CONNECT_TIMEOUT);
    sent.put(GatewayError.UPSTREAM_POOL_EXHAUSTED, AttemptOutcome.POOL_EXHAUSTED);
    sent.put(GatewayError.UPSTREAM_RESET, AttemptOutcome.RESET);
    sent.put(GatewayError.UPSTREAM_PROTOCOL_ERROR, AttemptOutcome.PROTOCOL_ERROR);
    sent.put(GatewayError.UPSTREAM_RESPONSE_TIMEOUT, AttemptOutcome.TIMEOUT);
    sent.put(GatewayError.UPSTREAM_IDLE_TIMEOUT, AttemptOutcome.TIMEOUT);
    sent.put(GatewayError.REQUEST_DEADLINE_EXCEEDED, AttemptOutcome.TIMEOUT);
    sent.put(GatewayError.NO_AVAILABLE_ENDPOINT, AttemptOutcome.NO_ENDPOINT);
    for (GatewayError e : GatewayError.values()) {
      assertThat(AttemptOutcome.ofError(e, true)).as(e.name()).isEqualTo(sent.get(e));
      AttemptOutcome unsent = AttemptOutcome.ofError(e, false);
      assertThat(unsent).as(e + " before the request was sent")
          .isEqualTo(sent.get(e) == AttemptOutcome.TIMEOUT ? AttemptOutcome.CANCELLED : sent.get(e));
      assertThat(unsent.overloadEvidence()).as(e + ": nothing sent is no evidence of overload").isFalse();
    }
    assertThat(AttemptOutcome.ofError(null, true)).isEqualTo(AttemptOutcome.CANCELLED);
  }
}
