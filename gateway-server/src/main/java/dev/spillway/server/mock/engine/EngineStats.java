package dev.spillway.server.mock.engine;

import java.util.concurrent.atomic.LongAdder;

/**
 * The engine's gauges, counters and latency histograms. The engine loop writes them; any thread reads them, so
 * a {@code GET /metrics} served on another event loop needs no hop.
 */
public final class EngineStats {
  /** vLLM's buckets for time to first token, in seconds. */
  static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0,
      2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};
  /** vLLM's buckets for end-to-end request latency, in seconds. */
  static final double[] E2E_BUCKETS = {0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0,
      60.0, 120.0, 240.0, 480.0, 960.0, 1920.0, 7680.0};

  private volatile int running;
  private volatile int waiting;
  private volatile long kvUsed;
  final LongAdder promptTokens = new LongAdder();
  final LongAdder generationTokens = new LongAdder();
  final LongAdder preemptions = new LongAdder();
  final LongAdder finishedStop = new LongAdder();
  final LongAdder finishedLength = new LongAdder();
  final LongAdder aborted = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final Histogram ttft = new Histogram(TTFT_BUCKETS);
  final Histogram e2e = new Histogram(E2E_BUCKETS);

  void publish(int running, int waiting, long kvUsed) {
    this.running = running;
    this.waiting = waiting;
    this.kvUsed = kvUsed;
  }

  /** Sequences in the running batch. */
  public int running() {
    return running;
  }

  /** Requests in the engine's waiting queue (preempted ones included). */
  public int waiting() {
    return waiting;
  }

  /** KV-cache tokens held by running sequences. */
  public long kvUsed() {
    return kvUsed;
  }

  /** Requests that generated their whole answer. */
  public long finished() {
    return finishedStop.sum() + finishedLength.sum();
  }

  /** Requests refused because the waiting queue was full or they could never fit. */
  public long rejected() {
    return rejected.sum();
  }

  /** Requests whose client went away before the answer was complete. */
  public long aborted() {
    return aborted.sum();
  }

  /** Sequences pushed out of the batch to free KV cache, to be recomputed later. */
  public long preemptions() {
    return preemptions.sum();
  }

  /** Tokens generated, over all requests. */
  public long generationTokens() {
    return generationTokens.sum();
  }

  /** Requests whose first token was generated. */
  public long firstTokens() {
    return ttft.count();
  }

  /** Sum of the times to first token, in seconds. */
  public double ttftSecondsSum() {
    return ttft.sum();
  }
}
