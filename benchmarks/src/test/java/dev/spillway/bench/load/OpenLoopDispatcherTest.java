package dev.spillway.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.time.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenLoopDispatcherTest {
  private final FakeTicker ticker = new FakeTicker();
  private final List<long[]> sent = new ArrayList<>();

  @Test
  void sendsEachRequestAtItsIntendedStart() {
    long origin = ticker.nanoTime();
    OpenLoopDispatcher d = new OpenLoopDispatcher(Schedule.constant(10, Duration.ofSeconds(1)), origin,
        (i, intended) -> sent.add(new long[] {i, intended}));
    assertThat(d.dispatchDue(ticker.nanoTime())).isEqualTo(100_000_000L);
    assertThat(sent).hasSize(1);
    ticker.advance(Duration.ofMillis(99));
    assertThat(d.dispatchDue(ticker.nanoTime())).isEqualTo(1_000_000L);
    assertThat(sent).hasSize(1);
    ticker.advance(Duration.ofMillis(1));
    d.dispatchDue(ticker.nanoTime());
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1)[1] - origin).isEqualTo(100_000_000L);
  }

  @Test
  void aLateDispatcherSendsTheBacklogWithTheOriginalIntendedStarts() {
    long origin = ticker.nanoTime();
    OpenLoopDispatcher d = new OpenLoopDispatcher(Schedule.constant(10, Duration.ofSeconds(1)), origin,
        (i, intended) -> sent.add(new long[] {i, intended}));
    // A 750 ms stall (GC, a busy core): nothing was sent meanwhile.
    ticker.advance(Duration.ofMillis(750));
    long wait = d.dispatchDue(ticker.nanoTime());
    assertThat(sent).hasSize(8);
    for (int i = 0; i < 8; i++) {
      // Not "now": the latency of each late request must include the time it should already have been sent.
      assertThat(sent.get(i)[1] - origin).isEqualTo(i * 100_000_000L);
    }
    assertThat(wait).isEqualTo(50_000_000L);
    ticker.advance(Duration.ofSeconds(5));
    assertThat(d.dispatchDue(ticker.nanoTime())).isEqualTo(-1);
    assertThat(d.dispatched()).isEqualTo(10);
  }

  @Test
  void coordinatedOmissionIsCorrectedInTheRecordedLatency() {
    long origin = ticker.nanoTime();
    LoadResult result = new LoadResult(origin, 10, Long.MAX_VALUE);
    OpenLoopDispatcher d = new OpenLoopDispatcher(Schedule.constant(10, Duration.ofSeconds(1)), origin,
        (i, intended) -> sent.add(new long[] {i, intended}));
    ticker.advance(Duration.ofMillis(500));
    d.dispatchDue(ticker.nanoTime());
    // Every request is answered 10 ms after it actually went out, at 500 ms.
    ticker.advance(Duration.ofMillis(10));
    for (long[] s : sent) {
      result.response(s[1], ticker.nanoTime(), 200, -1, 0);
    }
    // The first request was intended at 0, so it waited 510 ms, not 10 ms.
    assertThat(result.okLatency().getMaxValue()).isBetween(509_000L, 511_000L);
    assertThat(result.okLatency().getMinValue()).isBetween(9_900L, 10_100L);
  }
}
