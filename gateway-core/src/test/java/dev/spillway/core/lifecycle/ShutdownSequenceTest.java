package dev.spillway.core.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.lifecycle.ShutdownSequence.Phase;
import dev.spillway.core.time.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The order of a graceful stop on fake time: not ready, then no new connections, then drain, then close. */
class ShutdownSequenceTest {
  /** Starts just before the nano counter wraps: the sequence must compare by subtraction. */
  private final FakeTicker ticker = new FakeTicker();
  private final long origin = ticker.nanoTime();
  private final PriorityQueue<Task> tasks = new PriorityQueue<>();
  private final List<String> log = new ArrayList<>();
  private long seq;
  private int inFlight;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private record Task(long due, long seq, Runnable run) implements Comparable<Task> {
    @Override
    public int compareTo(Task o) {
      return due != o.due ? Long.compare(due - o.due, 0) : Long.compare(seq, o.seq);
    }
  }

  private ShutdownSequence sequence(Duration delay, Duration grace) {
    return new ShutdownSequence(delay, grace, Duration.ofMillis(20), ticker,
        (task, nanos) -> tasks.add(new Task(ticker.nanoTime() + nanos, seq++, task)));
  }

  /** Moves fake time forward by {@code millis}, running every task that falls due on the way. */
  private void advance(long millis) {
    long until = ticker.nanoTime() + Duration.ofMillis(millis).toNanos();
    while (!tasks.isEmpty() && tasks.peek().due() - until <= 0) {
      Task t = tasks.poll();
      ticker.advanceNanos(t.due() - ticker.nanoTime());
      t.run().run();
    }
    ticker.advanceNanos(until - ticker.nanoTime());
  }

  private long elapsedMillis() {
    return Duration.ofNanos(ticker.nanoTime() - origin).toMillis();
  }

  private final ShutdownSequence.Steps steps = new ShutdownSequence.Steps() {
    @Override
    public void stopAccepting() {
      log.add("stopAccepting@" + elapsedMillis());
    }

    @Override
    public boolean drained() {
      return inFlight == 0;
    }

    @Override
    public CompletableFuture<Void> closeRest(boolean graceExpired) {
      log.add("closeRest@" + elapsedMillis() + (graceExpired ? " expired" : ""));
      return closed;
    }
  };

  @Test
  void failsReadinessForTheDelayThenStopsAcceptingThenWaitsForTheStreams() {
    ShutdownSequence s = sequence(Duration.ofSeconds(5), Duration.ofSeconds(30));
    inFlight = 1;
    CompletableFuture<Void> done = s.start(steps);
    assertThat(s.phase()).isEqualTo(Phase.NOT_READY);
    advance(4_999);
    assertThat(log).as("the listener stays open during the readiness delay").isEmpty();
    advance(1);
    assertThat(log).containsExactly("stopAccepting@5000");
    assertThat(s.phase()).isEqualTo(Phase.DRAINING);
    advance(10_000);
    assertThat(log).as("a stream still runs: no closing yet").hasSize(1);
    inFlight = 0;
    advance(20);
    assertThat(log).containsExactly("stopAccepting@5000", "closeRest@15020");
    assertThat(s.phase()).isEqualTo(Phase.CLOSING);
    assertThat(done).isNotDone();
    closed.complete(null);
    assertThat(done).isCompleted();
    assertThat(s.phase()).isEqualTo(Phase.STOPPED);
    assertThat(s.start(steps)).as("idempotent").isSameAs(done);
  }

  @Test
  void closesWhatIsLeftWhenTheGracePeriodEnds() {
    ShutdownSequence s = sequence(Duration.ofSeconds(2), Duration.ofSeconds(30));
    inFlight = 3;
    s.start(steps);
    advance(2_000 + 29_999);
    assertThat(log).containsExactly("stopAccepting@2000");
    advance(20);
    assertThat(log).containsExactly("stopAccepting@2000", "closeRest@32000 expired");
  }

  @Test
  void withoutADelayTheListenerClosesBeforeStartReturns() {
    ShutdownSequence s = sequence(Duration.ZERO, Duration.ofSeconds(30));
    s.start(steps);
    assertThat(log).containsExactly("stopAccepting@0");
    assertThat(s.phase()).isEqualTo(Phase.DRAINING);
    advance(0);
    assertThat(log).containsExactly("stopAccepting@0", "closeRest@0");
  }
}
