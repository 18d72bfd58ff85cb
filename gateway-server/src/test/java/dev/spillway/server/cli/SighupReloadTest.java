package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SIGHUP is trapped before the gateway starts, so one that arrives while its listeners open no longer stops
 * it (the JVM's default) and is not lost: the reload runs once the gateway is up.
 */
class SighupReloadTest {
  private final AtomicInteger reloads = new AtomicInteger();
  private final SighupReload sighup = new SighupReload();

  @Test
  void aSignalDuringStartReloadsOnceTheGatewayIsUp() {
    sighup.onSignal();
    sighup.onSignal();
    assertThat(reloads).hasValue(0);

    sighup.started(reloads::incrementAndGet);

    assertThat(reloads).as("the signals during start ask for one reload of the file as it is now").hasValue(1);
  }

  @Test
  void withoutASignalDuringStartNothingReloadsUntilOneComes() {
    sighup.started(reloads::incrementAndGet);
    assertThat(reloads).hasValue(0);

    sighup.onSignal();
    sighup.onSignal();

    assertThat(reloads).hasValue(2);
  }
}
