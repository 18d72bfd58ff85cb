package dev.spillway.core.admission.concurrency;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.config.ConcurrencyConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.WaitingRoomConfig;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Threads acquire, complete (sometimes twice, with any outcome) and cancel at random, with callbacks on real
 * event loops: every callback runs at most once, in-flight never goes negative nor past its bound, and
 * everything drains back to zero.
 */
class BackendAdmissionConcurrencyTest {
  private static final int LIMIT = 8;
  private static final int THREADS = 4;
  private static final int OPS_PER_THREAD = 20_000;
  private static final PriorityClass[] CLASSES = PriorityClass.values();

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void permitsBalanceUnderContention(boolean withShares) throws Exception {
    Map<PriorityClass, Double> shares = withShares ? WaitingRoomConfig.defaultShares() : AdmissionRig.noShares();
    // Unused guarantees may be taken on top of borrowed capacity: floor(0.5 * 8) + floor(0.3 * 8).
    int bound = withShares ? LIMIT + 4 + 2 : LIMIT;
    BackendAdmission admission = new BackendAdmission(ConcurrencyConfig.fixed(LIMIT),
        AdmissionRig.room(32, shares), new FakeTicker());
    Queue<Permit> granted = new ConcurrentLinkedQueue<>();
    AtomicInteger doubleCallbacks = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    DefaultEventLoopGroup loops = new DefaultEventLoopGroup(2);
    List<Thread> threads = new ArrayList<>();
    CyclicBarrier start = new CyclicBarrier(THREADS);
    try {
      for (int t = 0; t < THREADS; t++) {
        long seed = 1000 + t;
        threads.add(new Thread(() -> {
          try {
            start.await();
            run(new Random(seed), admission, loops, granted, doubleCallbacks, bound);
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failure.get()).isNull();

      // Drain: complete everything granted so far, and let the event loops deliver what follows.
      for (int round = 0; round < 1_000 && (admission.inFlight() > 0 || admission.queued() > 0); round++) {
        Permit p;
        while ((p = granted.poll()) != null) {
          p.onIgnore();
        }
        loops.submit(() -> { }).sync();
      }
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    assertThat(doubleCallbacks.get()).isZero();
    assertThat(admission.queued()).isZero();
    assertThat(admission.inFlight()).isZero();
  }

  private static void run(Random random, BackendAdmission admission, DefaultEventLoopGroup loops,
      Queue<Permit> granted, AtomicInteger doubleCallbacks, int bound) {
    List<Waiter> waiters = new ArrayList<>();
    for (int i = 0; i < OPS_PER_THREAD; i++) {
      int op = random.nextInt(10);
      if (op < 5) {
        WaitRequest request = new WaitRequest(CLASSES[random.nextInt(CLASSES.length)], "t" + random.nextInt(6),
            random.nextInt(4) == 0, Long.MAX_VALUE - 1); // far off, across the FakeTicker's wrap
        EventExecutor loop = loops.next();
        waiters.add(admission.acquire(request, loop, new OnceCallback(granted, doubleCallbacks)));
      } else if (op < 9) {
        Permit p = granted.poll();
        if (p != null) {
          complete(random, p);
          if (random.nextInt(5) == 0) {
            complete(random, p);
          }
        }
      } else if (!waiters.isEmpty()) {
        waiters.remove(random.nextInt(waiters.size())).cancel();
      }
      int inFlight = admission.inFlight();
      assertThat(inFlight).isBetween(0, bound);
    }
  }

  private static void complete(Random random, Permit p) {
    switch (random.nextInt(3)) {
      case 0 -> p.onSuccess(LatencySample.firstToken(Duration.ofMillis(5).toNanos()));
      case 1 -> p.onIgnore();
      default -> p.onDropped();
    }
  }

  /** Hands permits to the completing threads, and counts any second callback. */
  private static final class OnceCallback implements PermitCallback {
    private final Queue<Permit> granted;
    private final AtomicInteger doubleCallbacks;
    private final AtomicInteger calls = new AtomicInteger();

    OnceCallback(Queue<Permit> granted, AtomicInteger doubleCallbacks) {
      this.granted = granted;
      this.doubleCallbacks = doubleCallbacks;
    }

    @Override
    public void onPermit(Permit permit) {
      count();
      granted.add(permit);
    }

    @Override
    public void onShed(ShedReason reason, long retryAfterNanos) {
      count();
    }

    private void count() {
      if (calls.incrementAndGet() > 1) {
        doubleCallbacks.incrementAndGet();
      }
    }
  }
}
