package dev.spillway.server.mock;

import dev.spillway.core.config.Checks;
import dev.spillway.server.mock.engine.EngineOptions;
import java.time.Duration;

/**
 * How a {@link MockBackend} listens and how much simulated GPU it has.
 *
 * @param host address to bind, e.g. {@code 127.0.0.1} or {@code 0.0.0.0}
 * @param port port to bind; {@code 0} picks an ephemeral port (read it back with {@link MockBackend#port()})
 * @param latency time to first token of a chat completion, counted from the moment it gets a capacity slot
 * @param capacity most chat completions generated at once
 * @param maxQueue most chat completions waiting for a slot; one more is answered 503 with {@code Retry-After}
 * @param tokensPerSecond decode speed after the first token; {@code 0} spreads all tokens evenly over
 *     {@code latency} instead (see {@link MockBackend})
 * @param defaultCompletionTokens completion length when a request sets no {@code max_tokens}
 * @param ioThreads event loops serving connections
 * @param latencyJitter each request's {@code latency} is drawn uniformly within ± this fraction of it,
 *     independently per request; {@code 0} keeps it fixed (see {@link JitteredLatency})
 * @param seed seeds the latency draws
 */
public record MockBackendOptions(String host, int port, Duration latency, int capacity, int maxQueue,
                                 double tokensPerSecond, int defaultCompletionTokens, int ioThreads,
                                 double latencyJitter, long seed) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_LATENCY = Duration.ofMillis(50);
  public static final int DEFAULT_CAPACITY = 64;
  public static final int DEFAULT_MAX_QUEUE = 256;
  public static final int DEFAULT_COMPLETION_TOKENS = 16;
  /** Longest completion the mock generates; larger {@code max_tokens} values are capped to it. */
  public static final int MAX_COMPLETION_TOKENS = 4096;

  public MockBackendOptions {
    Checks.notBlank("host", host);
    Checks.inRange("port", port, 0, 65535);
    Checks.nonNegative("latency", latency);
    Checks.positive("capacity", capacity);
    Checks.nonNegative("maxQueue", maxQueue);
    if (!(tokensPerSecond >= 0) || Double.isInfinite(tokensPerSecond)) {
      throw new IllegalArgumentException("tokensPerSecond: " + tokensPerSecond + " (expected: >= 0 and finite)");
    }
    Checks.inRange("defaultCompletionTokens", defaultCompletionTokens, 1, MAX_COMPLETION_TOKENS);
    Checks.positive("ioThreads", ioThreads);
    if (!(latencyJitter >= 0 && latencyJitter < 1)) {
      throw new IllegalArgumentException("latencyJitter: " + latencyJitter + " (expected: >= 0 and < 1)");
    }
  }

  /**
   * {@value #DEFAULT_HOST}, an ephemeral port, 50ms latency, capacity {@value #DEFAULT_CAPACITY}, queue
   * {@value #DEFAULT_MAX_QUEUE}, tokens spread over the latency, {@value #DEFAULT_COMPLETION_TOKENS} tokens
   * per completion, one event loop, no latency jitter and seed {@value EngineOptions#DEFAULT_SEED}.
   */
  public static MockBackendOptions defaults() {
    return new MockBackendOptions(DEFAULT_HOST, 0, DEFAULT_LATENCY, DEFAULT_CAPACITY, DEFAULT_MAX_QUEUE, 0,
        DEFAULT_COMPLETION_TOKENS, 1, 0, EngineOptions.DEFAULT_SEED);
  }

  public MockBackendOptions withHost(String host) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withPort(int port) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withLatency(Duration latency) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withCapacity(int capacity) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withMaxQueue(int maxQueue) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withTokensPerSecond(double tokensPerSecond) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withDefaultCompletionTokens(int defaultCompletionTokens) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withIoThreads(int ioThreads) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withLatencyJitter(double latencyJitter) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }

  public MockBackendOptions withSeed(long seed) {
    return new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond,
        defaultCompletionTokens, ioThreads, latencyJitter, seed);
  }
}
