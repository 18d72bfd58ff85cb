package dev.spillway.server.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGHUP reloads the config file of a running gateway. The signal is trapped before the gateway starts
 * (the JVM's default for SIGHUP is to exit, so a {@code kill -HUP} or {@code systemctl reload} that came
 * while the listeners were opening used to stop a gateway that was already serving); one that arrives
 * before the gateway is up is remembered and applied once it is ({@link #started}), since the file may have
 * changed after it was read. A gateway without a config file traps it too ({@link #nothingToReload}):
 * {@code systemctl reload} must not stop a gateway that merely has nothing to reload.
 */
final class SighupReload {
  private static final Logger log = LoggerFactory.getLogger(SighupReload.class);

  /** Reloads the running gateway's config; {@code null} until it is up. */
  private Runnable reload;
  private boolean pending;

  /** Traps SIGHUP; whether it could be trapped on this JVM. */
  boolean trap() {
    return Signals.trap(this::onSignal, "HUP");
  }

  /**
   * The gateway is up and {@code reload} reloads its config: SIGHUP runs it from now on, and one that came
   * during start runs now.
   */
  void started(Runnable reload) {
    boolean reloadNow;
    synchronized (this) {
      this.reload = reload;
      reloadNow = pending;
      pending = false;
    }
    if (reloadNow) {
      reload.run();
    }
  }

  /** The gateway is up and has no config file ({@code why}): SIGHUP is logged and otherwise ignored. */
  void nothingToReload(String why) {
    started(() -> log.warn("SIGHUP ignored: {}, so there is nothing to reload", why));
  }

  /** SIGHUP arrived (on the JVM's signal thread). */
  void onSignal() {
    Runnable target;
    synchronized (this) {
      target = reload;
      if (target == null) {
        pending = true;
        return;
      }
    }
    target.run();
  }
}
