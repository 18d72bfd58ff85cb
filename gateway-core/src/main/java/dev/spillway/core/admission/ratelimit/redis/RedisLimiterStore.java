package dev.spillway.core.admission.ratelimit.redis;

import dev.spillway.core.admission.ratelimit.BucketStore;
import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.admission.ratelimit.RateLimitStats;
import dev.spillway.core.config.LimiterCacheConfig;
import dev.spillway.core.config.LimiterStoreConfig;
import dev.spillway.core.time.Ticker;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisCredentialsProvider;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate-limit buckets shared by every gateway instance through Redis (or Valkey), with Bucket4j's Lettuce proxy
 * manager and its asynchronous API. One per process: it holds the connection, a breaker around Redis and the
 * store's counters, and makes each route's {@link RedisBucketStore}.
 *
 * <p>No request waits for Redis. Instances take tokens from the shared buckets in leases (see {@link
 * LeasedBucket}); every Redis call runs off the request path, under a deadline ({@code timeout}) and the
 * breaker. Lettuce reconnects by itself; while disconnected its commands fail at once rather than queue.
 */
public final class RedisLimiterStore implements BucketStores {
  private static final Logger log = LoggerFactory.getLogger(RedisLimiterStore.class);
  /** How long the breaker stays open before letting a few calls test Redis again. */
  static final Duration BREAKER_OPEN = Duration.ofSeconds(1);
  /** How long a bucket outlives its full refill in Redis before Redis drops it. */
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final byte[] WARM_UP_KEY = "spillway:rl:warm-up".getBytes(java.nio.charset.StandardCharsets.UTF_8);
  private static final BucketConfiguration WARM_UP = BucketConfiguration.builder()
      .addLimit(io.github.bucket4j.Bandwidth.builder().capacity(1).refillGreedy(1, Duration.ofSeconds(1)).build())
      .build();

  private final LimiterStoreConfig config;
  private final Ticker ticker;
  private final RedisClient client;
  private final RedisURI uri;
  private final CircuitBreaker breaker;
  private final LimiterStoreStats stats = new LimiterStoreStats();
  private final AtomicBoolean connecting = new AtomicBoolean();
  private final List<Consumer<LimiterStoreState>> listeners = new CopyOnWriteArrayList<>();
  private volatile StatefulRedisConnection<byte[], byte[]> connection;
  private volatile AsyncProxyManager<byte[]> proxies;
  private volatile boolean closed;

