package dev.spillway.server.warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * How long the warm-up's requests may run: at most {@code cpuNanos} of the warm-up thread's CPU time, and at
 * most {@code wallNanos} in all, whichever comes first. CPU time bounds the work itself; on a machine whose
 * cores are busy with other processes the wall-clock cap keeps the start from waiting long for CPU. Where the
 * JVM cannot measure a thread's CPU time, the CPU budget counts wall-clock time instead.
 */
final class WarmUpBudget {
  /** The default: 2 s of CPU, 5 s in all. */
  static final WarmUpBudget DEFAULT = new WarmUpBudget(TimeUnit.SECONDS.toNanos(2), TimeUnit.SECONDS.toNanos(5));
  /** No bound (tests). */
  static final WarmUpBudget UNBOUNDED = new WarmUpBudget(Long.MAX_VALUE, Long.MAX_VALUE);

  private final long cpuNanos;
  private final long wallNanos;

  WarmUpBudget(long cpuNanos, long wallNanos) {
    this.cpuNanos = cpuNanos;
    this.wallNanos = wallNanos;
  }

  /** Starts spending the budget on the calling thread. */
  Spending start() {
    return new Spending();
  }

  /** The budget being spent by the thread that started it. */
  final class Spending {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final boolean cpuMeasured = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    private final long wallStart = System.nanoTime();
    private final long cpuStart = cpuMeasured ? threads.getCurrentThreadCpuTime() : wallStart;

    /** Whether the budget is used up. */
    boolean exhausted() {
      long wall = System.nanoTime() - wallStart;
      long cpu = cpuMeasured ? threads.getCurrentThreadCpuTime() - cpuStart : wall;
      return wall >= wallNanos || cpu >= cpuNanos;
    }
  }
}
