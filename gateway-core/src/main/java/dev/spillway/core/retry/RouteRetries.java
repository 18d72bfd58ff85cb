package dev.spillway.core.retry;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.time.Ticker;

/**
 * A route's retry policy and retry budget together, as the request path uses them: {@link #onFirstAttempt}
 * once per request, {@link #decide} after each failed attempt. The budget is asked last, only when the policy
 * would retry, so failures that are never retried cost no tokens and are not counted as denied.
 *
 * <p>Thread-safe: one instance per route, shared by every event loop.
 */
public final class RouteRetries {
  private final RetryPolicy policy;
  private final RetryBudget budget;

  public RouteRetries(RetryPolicy policy, RetryBudget budget) {
    this.policy = policy;
    this.budget = budget;
  }

  public static RouteRetries of(RetryConfig config, Ticker ticker) {
    return new RouteRetries(new RetryPolicy(config), RetryBudget.of(config, ticker));
  }

  /** A request made its first attempt: it earns its share of the budget. */
  public void onFirstAttempt() {
    budget.deposit();
  }

  /**
   * The policy's decision ({@link RetryPolicy#decide}), turned into {@link NoRetryReason#BUDGET_EXHAUSTED}
   * when the budget has no retry left. A {@code retry} answer has already taken its token.
   */
  public RetryDecision decide(int attempt, AttemptOutcome outcome, boolean responseStarted, boolean bodyFullyHeld,
      long retryAfterNanos) {
    RetryDecision decision = policy.decide(attempt, outcome, responseStarted, bodyFullyHeld, retryAfterNanos);
    if (!decision.shouldRetry()) {
      return decision;
    }
    if (!outcome.reachedBackend()) {
      // A requeue (Finagle's word): the request never reached a backend (refused or timed-out connect, our own
      // pool full), so trying elsewhere adds no load to a struggling one; the budget is for retries that do.
      // A dead primary must not spend the budget its fallback's first requests need. maxAttempts still caps it.
      budget.recordRequeue();
      return decision;
    }
    return budget.tryWithdraw() ? decision : RetryDecision.noRetry(NoRetryReason.BUDGET_EXHAUSTED);
  }

  public RetryPolicy policy() {
    return policy;
  }

  public RetryBudget budget() {
    return budget;
  }
}
