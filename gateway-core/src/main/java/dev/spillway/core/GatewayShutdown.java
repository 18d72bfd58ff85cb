package dev.spillway.core;

import dev.spillway.core.config.Durations;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.lifecycle.ShutdownSequence;
import dev.spillway.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a gateway gracefully, once: runs a {@link ShutdownSequence} (its order and waits) over the steps of
 * {@link GatewayResources} (what each step closes), on a daemon thread of its own. The server settings are
 * read when the stop begins.
 */
final class GatewayShutdown {
  // Logged as the gateway: operators filter its start and stop lines by that name.
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final long DRAIN_POLL_MILLIS = 20;

  private final GatewayResources resources;
  private final Supplier<ServerConfig> serverConfig;
  /** The stop in progress, or {@code null} before {@link #start()}. */
  private volatile ShutdownSequence stopping;
  private volatile CompletableFuture<Void> shutdown;

  GatewayShutdown(GatewayResources resources, Supplier<ServerConfig> serverConfig) {
    this.resources = resources;
    this.serverConfig = serverConfig;
  }

  /** Whether {@link #start()} was called. */
  boolean begun() {
    return shutdown != null;
  }

  /** Whether the stop has begun: readiness fails from then on (before the listener closes). */
  boolean isShuttingDown() {
    ShutdownSequence s = stopping;
    return s != null && s.phase() != ShutdownSequence.Phase.RUNNING;
  }

  /** Starts the stop, or returns the one started (the caller serializes calls). */
  CompletableFuture<Void> start() {
    if (shutdown != null) {
      return shutdown;
    }
    ScheduledExecutorService waiter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "spillway-shutdown");
      t.setDaemon(true);
      return t;
    });
    ServerConfig server = serverConfig.get();
    if (server.shutdownDelay().toNanos() > 0) {
      log.info("shutting down: not ready from now on; the listener closes in {}",
          Durations.format(server.shutdownDelay()));
    }
    stopping = new ShutdownSequence(server.shutdownDelay(), server.shutdownTimeout(),
        Duration.ofMillis(DRAIN_POLL_MILLIS), Ticker.system(),
        (task, nanos) -> waiter.schedule(task, nanos, TimeUnit.NANOSECONDS));
    shutdown = stopping.start(new ShutdownSequence.Steps() {
      @Override
      public void stopAccepting() {
        resources.stopAccepting(serverConfig.get());
      }

      @Override
      public boolean drained() {
        return resources.drained();
      }

      @Override
      public CompletableFuture<Void> closeRest(boolean graceExpired) {
        waiter.shutdown();
        return resources.closeRest(graceExpired, serverConfig.get());
      }
    });
    return shutdown;
  }
}
