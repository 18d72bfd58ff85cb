package dev.spillway.core.retry;

import dev.spillway.core.config.FailoverTierConfig;
import java.util.List;

/**
 * A route's failover tiers in order of preference, and the order to try them in for one request: the tiers
 * that have an available endpoint first, then the others, each group in configured order. So traffic goes to
 * the first available tier, spills to the next one while the primary has nothing to offer, and comes back to
 * the primary with the first request after it recovers: the order is computed afresh for every request, and
 * nothing remembers that a tier was down.
 *
 * <p>The order is packed into a {@code long} (four bits per tier, so at most {@value #MAX_TIERS} tiers),
 * which {@link TierCursor} walks without allocating. Immutable and thread-safe; one per route.
 */
public final class TierPlan {
  public static final int MAX_TIERS = 15;

  private final FailoverTierConfig[] tiers;

  public TierPlan(List<FailoverTierConfig> tiers) {
    if (tiers.isEmpty() || tiers.size() > MAX_TIERS) {
      throw new IllegalArgumentException("tiers: " + tiers.size() + " (expected: 1.." + MAX_TIERS + ")");
    }
    this.tiers = tiers.toArray(new FailoverTierConfig[0]);
  }

  public int size() {
    return tiers.length;
  }

  public FailoverTierConfig tier(int index) {
    return tiers[index];
  }

  /**
   * The order to try the tiers in right now: bits {@code 4i..4i+3} hold the index of the tier to try at
   * position {@code i}. Asks {@code availability} about each tier once.
   */
  public long order(TierAvailability availability) {
    long available = 0;
    long unavailable = 0;
    int availableCount = 0;
    int unavailableCount = 0;
    for (int i = 0; i < tiers.length; i++) {
      if (availability.hasAvailableEndpoint(tiers[i].backend())) {
        available |= (long) i << (4 * availableCount++);
      } else {
        unavailable |= (long) i << (4 * unavailableCount++);
      }
    }
    return available | unavailable << (4 * availableCount);
  }

  /** The index of the first tier with an available endpoint, or -1 when none has one. */
  public int firstAvailable(TierAvailability availability) {
    for (int i = 0; i < tiers.length; i++) {
      if (availability.hasAvailableEndpoint(tiers[i].backend())) {
        return i;
      }
    }
    return -1;
  }

  /** The tier index at {@code position} of an {@link #order}. */
  static int indexAt(long order, int position) {
    return (int) (order >>> (4 * position)) & 0xF;
  }

  /** A cursor over this plan, reusable request after request on one thread. */
  public TierCursor cursor() {
    return new TierCursor(this);
  }
}
