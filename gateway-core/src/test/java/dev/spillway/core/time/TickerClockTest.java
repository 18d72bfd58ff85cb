package dev.spillway.core.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TickerClockTest {

  @Test
  void followsTheTickerAcrossTheWrap() {
    FakeTicker ticker = new FakeTicker();
    Clock clock = Tickers.clock(ticker);
    Instant start = clock.instant();
    ticker.advance(Duration.ofMinutes(2)); // past Long.MAX_VALUE
    assertThat(Duration.between(start, clock.instant())).isEqualTo(Duration.ofMinutes(2));
    assertThat(clock.millis()).isEqualTo(Duration.ofMinutes(2).toMillis());
  }
}
