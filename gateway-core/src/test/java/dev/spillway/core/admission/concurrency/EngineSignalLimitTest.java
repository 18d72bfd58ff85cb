package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.EngineSignalConfig;
import dev.spillway.core.config.EngineSignalConfig.EnginePreset;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class EngineSignalLimitTest {
  private static final Duration INTERVAL = Duration.ofMillis(500);
  private final FakeTicker ticker = new FakeTicker();
  /** The engines' mean waiting queue as the scraper would report it; NaN = no fresh metrics. */
  private double waiting = 0;
  private final EngineLoad load = now -> waiting;
  private final EmbeddedChannel channel = new EmbeddedChannel();

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private static ConcurrencyConfig config(ConcurrencyConfig.Mode mode, int limit) {
    return new ConcurrencyConfig(mode, limit, 4, 1024, EngineSignalConfig.of(EnginePreset.VLLM));
  }

  private EngineSignalLimit limit(int start) {
    ConcurrencyConfig config = config(ConcurrencyConfig.Mode.STATIC, 1000);
    config = new ConcurrencyConfig(config.mode(), start, 4, 1024, config.engineSignal());
    return new EngineSignalLimit(new FixedLimit(1000), load, config, ticker);
  }

  /** One interval in which requests reached {@code inFlight}. */
  private int interval(EngineSignalLimit limit, int inFlight) {
    limit.onSample(LatencySample.firstToken(1), inFlight, limit.window(), ticker.nanoTime());
    ticker.advance(INTERVAL);
    return limit.limit();
  }

  @Test
  void growsWhileTheQueueStaysShortAndTheLimitIsReached() {
    EngineSignalLimit limit = limit(64);
    limit.limit();

    int before = limit.limit();
    int after = interval(limit, 64);

    assertThat(before).isEqualTo(64);
    assertThat(after).isEqualTo(72); // 64 + sqrt(64)
  }

  @Test
  void doesNotGrowWhileTrafficStaysBelowIt() {
    EngineSignalLimit limit = limit(64);
    limit.limit();

    for (int i = 0; i < 10; i++) {
      interval(limit, 20);
    }

    assertThat(limit.limit()).isEqualTo(64);
  }

  @Test
  void shrinksToWhatTheEnginesRunPlusTheTargetOncePerInterval() {
    EngineSignalLimit limit = limit(100);
    limit.limit();
    waiting = 10;

    int seenOnce = interval(limit, 100);
    int first = interval(limit, 100);
    ticker.advance(Duration.ofMillis(100));
    int sameInterval = limit.limit();

    assertThat(seenOnce).isEqualTo(100);
    assertThat(first).isEqualTo(92); // 100 in flight, 8 more waiting than the target of 2
    assertThat(sameInterval).isEqualTo(92);
  }

  @Test
  void doesNotShrinkAgainForRequestsAdmittedBeforeTheCut() {
    EngineSignalLimit limit = limit(100);
    limit.limit();
    waiting = 10;
    interval(limit, 100);

    // The queue lags: those admitted before the cut still wait while fewer are let in.
    int held = interval(limit, 96);
    interval(limit, 92);
    int again = interval(limit, 92);

    assertThat(held).isEqualTo(92);
    assertThat(again).isEqualTo(84); // the queue stayed at 10 with only 92 in flight
  }

  @Test
  void cutsAtMostHalfTheDemandAtOnce() {
    EngineSignalLimit limit = limit(100);
    limit.limit();
    waiting = 100;
    interval(limit, 40);

    assertThat(interval(limit, 40)).isEqualTo(20);
  }

  @Test
  void aShrinkStartsFromWhatIsActuallyInFlight() {
    EngineSignalLimit limit = limit(500);
    limit.limit();
    waiting = 5;
    interval(limit, 40);

    assertThat(interval(limit, 40)).isEqualTo(37);
  }

  @Test
  void aQueueSeenInOneScrapeOnlyIsNotAShortage() {
    EngineSignalLimit limit = limit(64);
    limit.limit();

    // A burst of prompts waits for the engine's next steps: one scrape sees it, the next finds it taken in.
    for (int i = 0; i < 10; i++) {
      waiting = i % 2 == 0 ? 8 : 0;
      interval(limit, 64);
    }

    assertThat(limit.limit()).isGreaterThanOrEqualTo(64);
  }

  @Test
  void holdsWhileTheQueueIsWithinTheTarget() {
    EngineSignalLimit limit = limit(64);
    limit.limit();
    waiting = 1;

    for (int i = 0; i < 10; i++) {
      interval(limit, 64);
    }

    assertThat(limit.limit()).isEqualTo(64);
  }

  @Test
  void growsByOneForAWhileAfterTheQueueHeldRequests() {
    EngineSignalLimit limit = limit(64);
    limit.limit();
    waiting = 1;
    interval(limit, 64);
    waiting = 0;

    int first = interval(limit, 64);
    int second = interval(limit, 65);
    for (int i = 0; i < EngineSignalLimit.CALM_INTERVALS; i++) {
      interval(limit, limit.limit());
    }
    int calm = limit.limit();

    assertThat(first).isEqualTo(65);
    assertThat(second).isEqualTo(66);
    assertThat(calm).isGreaterThan(66 + EngineSignalLimit.CALM_INTERVALS);
  }

  @Test
  void followsTheQueueUpAndDown() {
    EngineSignalLimit limit = limit(16);
    limit.limit();
    List<Integer> limits = new ArrayList<>();
    // The engine queues once more than 40 are in flight: the limit should settle around there.
    for (int i = 0; i < 60; i++) {
      int current = limit.limit();
      waiting = Math.max(0, current - 40);
      limits.add(interval(limit, current));
    }

    assertThat(limits.subList(40, 60)).allSatisfy(l -> assertThat(l).isBetween(34, 50));
  }

  @Test
  void neverBelowMinLimit() {
    EngineSignalLimit limit = limit(5);
    limit.limit();
    waiting = 100;

    for (int i = 0; i < 20; i++) {
      interval(limit, 5);
    }

    assertThat(limit.limit()).isEqualTo(4);
  }

  @Test
  void withoutFreshMetricsTheLatencyLimitAloneDecides() {
    EngineSignalLimit limit = new EngineSignalLimit(new FixedLimit(50), load,
        config(ConcurrencyConfig.Mode.STATIC, 50), ticker);
    waiting = 10;
    limit.limit();
    for (int i = 0; i < 5; i++) {
      interval(limit, 50);
    }
    assertThat(limit.limit()).isLessThan(50);

    waiting = Double.NaN;

    assertThat(limit.limit()).isEqualTo(50);
    assertThat(limit.signal()).isEqualTo(EngineSignalLimit.Signal.STALE);
  }

  @Test
  void theLatencyLimitStillCapsIt() {
    EngineSignalLimit limit = new EngineSignalLimit(new FixedLimit(10), load,
        config(ConcurrencyConfig.Mode.STATIC, 10), ticker);

    for (int i = 0; i < 10; i++) {
      interval(limit, 10);
    }

    assertThat(limit.limit()).isEqualTo(10);
    assertThat(limit.engineLimit()).isGreaterThan(10);
  }

  @Test
  void overrideIgnoresTheLatencyLimitWhileTheMetricsAreFresh() {
    EngineSignalConfig engine = EngineSignalConfig.of(EnginePreset.VLLM);
    engine = new EngineSignalConfig(engine.preset(), engine.path(), engine.runningMetric(), engine.waitingMetric(),
        engine.kvCacheMetric(), engine.interval(), engine.timeout(), engine.staleAfter(), engine.targetWaiting(),
        engine.maxResponseBytes(), EngineSignalConfig.Combine.OVERRIDE);
    EngineSignalLimit limit = new EngineSignalLimit(new FixedLimit(10), load,
        new ConcurrencyConfig(ConcurrencyConfig.Mode.STATIC, 10, 4, 1024, engine), ticker);

    for (int i = 0; i < 10; i++) {
      interval(limit, limit.limit());
    }
    int fresh = limit.limit();
    waiting = Double.NaN;

    assertThat(fresh).isGreaterThan(10);
    assertThat(limit.limit()).isEqualTo(10);
  }

  @Test
  void anIdleGatewayKeepsItsLimitWhileOthersQueueTheEngines() {
    EngineSignalLimit limit = limit(64);
    limit.limit();
    waiting = 30;

    for (int i = 0; i < 10; i++) {
      ticker.advance(INTERVAL);
      limit.onRefresh(0, 0);
      limit.limit();
    }

    assertThat(limit.limit()).isEqualTo(64);
  }

  @Test
  void refreshLimitLetsWaitersInWhenTheEnginesDrain() {
    waiting = 0;
    ConcurrencyConfig config = config(ConcurrencyConfig.Mode.STATIC, 4);
    config = new ConcurrencyConfig(config.mode(), 4, 1, 1024, config.engineSignal());
    BackendAdmission admission = new BackendAdmission(config, new WaitingRoomConfig(10, Duration.ofSeconds(10),
        new EnumMap<>(PriorityClass.class), Duration.ofMillis(50), Duration.ofMillis(500)), ticker, load);
    List<Permit> permits = new ArrayList<>();
    List<Permit> late = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      acquire(admission, permits, permits);
    }
    channel.runPendingTasks();
    assertThat(permits).hasSize(2);
    // The engines queue with 2 in flight from here: the limit shrinks to 1, and a third request waits ...
    waiting = 10;
    for (int i = 0; i < 2; i++) {
      ticker.advance(INTERVAL);
      admission.refreshLimit();
    }
    assertThat(admission.limit()).isEqualTo(1);
    acquire(admission, permits, late);
    ticker.advance(INTERVAL);
    admission.refreshLimit();
    channel.runPendingTasks();
    assertThat(late).isEmpty();

    // ... and once they drain, scrapes alone (no request finishing) let it in.
    waiting = 0;
    for (int i = 0; i < 3 && late.isEmpty(); i++) {
      ticker.advance(INTERVAL);
      admission.refreshLimit();
      channel.runPendingTasks();
    }

    assertThat(late).hasSize(1);
    permits.forEach(Permit::onIgnore);
    late.forEach(Permit::onIgnore);
  }

  private void acquire(BackendAdmission admission, List<Permit> firstTwo, List<Permit> rest) {
    admission.acquire(new WaitRequest(PriorityClass.STANDARD, "t", false, ticker.nanoTime()
        + Duration.ofMinutes(1).toNanos()), channel.eventLoop(), new PermitCallback() {
          @Override
          public void onPermit(Permit permit) {
            (firstTwo.size() < 2 ? firstTwo : rest).add(permit);
          }

          @Override
          public void onShed(dev.spillway.core.admission.ShedReason reason, long retryAfterNanos) {}
        });
  }
}
