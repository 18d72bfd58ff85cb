package dev.spillway.server.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blocks the main thread until the process is asked to stop, then runs a graceful shutdown to completion.
 *
 * <p>SIGTERM and SIGINT are trapped: the main thread runs the shutdown and returns normally, so a graceful stop
 * exits with status 0 (a JVM that dies of the signal itself exits with 143 or 130, which supervisors report
 * as a failure). Where signals cannot be trapped, and for any other way the JVM is asked to exit, a shutdown
 * hook runs the same shutdown and holds the JVM open until it completes.
 */
final class Lifecycle {
  private static final Logger log = LoggerFactory.getLogger(Lifecycle.class);

  private final CountDownLatch signalled = new CountDownLatch(1);

  private Lifecycle() {}

  /**
   * Traps SIGTERM and SIGINT from now on; call it before starting anything, so a signal that arrives during
   * startup is kept and acted on once {@link #runUntilShutdown} runs.
   */
  static Lifecycle trapSignals() {
    Lifecycle lifecycle = new Lifecycle();
    if (!Signals.trap(lifecycle.signalled::countDown, "TERM", "INT")) {
      log.debug("signals cannot be trapped here; the shutdown hook stops the gateway");
    }
    return lifecycle;
  }

  /**
   * Waits until SIGTERM/SIGINT (or JVM exit), then runs {@code shutdown} once and waits for it, so in-flight
   * requests get their grace period.
   */
  void runUntilShutdown(Supplier<CompletableFuture<Void>> shutdown) throws InterruptedException {
    AtomicReference<CompletableFuture<Void>> started = new AtomicReference<>();
    Supplier<CompletableFuture<Void>> once = () -> {
      CompletableFuture<Void> mine = new CompletableFuture<>();
      if (started.compareAndSet(null, mine)) {
        shutdown.get().whenComplete((v, e) -> {
          if (e != null) {
            mine.completeExceptionally(e);
          } else {
            mine.complete(null);
          }
        });
      }
      return started.get();
    };
    Thread hook = new Thread(() -> once.get().join(), "spillway-shutdown-hook");
    Runtime.getRuntime().addShutdownHook(hook);
    signalled.await();
    once.get().join();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException alreadyExiting) {
      // The JVM is exiting anyway; the hook finds the shutdown done.
    }
  }
}
