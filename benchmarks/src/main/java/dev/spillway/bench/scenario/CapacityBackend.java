package dev.spillway.bench.scenario;

import dev.spillway.bench.load.Lengths;
import dev.spillway.bench.load.RequestMix;
import dev.spillway.bench.load.Zipf;
import java.time.Duration;
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

  /** Slots × latency with a queue of its own: today's fixed mock. */
  static CapacityBackend fixed(int slots, Duration latency, int queue) {
    List<String> common = List.of("--capacity", Integer.toString(slots), "--latency", latency.toMillis() + "ms",
        "--max-queue", Integer.toString(queue));
    List<String> options = new java.util.ArrayList<>(common);
    options.addAll(List.of("--tokens-per-second", "0"));
    // The long-answer mix needs answers whose length is their duration: 50 tokens/s after the first token.
    List<String> mixOptions = new java.util.ArrayList<>(common);
    mixOptions.addAll(List.of("--tokens-per-second", "50"));
    RequestMix.Kind chat = new RequestMix.Kind("chat", 1, 0.5, Lengths.uniform(16, 256), Lengths.fixed(16));
    return new CapacityBackend("fixed", "fixed mock: " + slots + " slots × " + latency.toMillis() + " ms, queue "
        + queue, options, RequestMix.of(chat, TENANTS, SEED), timeout(slots, latency, queue), slots,
        slots * 1000.0 / latency.toMillis(), null, mixOptions, chat);
  }

  /** Long enough for a request that waits through the whole queue of the backend, and then some. */
  private static Duration timeout(int slots, Duration latency, int queue) {
    Duration queueWait = latency.multipliedBy(queue).dividedBy(slots);
    return Duration.ofSeconds(Math.max(10, queueWait.plus(latency).toSeconds() + 5));
  }

  /** The LLM engine simulator with its defaults, lengths taken from the requests. */
  static CapacityBackend llm() {
    // Mostly streamed, as chat is; answers capped at 512 tokens so most finish within a load level.
    RequestMix.Kind chat = new RequestMix.Kind("chat", 1, 0.8, Lengths.azurePrompt(),
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
