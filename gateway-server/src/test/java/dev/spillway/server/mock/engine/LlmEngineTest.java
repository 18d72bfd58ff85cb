package dev.spillway.server.mock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine's step loop on an {@link EmbeddedChannel}'s event loop, with fake time. */
class LlmEngineTest {
  private final EmbeddedChannel channel = new EmbeddedChannel();
  private long nowMillis;

  @BeforeEach
  void freeze() {
    // Otherwise the embedded loop's clock also moves with wall-clock time.
    channel.freezeTime();
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private void advanceMillis(long millis) {
    for (long i = 0; i < millis; i++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      nowMillis++;
      channel.runScheduledPendingTasks();
    }
  }

  private Recorder submit(LlmEngine engine, int prompt, int answer) {
    Recorder r = new Recorder(() -> nowMillis);
    engine.submit(new Sequence(new LengthSampler.Asked(prompt, answer), r));
    return r;
  }

  private static EngineOptions options() {
    return EngineOptions.defaults().withDecodeStep(Duration.ofMillis(10)).withDecodeStepPerSeq(Duration.ofMillis(1))
        .withPrefillTokensPerSecond(10_000);
  }

  @Test
  void aLoneRequestGetsItsFirstTokenAfterPrefillAndTheRestOneStepApart() {
    LlmEngine engine = new LlmEngine(options(), channel.eventLoop());
    Recorder r = submit(engine, 1000, 5);

    advanceMillis(200);

    // Prefill step: 10 + 1 + 1000 / 10k s = 111 ms; then one token every 11 ms.
    assertThat(r.tokenTimes).containsExactly(111L, 122L, 133L, 144L, 155L);
    assertThat(r.finished).isTrue();
    assertThat(engine.stats().running()).isZero();
  }

  @Test
  void interTokenLatencyGrowsWithTheBatch() {
    LlmEngine engine = new LlmEngine(options(), channel.eventLoop());
    Recorder probe = submit(engine, 10, 50);
    advanceMillis(100);
    List<Long> alone = new ArrayList<>(probe.tokenTimes);
    for (int i = 0; i < 30; i++) {
      submit(engine, 10, 1000);
    }
    advanceMillis(300);

    long aloneGap = alone.get(alone.size() - 1) - alone.get(alone.size() - 2);
    List<Long> t = probe.tokenTimes;
    long crowdedGap = t.get(t.size() - 1) - t.get(t.size() - 2);
    assertThat(aloneGap).isEqualTo(11);
    assertThat(crowdedGap).isEqualTo(10 + 31);
    assertThat(engine.stats().running()).isEqualTo(31);
  }

  @Test
  void requestsArrivingDuringAStepWaitForTheNextOne() {
    LlmEngine engine = new LlmEngine(options(), channel.eventLoop());
    submit(engine, 10, 100);
    advanceMillis(5);
    submit(engine, 10, 100);

    assertThat(engine.stats().running()).isEqualTo(1);
    assertThat(engine.stats().waiting()).isEqualTo(1);
    advanceMillis(10);
    assertThat(engine.stats().running()).isEqualTo(2);
    assertThat(engine.stats().waiting()).isZero();
  }

  @Test
  void theFullQueueRejectsAtOnce() {
    LlmEngine engine = new LlmEngine(options().withMaxRunning(1).withEngineQueue(2), channel.eventLoop());
    submit(engine, 10, 100);
    submit(engine, 10, 100);
    submit(engine, 10, 100);

    Recorder refused = submit(engine, 10, 100);

    assertThat(refused.rejection).isEqualTo(SequenceListener.Rejection.QUEUE_FULL);
    assertThat(EngineMetricsText.render(engine.options(), engine.stats()))
        .contains("vllm:num_requests_running{engine=\"0\",model_name=\"mock-gpt\"} 1.0")
        .contains("vllm:num_requests_waiting{engine=\"0\",model_name=\"mock-gpt\"} 2.0");
  }

  @Test
  void abortingTheRunningSequenceLetsTheWaitingOneIn() {
    LlmEngine engine = new LlmEngine(options().withMaxRunning(1), channel.eventLoop());
    Sequence first = new Sequence(new LengthSampler.Asked(10, 10_000), new Recorder());
    engine.submit(first);
    Recorder second = submit(engine, 10, 3);
    advanceMillis(50);
    assertThat(second.tokens).isZero();

    engine.abort(first);
    advanceMillis(50);

    assertThat(second.finished).isTrue();
    assertThat(engine.stats().aborted()).isEqualTo(1);
  }

  @Test
  void anIdleEngineSchedulesNothing() {
    LlmEngine engine = new LlmEngine(options(), channel.eventLoop());
    submit(engine, 10, 1);
    advanceMillis(50);

    assertThat(channel.runScheduledPendingTasks()).as("next scheduled task").isEqualTo(-1);
    assertThat(engine.stats().finished()).isEqualTo(1);
  }

  @Test
  void stepsThatRunLateDoNotSlowTheSimulatedGpu() {
    LlmEngine engine = new LlmEngine(options(), channel.eventLoop());
    Recorder r = submit(engine, 10, 1000);

    // The loop gets to run only every 7 ms, so most steps end up to 6 ms late.
    for (int i = 0; i < 159; i++) {
      channel.advanceTimeBy(7, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }

    // 12 ms for the first step, then 11 ms a token: 101 tokens are due by 1113 ms.
    assertThat(r.tokens).isBetween(100, 101);
  }
}
