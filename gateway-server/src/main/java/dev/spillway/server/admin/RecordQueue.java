package dev.spillway.server.admin;

import dev.spillway.core.admission.ShedReason;
import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.GatewayObserver;
import dev.spillway.server.metrics.ShedMeters;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The gateway's observer: hands each finished request to the monitor thread through a lock-free, bounded
 * queue. On the event loop it does one CAS-based enqueue and a counter bump; when the monitor falls behind
 * by {@code capacity} records, new ones are dropped and counted rather than slowing the data path. The time
 * of each shed answer goes straight to its {@link ShedMeters} histogram instead (lock-free, on the event loop).
 */
public final class RecordQueue implements GatewayObserver {
  private final ConcurrentLinkedQueue<ExchangeRecord> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final LongAdder dropped = new LongAdder();
  private final int capacity;
  private final ShedMeters sheds;

  public RecordQueue(int capacity, ShedMeters sheds) {
    this.capacity = capacity;
    this.sheds = sheds;
  }

  @Override
  public void onShedAnswered(ShedReason reason, long nanos) {
    sheds.record(reason, nanos);
  }

  @Override
  public void onExchange(ExchangeRecord record) {
    if (size.incrementAndGet() > capacity) {
      size.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(record);
  }

  /** Hands every queued record to {@code sink}, in order; returns how many. Monitor thread only. */
  public int drain(Consumer<ExchangeRecord> sink) {
    int n = 0;
    ExchangeRecord r;
    while ((r = queue.poll()) != null) {
      size.decrementAndGet();
      sink.accept(r);
      n++;
    }
    return n;
  }

  /** Records dropped because the monitor fell behind. */
  public long dropped() {
    return dropped.sum();
  }
}
