package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Lengths;
import dev.spillway.bench.load.RequestMix;
import dev.spillway.bench.load.Zipf;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A backend of the unknown-capacity scenario: how to start it ({@code mock-backend} options), the requests it
 * gets, how long a client waits for it, and what is known of its capacity before measuring. The fixed mock's
 * capacity is known by construction (slots / latency); the LLM simulator's is measured.
 *
 * @param key short name, for file names and the command line ({@code fixed}, {@code llm})
 * @param label what it is, for reports
 * @param options its {@code mock-backend} options
 * @param mix the requests of the load sweep
 * @param timeout the client's timeout per request
 * @param slots its concurrency, when known by construction (the best static limit); 0 when measured
 * @param modelRate its capacity in requests per second, when known by construction; NaN when measured
 * @param runningGauge the Prometheus series of its running requests on {@code GET /metrics}, or null
 * @param mixOptions the options of the backend the long-answer mix runs against, or null for this one
 * @param mixShort the short requests of the long-answer mix
 */
record CapacityBackend(String key, String label, List<String> options, RequestMix mix, Duration timeout, int slots,
    double modelRate, String runningGauge, List<String> mixOptions, RequestMix.Kind mixShort) {
  static final long SEED = 20_261_203L;
  static final Zipf TENANTS = new Zipf(1000, 1.1);
  /** The share of the fixed mock's requests that stream, unless the scenario is told otherwise. */
  static final double FIXED_STREAM_SHARE = 0.5;
  /** The share of the LLM simulator's requests that stream, unless the scenario is told otherwise: chat's. */
  static final double LLM_STREAM_SHARE = 0.8;

  /** Slots × latency with a queue of its own, the same latency for every request, half the requests streamed. */
  static CapacityBackend fixed(int slots, Duration latency, int queue) {
    return fixed(slots, latency, queue, 0, FIXED_STREAM_SHARE);
  }

  /**
   * Slots × latency with a queue of its own. Each request's latency is drawn within ±{@code jitter} of
   * {@code latency} ({@code mock-backend --latency-jitter}; the first token's on the long-answer mix's backend),
   * and a share {@code streamShare} of the requests stream, the long-answer mix's short ones included. The mean
   * latency, and so the capacity, stays slots / latency.
   */
  static CapacityBackend fixed(int slots, Duration latency, int queue, double jitter, double streamShare) {
    List<String> common = new ArrayList<>(List.of("--capacity", Integer.toString(slots), "--latency",
        latency.toMillis() + "ms", "--max-queue", Integer.toString(queue)));
    if (jitter > 0) {
      common.addAll(List.of("--latency-jitter", Double.toString(jitter)));
    }
    List<String> options = new ArrayList<>(common);
    options.addAll(List.of("--tokens-per-second", "0"));
    // The long-answer mix needs answers whose length is their duration: 50 tokens/s after the first token.
    List<String> mixOptions = new ArrayList<>(common);
    mixOptions.addAll(List.of("--tokens-per-second", "50"));
    RequestMix.Kind chat = new RequestMix.Kind("chat", 1, streamShare, Lengths.uniform(16, 256), Lengths.fixed(16));
    String label = "fixed mock: " + slots + " slots × " + latency.toMillis() + " ms"
        + (jitter == 0 ? "" : " ± " + Fmt.pct(jitter)) + ", queue " + queue;
    Duration longest = Duration.ofNanos(Math.round(latency.toNanos() * (1 + jitter)));
    return new CapacityBackend("fixed", label, options, RequestMix.of(chat, TENANTS, SEED),
        timeout(slots, latency, longest, queue), slots, slots * 1000.0 / latency.toMillis(), null, mixOptions, chat);
  }

  /**
   * Long enough for a request that waits through the whole queue of the backend (at the mean latency) and is
   * then served at the {@code longest} latency, and then some.
   */
  private static Duration timeout(int slots, Duration latency, Duration longest, int queue) {
    Duration queueWait = latency.multipliedBy(queue).dividedBy(slots);
    return Duration.ofSeconds(Math.max(10, queueWait.plus(longest).toSeconds() + 5));
  }

  /**
   * The LLM engine simulator with its defaults, lengths taken from the requests, a share {@code streamShare} of
   * them streamed.
   */
  static CapacityBackend llm(double streamShare) {
    // Answers capped at 512 tokens so most finish within a load level.
    RequestMix.Kind chat = new RequestMix.Kind("chat", 1, streamShare, Lengths.azurePrompt(),
        Lengths.logNormal(129, 1.0, 1, 512));
    return new CapacityBackend("llm", "LLM simulator (`--engine llm`, defaults: 8B model on one GPU)",
        List.of("--engine", "llm", "--lengths", "request", "--metrics", "vllm", "--seed", "7"),
        RequestMix.of(chat, TENANTS, SEED), Duration.ofSeconds(60), 0, Double.NaN, "vllm:num_requests_running",
        null, chat);
  }

  /** Whether slots and rate are known by construction (the fixed mock), not measured. */
  boolean capacityKnown() {
    return slots > 0 && !Double.isNaN(modelRate);
  }
}
