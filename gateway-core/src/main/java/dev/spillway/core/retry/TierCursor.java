package dev.spillway.core.retry;

import dev.spillway.core.config.FailoverTierConfig;

/**
 * One request's walk through a {@link TierPlan}. {@link #start} orders the tiers by availability right now;
 * {@link #current()} is the tier to send the next attempt to. Retries stay on the current tier (on another of
 * its endpoints) for as long as it has one to offer; {@link #advance()} moves to the next tier when it has
 * none left.
 *
 * <p>Not thread-safe: belongs to one exchange at a time. Allocation-free after construction, so an exchange
 * (or a connection) can keep one and {@link #start} it for each request.
 */
public final class TierCursor {
  private final TierPlan plan;
  private long order;
  private int position;

  TierCursor(TierPlan plan) {
    this.plan = plan;
  }

  /** Begins a request: the first tier with an available endpoint becomes current. */
  public void start(TierAvailability availability) {
    order = plan.order(availability);
    position = 0;
  }

  /** Whether there is a tier to try (false once {@link #advance} went past the last one). */
  public boolean hasCurrent() {
    return position < plan.size();
  }

  /** The index of the current tier in the route's configured order (0 is the primary). */
  public int currentIndex() {
    if (!hasCurrent()) {
      throw new IllegalStateException("every tier was tried");
    }
    return TierPlan.indexAt(order, position);
  }

  /** The current tier. */
  public FailoverTierConfig current() {
    return plan.tier(currentIndex());
  }

  /** Moves to the next tier in this request's order; returns whether there is one. */
  public boolean advance() {
    if (position < plan.size()) {
      position++;
    }
    return hasCurrent();
  }

  /** Whether the current tier is not the primary: this request spilled over (for metrics). */
  public boolean spilled() {
    return hasCurrent() && currentIndex() != 0;
  }
}
