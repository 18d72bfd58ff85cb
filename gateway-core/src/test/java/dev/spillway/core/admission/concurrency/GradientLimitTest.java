package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.ConcurrencyConfig.Mode;
import org.junit.jupiter.api.Test;

/** The adaptive limit's rules, one at a time, fed samples directly (simulations cover the dynamics). */
class GradientLimitTest {
  static final long BASE = 1_000_000;

  @Test
  void pinnedAtMinLimitUntilTheBaselineIsMeasuredThenStartsAtLimit() {
    GradientLimit limit = limit(100);
    assertThat(limit.limit()).isEqualTo(4);

    limit.onSample(LatencySample.perToken(50 * BASE, 50), 9, limit.window(), 0);
    assertThat(limit.baselineNanos(LatencySample.Signal.PER_TOKEN)).as("admitted above minLimit: ignored")
        .isZero();
    probe(limit);

    assertThat(limit.limit()).isEqualTo(100);
    assertThat(limit.baselineNanos(LatencySample.Signal.PER_TOKEN)).isEqualTo(BASE);
  }

  @Test
  void theStartEndsAfterASecondEvenWithoutSamples() {
    GradientLimit limit = limit(100);
    limit.onTick(0);
    limit.onTick(GradientLimit.START_NANOS - 1);
    assertThat(limit.limit()).as("still pinned").isEqualTo(4);

    limit.onTick(GradientLimit.START_NANOS);

    assertThat(limit.limit()).as("long answers gave no sample: the configured limit anyway").isEqualTo(100);
  }

  @Test
  void firstTokensOfTheStartThatCameAfterItSeedTheirBaseline() {
    GradientLimit limit = limit(100);
    long start = limit.window();
    limit.onTick(0);
    limit.onTick(GradientLimit.START_NANOS);
    assertThat(limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN)).as("no first token in the start").isZero();

