package dev.spillway.core.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.time.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void ratioAloneAllowsOneRetryPerFiveRequests() {
    RetryBudget budget = new RetryBudget(0.2, 0, new FakeTicker());
    int allowed = 0;
    for (int i = 0; i < 1000; i++) {
      budget.deposit();
      if (budget.tryWithdraw()) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(200);
    assertThat(budget.retriesAttempted()).isEqualTo(200);
    assertThat(budget.retriesDenied()).isEqualTo(800);
    assertThat(budget.deposits()).isEqualTo(1000);
  }

  @Test
  void floorAllowsOneSecondsWorthThenRefillsWithTime() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = new RetryBudget(0, 10, ticker);
    assertThat(drain(budget)).isEqualTo(10);
    ticker.advanceNanos(SECOND / 10 - 1);
    assertThat(budget.tryWithdraw()).isFalse();
    ticker.advanceNanos(1);
    assertThat(drain(budget)).isEqualTo(1);
    ticker.advanceNanos(SECOND / 2);
    assertThat(drain(budget)).isEqualTo(5);
    // A long quiet spell banks at most one second's worth.
    ticker.advanceNanos(3600 * SECOND);
    assertThat(drain(budget)).isEqualTo(10);
  }

  @Test
  void ratioBalanceIsCapped() {
    RetryBudget budget = new RetryBudget(0.5, 0, new FakeTicker());
    for (int i = 0; i < 10_000; i++) {
      budget.deposit();
    }
    assertThat(budget.balance()).isEqualTo(RetryBudget.MAX_BALANCE);
    assertThat(drain(budget)).isEqualTo(RetryBudget.MAX_BALANCE);
    assertThat(budget.balance()).isZero();
  }

  @Test
  void zeroRatioAndFloorDeniesEverything() {
    RetryBudget budget = new RetryBudget(0, 0, new FakeTicker());
    budget.deposit();
    assertThat(budget.tryWithdraw()).isFalse();
    assertThat(budget.retriesDenied()).isOne();
  }

  /**
   * With every attempt failing and every failure asking for retries, the retries granted stay within
   * {@code ratio × requests + floor × (1s + elapsed)}, whatever the mix and timing of traffic.
   */
  @Test
  void retriesStayWithinRatioPlusFloorUnderTotalFailure() {
    Random random = new Random(7);
    for (int run = 0; run < 200; run++) {
      double ratio = random.nextInt(51) / 100.0;
      int floor = random.nextInt(20);
      FakeTicker ticker = new FakeTicker(random.nextBoolean() ? FakeTicker.NEAR_WRAP : random.nextLong());
      RetryBudget budget = new RetryBudget(ratio, floor, ticker);
      long requests = 0;
      long retries = 0;
      long elapsed = 0;
      int steps = 2000 + random.nextInt(3000);
      for (int step = 0; step < steps; step++) {
        switch (random.nextInt(4)) {
          case 0 -> {
            long dt = random.nextInt(4) == 0 ? random.nextLong(5 * SECOND) : random.nextLong(SECOND / 50);
            ticker.advanceNanos(dt);
            elapsed += dt;
          }
          default -> {
            // One request: its first attempt fails, and it keeps asking for retries (up to 2) while allowed.
            budget.deposit();
            requests++;
            for (int r = 0; r < 2 && budget.tryWithdraw(); r++) {
              retries++;
            }
          }
        }
        double bound = ratio * requests + floor * (1 + (double) elapsed / SECOND) + 1e-9;
        assertThat((double) retries).as("run %d step %d", run, step).isLessThanOrEqualTo(bound);
        assertThat(budget.balance()).isBetween(0.0, (double) RetryBudget.MAX_BALANCE);
      }
      assertThat(budget.retriesAttempted()).isEqualTo(retries);
      // The budget is not stingier than promised either: with no floor, it pays out the ratio.
      if (floor == 0) {
        assertThat((double) retries).isGreaterThanOrEqualTo(ratio * requests - RetryBudget.MAX_BALANCE - 1);
      }
    }
  }

  @Test
  void concurrentUseNeverOverdrawsOrLosesTokens() throws Exception {
    int threads = 8;
    int perThread = 20_000;
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = new RetryBudget(0.25, 5, ticker);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(pool.submit(() -> {
          start.await();
          long granted = 0;
          for (int i = 0; i < perThread; i++) {
            budget.deposit();
            if (budget.tryWithdraw()) {
              granted++;
            }
            if (budget.tryWithdraw()) {
              granted++;
            }
          }
          return granted;
        }));
      }
      start.countDown();
      long granted = 0;
      for (Future<Long> f : results) {
        granted += f.get(60, TimeUnit.SECONDS);
      }
      long requests = (long) threads * perThread;
      // Time never moved: the floor paid its first second (5); the ratio's quarter tokens were neither lost
      // nor paid twice: what was granted plus what is left is exactly what was deposited.
      assertThat(granted + budget.balance()).isEqualTo(requests / 4 + 5.0);
      assertThat(budget.balance()).isBetween(0.0, (double) threads);
      assertThat(budget.retriesAttempted()).isEqualTo(granted);
      assertThat(budget.retriesDenied()).isEqualTo(2 * requests - granted);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void validates() {
    FakeTicker ticker = new FakeTicker();
    assertThatThrownBy(() -> new RetryBudget(1.5, 0, ticker)).hasMessage("ratio: 1.5 (expected: 0..1)");
    assertThatThrownBy(() -> new RetryBudget(Double.NaN, 0, ticker)).hasMessage("ratio: NaN (expected: 0..1)");
    assertThatThrownBy(() -> new RetryBudget(0.1, -1, ticker))
        .hasMessage("minRetriesPerSecond: -1 (expected: >= 0)");
  }

  private static long drain(RetryBudget budget) {
    long n = 0;
    while (budget.tryWithdraw()) {
      n++;
    }
    return n;
  }
}
