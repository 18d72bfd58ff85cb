package dev.spillway.core.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.spillway.core.config.ConfigException;
import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.OverloadConfig.Thresholds;
import dev.spillway.core.time.FakeTicker;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OverloadManagerTest {
  private final FakeMemory memory = new FakeMemory();
  private final FakeTicker ticker = new FakeTicker();

  private OverloadManager manager(int maxConnections) {
    return new OverloadManager(new OverloadConfig(maxConnections, Thresholds.DEFAULTS,
        new Thresholds(0.5, 0.6, 0.7), Duration.ofMillis(250), Duration.ofSeconds(2)), memory, ticker);
  }

  @Test
  void actionsFollowTheWorseOfHeapAndDirectMemoryPressure() {
    OverloadManager overload = manager(0);
    overload.sample();
    assertThat(overload.activeActions()).isEmpty();

    memory.at(0.81, 0.1);
    overload.sample();
    assertThat(overload.activeActions()).containsExactly(OverloadAction.KEEP_ALIVE_OFF);
    assertThat(overload.heapPressure()).isEqualTo(0.81);

    memory.at(0.86, 0.1);
    overload.sample();
    assertThat(overload.activeActions()).containsExactly(OverloadAction.KEEP_ALIVE_OFF,
        OverloadAction.SHORTEN_TIMEOUTS);
    assertThat(overload.clientTimeoutNanos(TimeUnit.SECONDS.toNanos(30))).isEqualTo(TimeUnit.SECONDS.toNanos(2));
    assertThat(overload.clientTimeoutNanos(TimeUnit.SECONDS.toNanos(1))).isEqualTo(TimeUnit.SECONDS.toNanos(1));

    memory.at(0.1, 0.7);
    overload.sample();
    assertThat(overload.activeActions()).as("direct memory has thresholds of its own")
        .containsExactly(OverloadAction.values());
    assertThat(overload.directMemoryPressure()).isEqualTo(0.7);

    memory.at(0.1, 0.1);
    overload.sample();
    assertThat(overload.activeActions()).isEmpty();
    assertThat(overload.clientTimeoutNanos(TimeUnit.SECONDS.toNanos(30))).isEqualTo(TimeUnit.SECONDS.toNanos(30));
  }

  @Test
  void connectionsOverTheCapAreClosedAtAcceptAndCounted() {
    OverloadManager overload = manager(2);
    EmbeddedChannel listener = new EmbeddedChannel(new ConnectionCap(overload));
    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    EmbeddedChannel c = new EmbeddedChannel();
    listener.writeInbound(a, b, c);
    assertThat(listener.<EmbeddedChannel>readInbound()).isSameAs(a);
    assertThat(listener.<EmbeddedChannel>readInbound()).isSameAs(b);
    assertThat(listener.<Object>readInbound()).as("the third never reaches the acceptor").isNull();
    assertThat(c.isOpen()).isFalse();
    assertThat(overload.connections()).isEqualTo(2);
    assertThat(overload.rejectedConnections()).isEqualTo(1);

    a.close();
    assertThat(overload.connections()).isEqualTo(1);
    EmbeddedChannel d = new EmbeddedChannel();
    listener.writeInbound(d);
    assertThat(listener.<EmbeddedChannel>readInbound()).as("room again once one closed").isSameAs(d);
    b.close();
    d.close();
    listener.finishAndReleaseAll();
  }

  @Test
  void thresholdsAreSharesOfMemory() {
    assertThatThrownBy(() -> new Thresholds(0.8, 1.5, 0.9)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("shortenTimeouts").hasMessageContaining("1.5");
    assertThatThrownBy(() -> new Thresholds(0, 0.5, 0.9)).hasMessageContaining("keepAliveOff");
    assertThatThrownBy(() -> new OverloadConfig(-1, Thresholds.DEFAULTS, Thresholds.DEFAULTS,
        Duration.ofMillis(250), Duration.ofSeconds(2))).hasMessageContaining("maxConnections");
  }
}
