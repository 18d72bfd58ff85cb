package dev.spillway.core.admission.ratelimit.redis;

import io.github.bucket4j.AbstractBucket;
import io.github.bucket4j.BlockingBucket;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.BucketListener;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.Nothing;
import io.github.bucket4j.SchedulingBucket;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;

/**
 * Bucket4j's whole {@link Bucket} API for a bucket that answers at once and never makes its caller wait,
 * written in terms of the four operations the rate limiter uses (consume with the remaining tokens, estimate,
 * add, consume ignoring limits). The blocking and scheduling APIs, configuration replacement and listeners
 * are refused.
 */
abstract class ImmediateBucket extends AbstractBucket {

  ImmediateBucket() {
    super(BucketListener.NOPE);
  }

  /** The state and time the verbose variants report with {@code value}. */
  protected abstract <T> VerboseResult<T> verbose(T value);

  /** Up to {@code max} tokens that can be taken now without going into credit. */
  protected abstract long spendableNow(long max);

  @Override
  protected long consumeAsMuchAsPossibleImpl(long max) {
    long available = spendableNow(max);
    return available > 0 && tryConsumeAndReturnRemainingTokensImpl(available).isConsumed() ? available : 0;
  }

  @Override
  protected boolean tryConsumeImpl(long cost) {
    return tryConsumeAndReturnRemainingTokensImpl(cost).isConsumed();
  }

  @Override
  protected void forceAddTokensImpl(long tokens) {
    addTokensImpl(tokens);
  }

  @Override
  protected long reserveAndCalculateTimeToSleepImpl(long tokens, long maxWaitNanos) {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  protected void replaceConfigurationImpl(BucketConfiguration configuration, TokensInheritanceStrategy strategy) {
    throw new UnsupportedOperationException("a shared bucket's configuration is its limit's; Redis keeps it");
  }

  @Override
  protected VerboseResult<Long> consumeAsMuchAsPossibleVerboseImpl(long max) {
    return verbose(consumeAsMuchAsPossibleImpl(max));
  }

  @Override
  protected VerboseResult<Boolean> tryConsumeVerboseImpl(long cost) {
    return verbose(tryConsumeImpl(cost));
  }

  @Override
  protected VerboseResult<ConsumptionProbe> tryConsumeAndReturnRemainingTokensVerboseImpl(long cost) {
    return verbose(tryConsumeAndReturnRemainingTokensImpl(cost));
  }

  @Override
  protected VerboseResult<EstimationProbe> estimateAbilityToConsumeVerboseImpl(long cost) {
    return verbose(estimateAbilityToConsumeImpl(cost));
  }

  @Override
  protected VerboseResult<Long> getAvailableTokensVerboseImpl() {
    return verbose(getAvailableTokens());
  }

  @Override
  protected VerboseResult<Nothing> addTokensVerboseImpl(long tokens) {
    addTokensImpl(tokens);
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Nothing> forceAddTokensVerboseImpl(long tokens) {
    return addTokensVerboseImpl(tokens);
  }

  @Override
  protected VerboseResult<Nothing> resetVerboseImpl() {
    reset();
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Nothing> replaceConfigurationVerboseImpl(BucketConfiguration configuration,
      TokensInheritanceStrategy strategy) {
    replaceConfigurationImpl(configuration, strategy);
    return verbose(Nothing.INSTANCE);
  }

  @Override
  protected VerboseResult<Long> consumeIgnoringRateLimitsVerboseImpl(long tokens) {
    return verbose(consumeIgnoringRateLimitsImpl(tokens));
  }

  @Override
  protected VerboseResult<Long> reserveAndCalculateTimeToSleepVerboseImpl(long tokens, long maxWaitNanos) {
    return verbose(reserveAndCalculateTimeToSleepImpl(tokens, maxWaitNanos));
  }

  @Override
  public BlockingBucket asBlocking() {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  public SchedulingBucket asScheduler() {
    throw new UnsupportedOperationException("a shared bucket never makes its caller wait");
  }

  @Override
  public Bucket toListenable(BucketListener listener) {
    throw new UnsupportedOperationException("listeners are not supported on shared buckets");
  }
}