  private RedisLimiterStore(LimiterStoreConfig config, Ticker ticker) {
    this.config = config;
    this.ticker = ticker;
    uri = RedisURI.create(config.uri());
    // The handshake (HELLO, AUTH) may take longer than a command's deadline on a cold JVM; commands have theirs.
    uri.setTimeout(CONNECT_TIMEOUT);
    if (config.password() != null && !config.password().isEmpty()) {
      String password = config.password();
      uri.setCredentialsProvider(RedisCredentialsProvider.from(() -> RedisCredentials.just(null, password)));
    }
    client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // A command sent while disconnected fails at once: queued commands would only miss their deadline.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .timeoutOptions(TimeoutOptions.enabled(config.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
        .build());
    breaker = CircuitBreaker.of("limiterStore", CircuitBreakerConfig.custom()
        .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
        .slidingWindowSize(10)
        .minimumNumberOfCalls(3)
        .failureRateThreshold(50)
        .waitDurationInOpenState(BREAKER_OPEN)
        .permittedNumberOfCallsInHalfOpenState(2)
        .build());
    breaker.getEventPublisher().onStateTransition(event -> {
      log.warn("limiter store {}: breaker {}", config.uri(), event.getStateTransition());
      notifyListeners();
    });
  }

  /** Connects to {@code config.uri()} in the background; until then every limit follows its failure policy. */
  public static RedisLimiterStore open(LimiterStoreConfig config, Ticker ticker) {
    RedisLimiterStore store = new RedisLimiterStore(config, ticker);
    store.connect();
    return store;
  }

  public LimiterStoreConfig config() {
    return config;
  }

  public LimiterStoreStats stats() {
    return stats;
  }

  /** How this instance sees Redis now. */
  public LimiterStoreState state() {
    if (connection == null) {
      return LimiterStoreState.CONNECTING;
    }
    return breaker.getState() == CircuitBreaker.State.CLOSED ? LimiterStoreState.UP : LimiterStoreState.DEGRADED;
  }

  /** Called (on a Redis or breaker thread) whenever {@link #state} may have changed. */
  public void addListener(Consumer<LimiterStoreState> listener) {
    listeners.add(listener);
  }

  @Override
  public BucketStore forRoute(String route, LimiterCacheConfig cache, Ticker routeTicker, RateLimitStats rateStats) {
    return new RedisBucketStore(this, route, cache, ticker, rateStats);
  }

  /** Whether leases may use Redis: connected and the breaker not open. */
  boolean usable() {
    return connection != null && breaker.getState() != CircuitBreaker.State.OPEN
        && breaker.getState() != CircuitBreaker.State.FORCED_OPEN;
  }

  Ticker ticker() {
    return ticker;
  }

  /** The Redis bucket at {@code key}, or {@code null} while not connected. */
  AsyncBucketProxy proxy(byte[] key, Supplier<CompletableFuture<BucketConfiguration>> creation) {
    AsyncProxyManager<byte[]> manager = proxies;
    return manager == null ? null : manager.builder().build(key, creation);
  }

  /** Runs {@code task} on one of the Redis client's threads, never the caller's. */
  void execute(Runnable task) {
    try {
      client.getResources().eventExecutorGroup().execute(task);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      // The store is closing: leases stay where they are.
    }
  }

  /** Takes up to {@code tokens} from {@code bucket}: the answer holds how many, and the bucket's state. */
  CompletableFuture<VerboseResult<Long>> take(AsyncBucketProxy bucket, long tokens) {
    if (bucket == null) {
      return call(() -> CompletableFuture.failedFuture(new IllegalStateException("not connected")));
    }
    return call(() -> bucket.asVerbose().tryConsumeAsMuchAsPossible(tokens));
  }

  /** Gives {@code tokens} back to {@code bucket}. */
  CompletableFuture<Void> giveBack(AsyncBucketProxy bucket, long tokens) {
    return call(() -> bucket.addTokens(tokens));
  }

  /** Runs one Redis operation under the breaker and the deadline, counting it. */
  private <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> operation) {
    if (!breaker.tryAcquirePermission()) {
      stats.recordBreakerRejection();
      return CompletableFuture.failedFuture(CallNotPermittedException.createCallNotPermittedException(breaker));
    }
    long start = ticker.nanoTime();
    CompletableFuture<T> result;
    if (connection == null) {
      connect();
      result = CompletableFuture.failedFuture(new IllegalStateException("not connected to " + config.uri()));
    } else {
      try {
        result = operation.get().toCompletableFuture();
      } catch (RuntimeException e) {
        result = CompletableFuture.failedFuture(e);
      }
    }
    return result.orTimeout(config.timeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((value, error) -> {
      long elapsed = ticker.nanoTime() - start;
      Throwable cause = unwrap(error);
      stats.recordOperation(elapsed, error != null, cause instanceof TimeoutException
          || cause instanceof io.lettuce.core.RedisCommandTimeoutException);
      if (error == null) {
        breaker.onSuccess(elapsed, TimeUnit.NANOSECONDS);
      } else {
        breaker.onError(elapsed, TimeUnit.NANOSECONDS, cause);
        if (!(cause instanceof CallNotPermittedException)) {
          log.debug("limiter store {}: call failed after {} us: {}", config.uri(), elapsed / 1000, cause.toString());
        }
      }
    });
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void connect() {
    if (closed || connection != null || !connecting.compareAndSet(false, true)) {
      return;
    }
    client.connectAsync(ByteArrayCodec.INSTANCE, uri).whenComplete((conn, error) -> {
      connecting.set(false);
      if (error != null) {
        log.warn("limiter store {}: cannot connect: {}", config.uri(), String.valueOf(error.getCause()));
        // Lettuce reconnects a connection it made; the first one is ours to retry.
        client.getResources().eventExecutorGroup().schedule(this::connect, BREAKER_OPEN.toMillis(),
            TimeUnit.MILLISECONDS);
        return;
      }
      if (closed) {
        conn.closeAsync();
        return;
      }
      AsyncProxyManager<byte[]> manager = Bucket4jLettuce.casBasedBuilder(conn)
          .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
          .build()
          .asAsync();
      // One operation before going live: the first (loading Bucket4j's classes and script) can take longer
      // than a deadline, and would open the breaker for nothing.
      manager.builder().build(WARM_UP_KEY, () -> CompletableFuture.completedFuture(WARM_UP))
          .tryConsume(1)
          .orTimeout(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((ignored, warmUpError) -> {
            proxies = manager;
            connection = conn;
            log.info("limiter store {}: connected", config.uri());
            notifyListeners();
          });
    });
  }

  private void notifyListeners() {
    LimiterStoreState state = state();
    for (Consumer<LimiterStoreState> listener : listeners) {
      try {
        listener.accept(state);
      } catch (RuntimeException e) {
        log.warn("limiter store listener failed", e);
      }
    }
  }

  /** Closes the connection; buckets keep working on their failure policy. */
  @Override
  public void close() {
    closed = true;
    StatefulRedisConnection<byte[], byte[]> conn = connection;
    if (conn != null) {
      conn.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
