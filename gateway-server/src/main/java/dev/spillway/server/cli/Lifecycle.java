package dev.spillway.server.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/** Blocks the main thread until the JVM is asked to exit, then runs a graceful shutdown to completion. */
final class Lifecycle {
  private Lifecycle() {}

  /**
   * Waits until SIGTERM/SIGINT; the shutdown hook runs {@code shutdown} and holds the JVM open until it
   * completes, so in-flight requests get their grace period.
   */
  static void runUntilShutdown(Supplier<CompletableFuture<Void>> shutdown) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      shutdown.get().join();
      stopped.countDown();
    }, "spillway-shutdown-hook"));
    stopped.await();
  }
}
