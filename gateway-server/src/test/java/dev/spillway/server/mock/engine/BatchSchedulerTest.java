package dev.spillway.server.mock.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchSchedulerTest {
  private final EngineStats stats = new EngineStats();

  private BatchScheduler scheduler(EngineOptions options) {
    return new BatchScheduler(options, new LengthSampler(options), stats);
  }

  private static Sequence seq(int prompt, int answer, Recorder recorder) {
    return new Sequence(new LengthSampler.Asked(prompt, answer), recorder);
  }

  /** Runs steps until nothing is left, returning the total simulated nanoseconds. */
  private static long runToEnd(BatchScheduler s, long start) {
    long now = start;
    for (long d = s.planStep(); d >= 0; d = s.planStep()) {
      now += d;
      s.completeStep(now);
    }
    return now;
  }

  @Test
  void theRunningBatchStopsAtMaxRunningAndTheRestWait() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withMaxRunning(2));
    for (int i = 0; i < 3; i++) {
      assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.ACCEPTED);
    }

    s.planStep();

    assertThat(s.running()).isEqualTo(2);
    assertThat(s.waiting()).isEqualTo(1);
    assertThat(stats.running()).isEqualTo(2);
    assertThat(stats.waiting()).isEqualTo(1);
  }

  @Test
  void aRequestJoinsOnlyWhenItsPromptFitsTheFreeKvCache() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withKvCacheTokens(100));
    Recorder third = new Recorder();
    s.offer(seq(40, 10, new Recorder()), 0);
    s.offer(seq(40, 10, new Recorder()), 0);
    s.offer(seq(40, 10, third), 0);

    s.planStep();

    assertThat(s.running()).isEqualTo(2);
    assertThat(s.waiting()).isEqualTo(1);
    assertThat(s.kvUsed()).isEqualTo(80);
    runToEnd(s, 0);
    assertThat(third.finished).isTrue();
    assertThat(s.kvUsed()).isZero();
  }

  @Test
  void kvGrowsWithEveryGeneratedToken() {
    BatchScheduler s = scheduler(EngineOptions.defaults());
    s.offer(seq(100, 50, new Recorder()), 0);

    s.planStep();
    s.completeStep(1); // prefill, then the first token
    s.planStep();
    s.completeStep(2);

    assertThat(s.kvUsed()).isEqualTo(102);
    assertThat(EngineMetricsText.render(EngineOptions.defaults(), stats))
        .contains("vllm:kv_cache_usage_perc{engine=\"0\",model_name=\"mock-gpt\"} " + 102.0 / 65536);
  }

  @Test
  void pastTheQueueBoundARequestIsRefused() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withMaxRunning(1).withEngineQueue(1));
    assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.ACCEPTED);
    s.planStep();
    assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.ACCEPTED);

    assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.QUEUE_FULL);
    assertThat(stats.rejected()).isEqualTo(1);
    assertThat(s.waiting()).isEqualTo(1);
  }

  @Test
  void withNoQueueARequestThatFitsNowIsStillTaken() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withMaxRunning(1).withEngineQueue(0));
    assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.ACCEPTED);
    s.planStep();

    assertThat(s.offer(seq(10, 5, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.QUEUE_FULL);
  }

  @Test
  void aRequestLargerThanTheKvCacheIsRefusedAsTooLong() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withKvCacheTokens(100));

    assertThat(s.offer(seq(90, 20, new Recorder()), 0)).isEqualTo(BatchScheduler.Offer.TOO_LONG);
  }

  @Test
  void decodeStepsSlowDownAsTheBatchGrows() {
    EngineOptions options = EngineOptions.defaults().withDecodeStep(Duration.ofMillis(10))
        .withDecodeStepPerSeq(Duration.ofMillis(1));
    BatchScheduler alone = scheduler(options);
    alone.offer(seq(10, 100, new Recorder()), 0);
    alone.planStep();
    alone.completeStep(0);
    BatchScheduler crowded = scheduler(options);
    for (int i = 0; i < 20; i++) {
      crowded.offer(seq(10, 100, new Recorder()), 0);
    }
    crowded.planStep();
    crowded.completeStep(0);

    assertThat(alone.planStep()).isEqualTo(Duration.ofMillis(11).toNanos());
    assertThat(crowded.planStep()).isEqualTo(Duration.ofMillis(30).toNanos());
  }

  @Test
  void prefillTakesPromptOverRateInChunksOfTheStepBudget() {
    EngineOptions options = EngineOptions.defaults().withPrefillTokensPerSecond(8000).withMaxBatchedTokens(2048)
        .withDecodeStep(Duration.ofMillis(10)).withDecodeStepPerSeq(Duration.ZERO);
    BatchScheduler s = scheduler(options);
    Recorder r = new Recorder();
    s.offer(seq(4096, 1, r), 0);

    long first = s.planStep();
    s.completeStep(first);
    assertThat(r.tokens).isZero();
    long second = s.planStep();
    s.completeStep(first + second);

    assertThat(first).isEqualTo(second).isEqualTo(Duration.ofMillis(10 + 256).toNanos());
    assertThat(r.tokens).isEqualTo(1);
    assertThat(r.finished).isTrue();
  }

  @Test
  void everyStepGivesEveryRunningSequenceOneToken() {
    BatchScheduler s = scheduler(EngineOptions.defaults());
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    s.offer(seq(10, 3, a), 0);
    s.offer(seq(10, 5, b), 0);

    for (int i = 0; i < 3; i++) {
      s.planStep();
      s.completeStep(i);
    }

    assertThat(a.tokens).isEqualTo(3);
    assertThat(a.finished).isTrue();
    assertThat(b.tokens).isEqualTo(3);
    assertThat(b.finished).isFalse();
    assertThat(s.running()).isEqualTo(1);
    assertThat(stats.finished()).isEqualTo(1);
  }

  @Test
  void whenTheKvCacheRunsOutTheNewestSequenceIsPreemptedAndLaterRecomputed() {
    // Two sequences of 10 + 20 tokens cannot both finish in 50 tokens of cache.
    BatchScheduler s = scheduler(EngineOptions.defaults().withKvCacheTokens(50));
    Recorder older = new Recorder();
    Recorder newer = new Recorder();
    s.offer(seq(10, 20, older), 0);
    s.offer(seq(10, 20, newer), 0);

    runToEnd(s, 0);

    assertThat(stats.preemptions()).isPositive();
    assertThat(older.tokens).isEqualTo(20);
    assertThat(newer.tokens).isEqualTo(20);
    assertThat(older.finished && newer.finished).isTrue();
    assertThat(s.kvUsed()).isZero();
  }

  @Test
  void abortFreesTheSlotAndKvCacheForTheNextRequest() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withMaxRunning(1));
    Sequence first = seq(100, 1000, new Recorder());
    Recorder second = new Recorder();
    s.offer(first, 0);
    s.offer(seq(10, 1, second), 0);
    s.planStep();
    s.completeStep(1);
    assertThat(s.kvUsed()).isEqualTo(101);

    s.abort(first);

    assertThat(s.running()).isZero();
    assertThat(s.kvUsed()).isZero();
    assertThat(stats.aborted()).isEqualTo(1);
    runToEnd(s, 1);
    assertThat(second.finished).isTrue();
  }

  @Test
  void anAbortDuringAStepDropsThatSequencesToken() {
    BatchScheduler s = scheduler(EngineOptions.defaults());
    Recorder r = new Recorder();
    Sequence seq = seq(10, 5, r);
    s.offer(seq, 0);
    s.planStep();

    s.abort(seq);
    s.completeStep(1);

    assertThat(r.tokens).isZero();
    assertThat(s.planStep()).isEqualTo(-1);
  }

  @Test
  void aWaitingRequestThatIsAbortedLeavesTheQueue() {
    BatchScheduler s = scheduler(EngineOptions.defaults().withMaxRunning(1));
    s.offer(seq(10, 5, new Recorder()), 0);
    Sequence waiting = seq(10, 5, new Recorder());
    s.offer(waiting, 0);
    s.planStep();

    s.abort(waiting);

    assertThat(s.waiting()).isZero();
    assertThat(stats.waiting()).isZero();
  }

  @Test
  void ttftAndE2eAreRecordedFromArrival() {
    BatchScheduler s = scheduler(EngineOptions.defaults());
    s.offer(seq(10, 2, new Recorder()), 1_000_000_000L);
    s.planStep();
    s.completeStep(1_250_000_000L);
    s.planStep();
    s.completeStep(1_500_000_000L);

    assertThat(stats.firstTokens()).isEqualTo(1);
    assertThat(stats.ttftSecondsSum()).isEqualTo(0.25);
    String text = EngineMetricsText.render(EngineOptions.defaults(), stats);
    assertThat(text).contains("vllm:time_to_first_token_seconds_bucket{engine=\"0\",model_name=\"mock-gpt\","
        + "le=\"0.25\"} 1.0");
    assertThat(text).contains("vllm:time_to_first_token_seconds_bucket{engine=\"0\",model_name=\"mock-gpt\","
        + "le=\"0.1\"} 0.0");
    assertThat(text).contains("vllm:e2e_request_latency_seconds_sum{engine=\"0\",model_name=\"mock-gpt\"} 0.5");
    assertThat(text).contains("vllm:request_success_total{engine=\"0\",model_name=\"mock-gpt\","
        + "finished_reason=\"length\"} 1.0");
  }
}
