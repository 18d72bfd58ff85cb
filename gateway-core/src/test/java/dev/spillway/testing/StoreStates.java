package dev.spillway.testing;

import dev.spillway.core.admission.ratelimit.redis.LimiterStoreState;
import dev.spillway.core.admission.ratelimit.redis.RedisLimiterStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for Redis limiter stores to reach a state, woken by the stores' own state listeners: no polling, and
 * bounded by a deadline that fails the test with every store's state.
 */
public final class StoreStates {
  private StoreStates() {}

  /** Completes once {@code store} is in {@code state} (at once if it is already). */
  public static CompletableFuture<Void> when(RedisLimiterStore store, LimiterStoreState state) {
    CompletableFuture<Void> reached = new CompletableFuture<>();
    store.addListener(s -> {
      if (s == state) {
        reached.complete(null);
      }
    });
    // Registered first, read second: a change between the two is seen by one of them.
    if (store.state() == state) {
      reached.complete(null);
    }
    return reached;
  }

  /** Completes once every store is in {@code state}. */
  public static CompletableFuture<Void> whenAll(List<RedisLimiterStore> stores, LimiterStoreState state) {
    return CompletableFuture.allOf(stores.stream().map(s -> when(s, state)).toArray(CompletableFuture[]::new));
  }

  /** Waits until every store is connected and its breaker closed, at most {@code timeout}. */
  public static void awaitUp(List<RedisLimiterStore> stores, Duration timeout) throws InterruptedException {
    await(whenAll(stores, LimiterStoreState.UP), stores, timeout);
  }

  /** Waits for {@code reached}; fails with the stores' states after {@code timeout}. */
  public static void await(CompletableFuture<Void> reached, List<RedisLimiterStore> stores, Duration timeout)
      throws InterruptedException {
    try {
      reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("limiter stores not there within " + timeout.toMillis() + " ms: "
          + stores.stream().map(RedisLimiterStore::state).toList());
    } catch (ExecutionException e) {
      throw new AssertionError(e.getCause());
    }
  }
}
