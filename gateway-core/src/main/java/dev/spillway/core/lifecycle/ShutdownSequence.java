package dev.spillway.core.lifecycle;

import dev.spillway.core.time.Ticker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The order of a graceful stop, apart from what each step does:
 * <ol>
 *   <li>{@link Phase#NOT_READY}: readiness fails, everything else runs as before, for {@code readinessDelay}
 *       (load balancers and endpoint lists stop sending new traffic meanwhile);
 *   <li>{@link Phase#DRAINING}: {@link Steps#stopAccepting()} closes the listener and tells connections to
 *       finish; the sequence polls {@link Steps#drained()} until it holds or {@code gracePeriod} has passed;
 *   <li>{@link Phase#CLOSING}: {@link Steps#closeRest(boolean)} closes whatever is left;
 *   <li>{@link Phase#STOPPED} once that completes.
 * </ol>
 * Time comes from the {@link Ticker}, waits from the {@link Scheduler}, so tests run it on fake time. Starting
 * twice returns the same future.
 */
public final class ShutdownSequence {
  /** Where the stop is. */
  public enum Phase {
    RUNNING,
    NOT_READY,
    DRAINING,
    CLOSING,
    STOPPED
  }

  /** What each step does. */
  public interface Steps {
    /** Closes the listener and lets connections finish their current request. */
    void stopAccepting();

    /** Whether nothing is left in flight. */
    boolean drained();

    /**
     * Closes connections, pools and threads.
     *
     * @param graceExpired whether requests were still running when the grace period ended
     */
    CompletableFuture<Void> closeRest(boolean graceExpired);
  }

  /** Runs a task later; the production one is a single daemon thread. */
  @FunctionalInterface
  public interface Scheduler {
    void schedule(Runnable task, long delayNanos);
  }

  private final long readinessDelayNanos;
  private final long graceNanos;
  private final long pollNanos;
  private final Ticker ticker;
  private final Scheduler scheduler;
  private volatile Phase phase = Phase.RUNNING;
  private CompletableFuture<Void> done;
  private Steps steps;
  private long deadline;

  /**
   * @param readinessDelay how long readiness fails before the listener closes
   * @param gracePeriod how long in-flight requests may run once it has closed
   * @param poll how often {@link Steps#drained()} is asked
   */
  public ShutdownSequence(Duration readinessDelay, Duration gracePeriod, Duration poll, Ticker ticker,
      Scheduler scheduler) {
    this.readinessDelayNanos = readinessDelay.toNanos();
    this.graceNanos = gracePeriod.toNanos();
    this.pollNanos = Math.max(1, poll.toNanos());
    this.ticker = ticker;
    this.scheduler = scheduler;
  }

  public Phase phase() {
    return phase;
  }

  /**
   * Begins the stop: readiness fails now; with no delay the listener closes before this returns. The future
   * completes when {@link Steps#closeRest} has.
   */
  public synchronized CompletableFuture<Void> start(Steps stepsToRun) {
    if (done != null) {
      return done;
    }
    done = new CompletableFuture<>();
    steps = stepsToRun;
    phase = Phase.NOT_READY;
    if (readinessDelayNanos > 0) {
      scheduler.schedule(this::stopAccepting, readinessDelayNanos);
    } else {
      stopAccepting();
    }
    return done;
  }

  private void stopAccepting() {
    phase = Phase.DRAINING;
    deadline = ticker.nanoTime() + graceNanos;
    try {
      steps.stopAccepting();
    } catch (RuntimeException e) {
      done.completeExceptionally(e);
      return;
    }
    scheduler.schedule(this::poll, 0);
  }

  private void poll() {
    boolean drained = steps.drained();
    if (!drained && ticker.nanoTime() - deadline < 0) {
      scheduler.schedule(this::poll, pollNanos);
      return;
    }
    phase = Phase.CLOSING;
    steps.closeRest(!drained).whenComplete((v, e) -> {
      phase = Phase.STOPPED;
      if (e != null) {
        done.completeExceptionally(e);
      } else {
        done.complete(null);
      }
    });
  }
}
