package dev.spillway.server.mock;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each request's latency on the fixed engine, with and without {@code latencyJitter}: chat completions go
 * through the mock's {@link RequestRouter}, one {@link EmbeddedChannel} per request, with fake time moved a
 * millisecond at a time.
 */
class MockBackendLatencyJitterTest {
  private static final int REQUESTS = 40;
  private static final long MAX_MILLIS = 1_000;
  private static final MockBackendOptions NOMINAL = MockBackendOptions.defaults().withLatency(Duration.ofMillis(100));

  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** When, in milliseconds after the request was sent, the first and the last part of its answer were written. */
  private record Timing(long firstMillis, long lastMillis) {}

  private Timing send(MockState state, boolean stream, int maxTokens) {
    EmbeddedChannel channel = new EmbeddedChannel(new RequestRouter(state));
    channels.add(channel);
    channel.freezeTime();
    String body = "{\"messages\":[],\"stream\":" + stream + ",\"max_tokens\":" + maxTokens + "}";
    channel.writeInbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/v1/chat/completions",
        Unpooled.copiedBuffer(body, US_ASCII)));
    long first = -1;
    for (long ms = 1; ms <= MAX_MILLIS; ms++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
      for (Object msg = channel.readOutbound(); msg != null; msg = channel.readOutbound()) {
        if (msg instanceof HttpResponse response) {
          assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        }
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        first = first < 0 ? ms : first;
        if (last) {
          return new Timing(first, ms);
        }
      }
    }
    throw new AssertionError("no whole answer within " + MAX_MILLIS + " ms");
  }

  private List<Timing> sendAll(MockBackendOptions options, boolean stream, int maxTokens) {
    MockState state = new MockState(options, null);
    List<Timing> timings = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      timings.add(send(state, stream, maxTokens));
    }
    return timings;
  }

  private static LongSummaryStatistics lasts(List<Timing> timings) {
    return timings.stream().mapToLong(Timing::lastMillis).summaryStatistics();
  }

  @Test
  void withoutJitterEveryAnswerTakesTheLatency() {
    assertThat(sendAll(NOMINAL, false, 4)).containsOnly(new Timing(100, 100));
    // Streamed, tokens spread over the latency: the first of 4 at a quarter of it.
    assertThat(sendAll(NOMINAL, true, 4)).containsOnly(new Timing(25, 100));
  }

  @Test
  void jitterDrawsEachAnswersLatencyWithinItsRange() {
    LongSummaryStatistics lasts = lasts(sendAll(NOMINAL.withLatencyJitter(0.5), false, 4));

    assertThat(lasts.getMin()).isGreaterThanOrEqualTo(50);
    assertThat(lasts.getMax()).isLessThanOrEqualTo(150);
    // Well beyond ±10 % of the nominal 100 ms: 40 uniform draws over 50..150 ms span about 95 ms.
    assertThat(lasts.getMax() - lasts.getMin()).isGreaterThan(60);
    assertThat(lasts.getAverage()).isCloseTo(100, within(15.0));
  }

  @Test
  void withTokensPerSecondOnlyTheFirstTokenIsJittered() {
    // 100 tokens per second: the 5 tokens of each stream are 10 ms apart, whenever the first one comes.
    List<Timing> timings = sendAll(NOMINAL.withLatencyJitter(0.5).withTokensPerSecond(100), true, 5);

    assertThat(timings).allSatisfy(t -> assertThat(t.lastMillis() - t.firstMillis()).isEqualTo(40));
    LongSummaryStatistics firsts = timings.stream().mapToLong(Timing::firstMillis).summaryStatistics();
    assertThat(firsts.getMin()).isGreaterThanOrEqualTo(50);
    assertThat(firsts.getMax()).isLessThanOrEqualTo(150);
    assertThat(firsts.getMax() - firsts.getMin()).isGreaterThan(60);
  }

  @Test
  void withoutTokensPerSecondTheTokensSpreadOverTheJitteredLatency() {
    List<Timing> timings = sendAll(NOMINAL.withLatencyJitter(0.5), true, 4);

    // Token 1 of 4 at a quarter of this request's own latency, the last at all of it.
    assertThat(timings).allSatisfy(t -> assertThat((double) t.firstMillis()).isCloseTo(t.lastMillis() / 4.0,
        within(1.0)));
    LongSummaryStatistics lasts = lasts(timings);
    assertThat(lasts.getMin()).isGreaterThanOrEqualTo(50);
    assertThat(lasts.getMax()).isLessThanOrEqualTo(150);
    assertThat(lasts.getMax() - lasts.getMin()).isGreaterThan(60);
  }

  @Test
  void theSeedRepeatsTheDraws() {
    MockBackendOptions jittered = NOMINAL.withLatencyJitter(0.5).withSeed(7);

    assertThat(sendAll(jittered, false, 1)).isEqualTo(sendAll(jittered, false, 1))
        .isNotEqualTo(sendAll(jittered.withSeed(8), false, 1));
  }
}
