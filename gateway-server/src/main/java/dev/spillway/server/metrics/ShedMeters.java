package dev.spillway.server.metrics;

import dev.spillway.core.admission.ShedReason;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code spillway_shed_duration_seconds}: how long the gateway itself takes to shed, from a request's head
 * arriving to admission's answer written and flushed to the client, by {@code reason} (the {@link ShedReason}
 * tag, so at most one series per reason). Buckets are fine between 0.1 and 10 ms, where a shed answer should
 * land, and reach 1 s for one that waited in the room first.
 *
 * <p>Recorded on the event loops as each answer's write completes, not on the monitor thread like
 * {@link ExchangeMeters}: the write's completion is only known there, and a Micrometer timer records
 * lock-free and without allocating. Every reason's timer is registered up front, so that the first shed of a
 * kind does not pay for a registration on the event loop (and a reason that never shed reads 0, not absent).
 */
public final class ShedMeters {
  static final String NAME = "spillway_shed_duration";
  /** Bucket bounds in milliseconds. */
  private static final double[] BUCKETS_MS = {0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 7.5, 10, 25, 50,
      100, 250, 1000};

  /** By {@link ShedReason#ordinal()}; never changes after construction. */
  private final Timer[] timers = new Timer[ShedReason.values().length];

  public ShedMeters(MeterRegistry registry) {
    Duration[] buckets = buckets();
    for (ShedReason reason : ShedReason.values()) {
      timers[reason.ordinal()] = Timer.builder(NAME)
          .description("Request head to its shed answer written and flushed (the gateway's own shedding time)")
          .tag("reason", reason.tag()).serviceLevelObjectives(buckets).register(registry);
    }
  }

  /** One shed answer of {@code reason}, {@code nanos} from the head to the flushed answer. Any thread. */
  public void record(ShedReason reason, long nanos) {
    timers[reason.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
  }

  private static Duration[] buckets() {
    Duration[] out = new Duration[BUCKETS_MS.length];
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      out[i] = Duration.ofNanos(Math.round(BUCKETS_MS[i] * 1e6));
    }
    return out;
  }
}
