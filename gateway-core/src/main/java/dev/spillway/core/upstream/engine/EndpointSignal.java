package dev.spillway.core.upstream.engine;

import dev.spillway.core.upstream.Endpoint;
import java.util.concurrent.atomic.LongAdder;

/**
 * The latest engine metrics of one endpoint. Written by the endpoint's scrape loop, read by any thread (the
 * picker, the concurrency limit, the gateway's own metrics).
 */
public final class EndpointSignal {
  private final Endpoint endpoint;
  private final long staleNanos;
  private volatile EngineSample last;
  private volatile String lastError;
  private final LongAdder scrapes = new LongAdder();
  private final LongAdder failures = new LongAdder();

  EndpointSignal(Endpoint endpoint, long staleNanos) {
    this.endpoint = endpoint;
    this.staleNanos = staleNanos;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** The last successful scrape, or {@code null} before the first. */
  public EngineSample last() {
    return last;
  }

  /** The last successful scrape if it is no older than {@code staleAfter} at {@code nowNanos}, else {@code null}. */
  public EngineSample fresh(long nowNanos) {
    EngineSample s = last;
    return s != null && nowNanos - s.atNanos() <= staleNanos ? s : null;
  }

  /** Why the last failed scrape failed, or {@code null} if the last scrape succeeded. */
  public String lastError() {
    return lastError;
  }

  /** Scrapes attempted. */
  public long scrapes() {
    return scrapes.sum();
  }

  /** Scrapes that failed (connect error, timeout, non-2xx, oversized answer, missing metric). */
  public long failures() {
    return failures.sum();
  }

  void record(EngineSample sample) {
    scrapes.increment();
    last = sample;
    lastError = null;
  }

  /** A failed scrape leaves the last sample to age out, so one lost scrape does not drop the signal. */
  void fail(String why) {
    scrapes.increment();
    failures.increment();
    lastError = why;
  }
}
