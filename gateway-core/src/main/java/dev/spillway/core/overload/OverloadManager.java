package dev.spillway.core.overload;

import dev.spillway.core.config.OverloadConfig;
import dev.spillway.core.config.OverloadConfig.Thresholds;
import dev.spillway.core.time.Ticker;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Protects the gateway from running out of memory or file descriptors (after Envoy's overload manager).
 *
 * <p>{@link #sample} reads a {@link MemorySource} (periodically, on a thread that is no event loop), turns heap
 * and direct memory use into pressures between 0 and 1, and sets each {@link OverloadAction} whose threshold
 * either pressure reaches; an action stops when both are below it again. The event loops only read the result:
 * one volatile field per question ({@link #isActive}, {@link #clientTimeoutNanos}).
 *
 * <p>It also counts client connections against {@code maxConnections}: {@link #tryOpenConnection} on accept,
 * {@link #connectionClosed} when it closes (see {@link ConnectionCap}).
 */
public final class OverloadManager {
  private static final Logger log = LoggerFactory.getLogger(OverloadManager.class);

  private final OverloadConfig config;
  private final MemorySource memory;
  private final Ticker ticker;
  private final AtomicInteger connections = new AtomicInteger();
  private final LongAdder rejectedConnections = new LongAdder();
  private final LongAdder rejectedRequests = new LongAdder();
  /** Bit {@code 1 << ordinal} per active action. */
  private volatile int active;
  private volatile double heapPressure;
  private volatile double directPressure;

  public OverloadManager(OverloadConfig config, MemorySource memory, Ticker ticker) {
    this.config = config;
    this.memory = memory;
    this.ticker = ticker;
  }

  /** A manager that caps nothing and never acts (embedded tests, tools). */
  public static OverloadManager disabled() {
    OverloadConfig off = new OverloadConfig(0, new Thresholds(1, 1, 1), new Thresholds(1, 1, 1),
        OverloadConfig.DEFAULT_SAMPLE_INTERVAL, OverloadConfig.DEFAULT_SHORT_CLIENT_TIMEOUT);
    return new OverloadManager(off, new MemorySource() {
      @Override public long heapUsed() { return 0; }
      @Override public long heapMax() { return 1; }
      @Override public long directUsed() { return 0; }
      @Override public long directMax() { return 1; }
    }, Ticker.system());
  }

  public OverloadConfig config() {
    return config;
  }

  Ticker ticker() {
    return ticker;
  }

  /** Reads memory and updates the pressures and actions. Call from one thread at a time, off the event loops. */
  public void sample() {
    double heap = ratio(memory.heapUsed(), memory.heapMax());
    double direct = ratio(memory.directUsed(), memory.directMax());
    heapPressure = heap;
    directPressure = direct;
    int next = 0;
    for (OverloadAction action : OverloadAction.values()) {
      if (heap >= threshold(config.heap(), action) || direct >= threshold(config.directMemory(), action)) {
        next |= 1 << action.ordinal();
      }
    }
    int previous = active;
    if (next != previous) {
      active = next;
      log.warn("overload: heap {}%, direct memory {}%; active actions now {}", percent(heap), percent(direct),
          actions(next));
    }
  }

  private static double threshold(Thresholds thresholds, OverloadAction action) {
    return switch (action) {
      case KEEP_ALIVE_OFF -> thresholds.keepAliveOff();
      case SHORTEN_TIMEOUTS -> thresholds.shortenTimeouts();
      case STOP_ACCEPTING -> thresholds.stopAccepting();
    };
  }

  private static double ratio(long used, long max) {
    if (max <= 0 || used <= 0) {
      return 0;
    }
    return Math.min(1.0, (double) used / max);
  }

  private static long percent(double pressure) {
    return Math.round(pressure * 100);
  }

  private static Set<OverloadAction> actions(int mask) {
    Set<OverloadAction> set = EnumSet.noneOf(OverloadAction.class);
    for (OverloadAction action : OverloadAction.values()) {
      if ((mask & (1 << action.ordinal())) != 0) {
        set.add(action);
      }
    }
    return set;
  }

  /** Whether {@code action} is in force now. */
  public boolean isActive(OverloadAction action) {
    return (active & (1 << action.ordinal())) != 0;
  }

  /** The actions in force now. */
  public Set<OverloadAction> activeActions() {
    return actions(active);
  }

  /** Heap pressure at the last sample, 0 to 1. */
  public double heapPressure() {
    return heapPressure;
  }

  /** Direct memory pressure at the last sample, 0 to 1. */
  public double directMemoryPressure() {
    return directPressure;
  }

  /** The client timeout to apply now: {@code base}, or the short one while timeouts are shortened. */
  public long clientTimeoutNanos(long base) {
    return isActive(OverloadAction.SHORTEN_TIMEOUTS) ? Math.min(base, config.shortClientTimeout().toNanos()) : base;
  }

  /** Counts a new connection; {@code false} (and counted as rejected) when it would exceed the cap. */
  public boolean tryOpenConnection() {
    int max = config.maxConnections();
    if (max == 0) {
      connections.incrementAndGet();
      return true;
    }
    while (true) {
      int now = connections.get();
      if (now >= max) {
        rejectedConnections.increment();
        return false;
      }
      if (connections.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** A connection counted by {@link #tryOpenConnection} closed. */
  public void connectionClosed() {
    connections.decrementAndGet();
  }

  /** Client connections open now. */
  public int connections() {
    return connections.get();
  }

  /** Connections closed at accept because the cap was reached, since start. */
  public long rejectedConnections() {
    return rejectedConnections.sum();
  }

  /** Requests answered 503 because {@link OverloadAction#STOP_ACCEPTING} was active, since start. */
  public long rejectedRequests() {
    return rejectedRequests.sum();
  }

  /** Counts one request turned away by {@link OverloadAction#STOP_ACCEPTING}. */
  public void requestRejected() {
    rejectedRequests.increment();
  }
}
