package dev.spillway.bench.scenario;

import dev.spillway.server.mock.engine.EngineOptions;

/**
 * When the LLM engine simulator had room for one more request, judged from its own gauges: a request joins the
 * running batch at once when nobody waits ahead of it, a batch slot is free and its prompt fits in the free KV
 * cache (docs/mock-backend.md, "The LLM engine"). The prompt is the mix's median ({@code promptTokens}): the
 * shed request's own length is not recorded.
 *
 * @param maxRunning the engine's most sequences in the batch ({@code --max-running})
 * @param kvCacheTokens its KV-cache budget in tokens ({@code --kv-cache-tokens})
 * @param promptTokens the prompt that must fit in the free cache
 */
record EngineRoom(int maxRunning, int kvCacheTokens, int promptTokens) {
  EngineRoom {
    if (maxRunning <= 0 || kvCacheTokens <= 0 || promptTokens <= 0) {
      throw new IllegalArgumentException("EngineRoom(" + maxRunning + ", " + kvCacheTokens + ", " + promptTokens
          + ") (expected: all > 0)");
    }
  }

  /** For an engine with default options and a request of {@code promptTokens}. */
  static EngineRoom defaults(int promptTokens) {
    EngineOptions options = EngineOptions.defaults();
    return new EngineRoom(options.maxRunning(), options.kvCacheTokens(), promptTokens);
  }

  /** The KV-cache fill (0..1) above which a prompt of {@link #promptTokens} no longer fits. */
  double kvLimit() {
    return 1 - (double) promptTokens / kvCacheTokens;
  }

  /** Whether a request would have joined the batch at once with these gauge values. */
  boolean hadRoom(double running, double waiting, double kvUsage) {
    return waiting == 0 && running < maxRunning && kvUsage <= kvLimit();
  }
}
