package dev.spillway.core.retry;

import dev.spillway.core.attempt.AttemptOutcome;
import dev.spillway.core.config.RetryConfig;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * Decides, after a failed attempt, whether to retry on another endpoint and after how long. A pure function
 * of its arguments and the config (plus the jitter's random number): it neither counts nor waits; the route's
 * {@link RetryBudget} is asked separately, last, and only when this says yes ({@link RouteRetries} does both).
 *
 * <p>A failure is retried only when every one of these holds, checked in this order (the first that fails is
 * the {@link NoRetryReason}):
 * <ol>
 *   <li>nothing of the response has gone to the client ({@link NoRetryReason#RESPONSE_STARTED});</li>
 *   <li>the whole request body is held, within {@code maxReplayableBody}
 *       ({@link NoRetryReason#BODY_NOT_REPLAYABLE});</li>
 *   <li>the {@link AttemptOutcome} is {@link AttemptOutcome#retryable() retryable}
 *       ({@link NoRetryReason#NOT_RETRYABLE});</li>
 *   <li>fewer than {@code maxAttempts} attempts were made ({@link NoRetryReason#ATTEMPTS_EXHAUSTED});</li>
 *   <li>the backend's {@code Retry-After}, if any, is at most {@code backoff.max}
 *       ({@link NoRetryReason#RETRY_AFTER_TOO_LONG}): a longer wait is the client's to make, not something
 *       to hold a connection open for.</li>
 * </ol>
 * The delay is the {@link Backoff} for this retry, but never less than the backend's {@code Retry-After}.
 *
 * <p>Thread-safe: immutable, and the default random source is {@link ThreadLocalRandom}.
 */
public final class RetryPolicy {
  private final int maxAttempts;
  private final long maxReplayableBody;
  private final Backoff backoff;
  private final DoubleSupplier random;

  /**
   * @param random uniform numbers in {@code [0, 1)} for the jitter (tests pass a seeded one)
   */
  public RetryPolicy(RetryConfig config, DoubleSupplier random) {
    this.maxAttempts = config.maxAttempts();
    this.maxReplayableBody = config.maxReplayableBody();
    this.backoff = Backoff.of(config);
    this.random = random;
  }

  public RetryPolicy(RetryConfig config) {
    this(config, () -> ThreadLocalRandom.current().nextDouble());
  }

  /**
   * The decision after attempt number {@code attempt} (1 for the first) failed.
   *
   * @param outcome how it ended
   * @param responseStarted whether any byte of the response (head included) went to the client
   * @param bodyFullyHeld whether the gateway holds the complete request body and can send it again
   * @param retryAfterNanos the wait the backend asked for ({@code Retry-After} / {@code retry-after-ms}), or
   *     0 (or less) when it asked for none
   */
  public RetryDecision decide(int attempt, AttemptOutcome outcome, boolean responseStarted, boolean bodyFullyHeld,
      long retryAfterNanos) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt: " + attempt + " (expected: >= 1)");
    }
    if (responseStarted) {
      return RetryDecision.noRetry(NoRetryReason.RESPONSE_STARTED);
    }
    if (!bodyFullyHeld) {
      return RetryDecision.noRetry(NoRetryReason.BODY_NOT_REPLAYABLE);
    }
    if (!outcome.retryable()) {
      return RetryDecision.noRetry(NoRetryReason.NOT_RETRYABLE);
    }
    if (attempt >= maxAttempts) {
      return RetryDecision.noRetry(NoRetryReason.ATTEMPTS_EXHAUSTED);
    }
    if (retryAfterNanos > backoff.maxNanos()) {
      return RetryDecision.noRetry(NoRetryReason.RETRY_AFTER_TOO_LONG);
    }
    long delay = backoff.nanos(attempt, random.getAsDouble());
    return RetryDecision.retry(Math.max(delay, retryAfterNanos));
  }

  /**
   * Whether a request body of {@code bodyBytes} may be kept for replay: retries are on and it is at most
   * {@code maxReplayableBody}. A body that may not is forwarded as it streams and never retried.
   */
  public boolean canReplay(long bodyBytes) {
    return maxAttempts > 1 && bodyBytes >= 0 && bodyBytes <= maxReplayableBody;
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Backoff backoff() {
    return backoff;
  }
}