    for (int i = 0; i < GradientLimit.MIN_SIGNAL_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken((2 + i) * 100 * BASE), 4, start, 2 * GradientLimit.START_NANOS);
    }

    assertThat(limit.baselineNanos(LatencySample.Signal.FIRST_TOKEN)).isEqualTo(300 * BASE);
  }

  @Test
  void firstTokensFarAboveBaselineInDistinctStepsDecreaseWithinTheWindow() {
    GradientLimit limit = limit(100);
    for (int i = 0; i < GradientLimit.PROBE_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(40 * BASE), 4, limit.window(), 0);
    }
    long window = limit.window();
    long far = 3 * 40 * BASE;
    // 40 places freed while they waited: the backend did not run all 100 at once.
    for (int i = 0; i < 40; i++) {
      limit.onRelease(-50 * BASE + i);
    }

    for (int i = 0; i < GradientLimit.EARLY_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(far), 100, window, 1_000);
    }
    assertThat(limit.limit()).as("one engine step's first tokens count once").isEqualTo(100);

    for (int i = 1; i < GradientLimit.EARLY_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(far), 100, window, 1_000 + i * 40 * BASE);
    }

    // Little's law: at 40 departures a second, 80 ms beyond the baseline is 3 queued ahead.
    assertThat(limit.limit()).isEqualTo(96);
    assertThat(limit.window()).as("a new window").isGreaterThan(window);
  }

  @Test
  void slowFirstTokensAtALimitTheBackendWasJustSeenRunningAtOnceAreNoQueue() {
    GradientLimit limit = limit(64);
    for (int i = 0; i < GradientLimit.PROBE_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(40 * BASE), 4, limit.window(), 0);
    }
    long window = limit.window();
    long far = 3 * 40 * BASE;

    // Admitted with 64 in flight, no place freed while they waited: the backend ran all 64 at once.
    for (int i = 1; i <= GradientLimit.EARLY_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(far), 64, window, i * 40 * BASE);
    }
    assertThat(limit.limit()).as("prefills sharing engine steps, not a queue").isEqualTo(64);

    // A second and more than ServedAtOnce.MIN_BOUNDS first tokens later, 10 places freed during each wait: 54
    // ran at once, not 64: a queue.
    for (int i = 0; i < ServedAtOnce.MIN_BOUNDS; i++) {
      limit.onSample(LatencySample.firstToken(40 * BASE), 10, window - 1, 1900 * BASE);
    }
    for (int i = 0; i < 10; i++) {
      limit.onRelease(2000 * BASE + i);
    }
    for (int i = 0; i < GradientLimit.EARLY_SAMPLES; i++) {
      limit.onSample(LatencySample.firstToken(400 * BASE), 64, limit.window(), 2100 * BASE + i * 40 * BASE);
    }
    assertThat(limit.limit()).isLessThan(64);
  }

  @Test
  void aBurstOfDropsFromOneWindowShrinksTheLimitOnce() {
    GradientLimit limit = limit(100);
    probe(limit);
    long window = limit.window();

    for (int i = 0; i < 64; i++) {
      limit.onDropped(window, 0);
    }

    assertThat(limit.limit()).isEqualTo(90);
  }

  @Test
  void samplesAdmittedUnderAnEarlierLimitAreIgnored() {
    GradientLimit limit = limit(100);
    probe(limit);
    long old = limit.window();
    limit.onDropped(old, 0);

    // 1.5x: congested, but not the heavy queueing (2x) that the fast decrease acts on whenever admitted.
    window(limit, old, 3 * BASE / 2, 90);

    assertThat(limit.limit()).isEqualTo(90);
  }

  @Test
  void heavyQueueingCutsTheLimitByLittlesLawWhateverWindowTheSamplesWereAdmittedIn() {
    GradientLimit limit = limit(1024);
    probe(limit);
    long old = limit.window();
    limit.onDropped(old, 0);

    // Admitted with 800 in flight, each took 10x the baseline: the backend serves 80 at once.
    for (int i = 0; i < GradientLimit.FAST_DECREASE_SAMPLES; i++) {
      limit.onSample(LatencySample.perToken(50 * 10 * BASE, 50), 800, old, 0);
    }

    assertThat(limit.limit()).isEqualTo(80);
    assertThat(limit.window()).as("once per window").isEqualTo(old + 2);
  }

  @Test
  void oneSlowAnswerAmongRecentSamplesDoesNotCutTheLimit() {
    GradientLimit limit = limit(100);
    probe(limit);
    long w = limit.window();

    limit.onSample(LatencySample.perToken(50 * 20 * BASE, 50), 100, w, 0);
    for (int i = 1; i < GradientLimit.FAST_DECREASE_SAMPLES; i++) {
      limit.onSample(LatencySample.perToken(50 * BASE, 50), 100, w - 1, 0);
    }

    assertThat(limit.limit()).isEqualTo(100);
    assertThat(limit.window()).isEqualTo(w);
  }

  @Test
  void perTokenCongestionCutsTheLimitByLittlesLawOncePerWindow() {
    GradientLimit limit = limit(100);
    probe(limit);

    window(limit, limit.window(), 125 * BASE / 100, 100);

    assertThat(limit.limit()).as("100 * 1 / 1.25").isEqualTo(80);
  }

  @Test
  void sustainedCongestionKeepsTheLimitDownInsteadOfBecomingTheNewBaseline() {
    GradientLimit limit = limit(100);
    probe(limit);

    for (int i = 0; i < 50; i++) {
      window(limit, limit.window(), 2 * BASE, limit.limit());
    }

    assertThat(limit.limit()).isEqualTo(4);
    assertThat(limit.baselineNanos(LatencySample.Signal.PER_TOKEN)).isEqualTo(BASE);
  }

  @Test
  void growsOnlyWhenTheLimitWasReached() {
    GradientLimit limit = limit(64);
    probe(limit);

    window(limit, limit.window(), BASE, 20);
    assertThat(limit.limit()).as("far below the limit: no evidence").isEqualTo(64);

    window(limit, limit.window(), BASE, 64);
    assertThat(limit.limit()).as("slow start: x1.6").isEqualTo(102);
  }

  @Test
  void firstTokensJudgeAMixedWindowNotTheBatchSlowdownPerToken() {
    GradientLimit limit = limit(64);
    limit.onSample(LatencySample.firstToken(100 * BASE), 4, limit.window(), 0);
    for (int i = 0; i < 4; i++) {
      limit.onSample(LatencySample.firstToken(100 * BASE), 4, limit.window(), 0);
      limit.onSample(LatencySample.perToken(50 * BASE, 50), 4, limit.window(), 0);
    }
    limit.onSample(LatencySample.perToken(50 * BASE, 50), 4, limit.window(), 0);
    assertThat(limit.limit()).isEqualTo(64);

    long w = limit.window();
    for (int i = 0; i < GradientLimit.WINDOW_SAMPLES / 2; i++) {
      limit.onSample(LatencySample.firstToken(110 * BASE), 64, w, 0);
      limit.onSample(LatencySample.perToken(65 * BASE, 50), 64, w, 0);
    }

    assertThat(limit.limit()).as("per token 1.3x baseline, first tokens within tolerance: slow start, x1.6")
        .isEqualTo(102);
  }

  @Test
  void successesWithoutASignalTeachNothing() {
    GradientLimit limit = limit(64);
    for (int i = 0; i < 50; i++) {
      limit.onSample(LatencySample.NONE, 1, limit.window(), 0);
    }

    assertThat(limit.limit()).as("still probing").isEqualTo(4);
  }

  private static void probe(GradientLimit limit) {
    for (int i = 0; i < GradientLimit.PROBE_SAMPLES; i++) {
      limit.onSample(LatencySample.perToken(50 * BASE, 50), 4, limit.window(), 0);
    }
  }

  private static void window(GradientLimit limit, long window, long perToken, int inFlight) {
    for (int i = 0; i < GradientLimit.WINDOW_SAMPLES; i++) {
      limit.onSample(LatencySample.perToken(50 * perToken, 50), inFlight, window, 0);
    }
  }

  private static GradientLimit limit(int initial) {
    return new GradientLimit(new ConcurrencyConfig(Mode.ADAPTIVE, initial, 4, 1024));
  }
}
