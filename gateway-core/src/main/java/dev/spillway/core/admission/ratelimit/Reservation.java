package dev.spillway.core.admission.ratelimit;

import io.github.bucket4j.Bucket;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The estimate taken from each token bucket that admitted a request (tenant and route alike). Extends
 * {@link AtomicBoolean} (set once completed) to save an allocation per request.
 */
final class Reservation extends AtomicBoolean implements TokenReservation {
  private final Bucket[] buckets;
  private final long reserved;

  Reservation(Bucket[] buckets, long reserved) {
    this.buckets = buckets;
    this.reserved = reserved;
  }

  @Override
  public long reservedTokens() {
    return reserved;
  }

  @Override
  public void settle(long actualTokens) {
    if (!compareAndSet(false, true)) {
      return;
    }
    long unused = reserved - Math.max(0, actualTokens);
    for (Bucket bucket : buckets) {
      if (unused > 0) {
        bucket.addTokens(unused);
      } else if (unused < 0) {
        // Debt: the bucket goes below zero and must refill past it before the tenant is admitted again.
        bucket.consumeIgnoringRateLimits(-unused);
      }
    }
  }

  @Override
  public void release() {
    if (!compareAndSet(false, true)) {
      return;
    }
    for (Bucket bucket : buckets) {
      bucket.addTokens(reserved);
    }
  }

  @Override
  public String toString() {
    return "Reservation(" + reserved + (get() ? ", completed)" : ")");
  }
}
