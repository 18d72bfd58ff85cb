package dev.spillway.core.upstream.resilience;

import dev.spillway.core.attempt.AttemptOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.config.Balancing;
import dev.spillway.core.time.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class AttemptConcurrencyTest {
  private static final int THREADS = 4;
  private static final int ATTEMPTS_PER_THREAD = 5_000;

  /**
   * Threads acquire attempts and race to complete each one several ways at once: exactly one completion wins
   * per attempt, and every outstanding count returns to zero.
   */
  @ParameterizedTest
  @EnumSource(Balancing.class)
  void everyAttemptCompletesExactlyOnce(Balancing balancing) throws Exception {
    EndpointGroup group = Groups.group(Groups.endpoints(8), Groups.breakerOnly(balancing), new FakeTicker(),
        EndpointEventListener.NOOP);
    AtomicInteger wins = new AtomicInteger();
    AtomicInteger acquired = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS * 2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        futures.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < ATTEMPTS_PER_THREAD; i++) {
            EndpointAttempt a = group.acquire();
            if (a == null) {
              continue;
            }
            acquired.incrementAndGet();
            int way = ThreadLocalRandom.current().nextInt(3);
            // Complete twice from here, racing a completion from another thread.
            Future<Boolean> other = pool.submit(() -> a.onCancelled());
            boolean mine = way == 0 ? a.onSuccess(1) : way == 1 ? a.onFailure(AttemptOutcome.TIMEOUT, 1)
                : a.onCancelled();
            boolean again = a.onSuccess(1);
            int won = (mine ? 1 : 0) + (again ? 1 : 0) + (other.get() ? 1 : 0);
            wins.addAndGet(won);
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(wins.get()).isEqualTo(acquired.get());
    assertThat(acquired.get()).isPositive();
    for (EndpointState s : group.states()) {
      assertThat(s.outstanding()).as(s.toString()).isZero();
    }
  }
}
