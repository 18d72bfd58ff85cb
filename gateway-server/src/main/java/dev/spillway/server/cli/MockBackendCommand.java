package dev.spillway.server.cli;

import dev.spillway.core.config.Durations;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.mock.engine.EngineCapacity;
import dev.spillway.server.mock.engine.EngineOptions;
import dev.spillway.server.mock.engine.LengthMode;
import dev.spillway.server.mock.engine.MetricsFlavor;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spillway mock-backend}: runs the {@link MockBackend} until the JVM is stopped (Ctrl-C or SIGTERM) or
 * the calling thread is interrupted. {@code --engine fixed} (the default) is the fixed-capacity mock;
 * {@code --engine llm} simulates a continuous-batching LLM engine (see docs/mock-backend.md).
 */
@Command(name = "mock-backend", mixinStandardHelpOptions = true,
    description = "Runs a mock OpenAI-compatible AI backend with finite capacity, for demos and load tests.")
public final class MockBackendCommand implements Callable<Integer> {
  /** Which simulation serves chat completions. */
  enum Engine { FIXED, LLM }

  @Spec
  CommandSpec spec;

  @Option(names = "--engine", defaultValue = "fixed", converter = EngineConverter.class,
      description = "fixed: a fixed number of slots and a fixed latency; llm: a simulated continuous-batching "
          + "LLM engine (default: ${DEFAULT-VALUE}).")
  Engine engine;

  @Option(names = "--max-running", defaultValue = "" + EngineOptions.DEFAULT_MAX_RUNNING,
      description = "llm: most sequences in the running batch (default: ${DEFAULT-VALUE}).")
  int maxRunning;

  @Option(names = "--kv-cache-tokens", defaultValue = "" + EngineOptions.DEFAULT_KV_CACHE_TOKENS,
      description = "llm: KV-cache budget in tokens, prompt plus generated of every running sequence "
          + "(default: ${DEFAULT-VALUE}).")
  int kvCacheTokens;

  @Option(names = "--max-batched-tokens", defaultValue = "" + EngineOptions.DEFAULT_MAX_BATCHED_TOKENS,
      description = "llm: tokens computed per step, one per decode plus prompt chunks (default: ${DEFAULT-VALUE}).")
  int maxBatchedTokens;

  @Option(names = "--prefill-tokens-per-second", defaultValue = "8000",
      description = "llm: prompt tokens computed per second (default: ${DEFAULT-VALUE}).")
  double prefillTokensPerSecond;

  @Option(names = "--decode-step", defaultValue = "10ms", converter = DurationConverter.class,
      description = "llm: fixed time of every step (default: ${DEFAULT-VALUE}).")
  Duration decodeStep;

  @Option(names = "--decode-step-per-seq", defaultValue = "100us", converter = DurationConverter.class,
      description = "llm: extra step time per running sequence (default: ${DEFAULT-VALUE}).")
  Duration decodeStepPerSeq;

  @Option(names = "--engine-queue", defaultValue = "" + EngineOptions.DEFAULT_ENGINE_QUEUE,
      description = "llm: most requests waiting for the batch; one more is refused (default: ${DEFAULT-VALUE}).")
  int engineQueue;

  @Option(names = "--lengths", defaultValue = "request", converter = LengthsConverter.class,
      description = "llm: request (prompt = message chars / 4, answer = max_tokens or drawn) or trace (both "
          + "drawn like Azure's LLM inference trace) (default: ${DEFAULT-VALUE}).")
  LengthMode lengths;

  @Option(names = "--reasoning-fraction", defaultValue = "0",
      description = "llm: share of requests answered at length by a reasoning model, 30-120 s "
          + "(default: ${DEFAULT-VALUE}).")
  double reasoningFraction;

  @Option(names = "--seed", defaultValue = "" + EngineOptions.DEFAULT_SEED,
      description = "Seed of the random draws: llm lengths, fixed latency jitter (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--metrics", defaultValue = "vllm", converter = MetricsConverter.class,
      description = "llm: metric names on GET /metrics and the full-queue answer: vllm, sglang or tgi "
          + "(default: ${DEFAULT-VALUE}).")
  MetricsFlavor metrics;

  @Option(names = "--print-capacity", description = "llm: print the estimated capacity and exit.")
  boolean printCapacity;

  @Option(names = "--host", defaultValue = MockBackendOptions.DEFAULT_HOST,
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port to bind, 0 for any (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--latency", defaultValue = "50ms", converter = DurationConverter.class,
      description = "Time to first token once a request holds a slot, e.g. 50ms or 2s "
          + "(default: ${DEFAULT-VALUE}).")
  Duration latency;

  @Option(names = "--latency-jitter", defaultValue = "0",
      description = "Each request's latency is drawn uniformly within +/- this fraction of --latency, e.g. 0.5 "
          + "with 50ms gives 25-75ms; with --tokens-per-second above 0 it is the first token's (default: "
          + "${DEFAULT-VALUE}).")
  double latencyJitter;

  @Option(names = "--capacity", defaultValue = "" + MockBackendOptions.DEFAULT_CAPACITY,
      description = "Requests generated at once (default: ${DEFAULT-VALUE}).")
  int capacity;

  @Option(names = "--max-queue", defaultValue = "" + MockBackendOptions.DEFAULT_MAX_QUEUE,
      description = "Requests waiting for a slot before 503s (default: ${DEFAULT-VALUE}).")
  int maxQueue;

  @Option(names = "--tokens-per-second", defaultValue = "0",
      description = "Tokens per second after the first; 0 spreads the tokens over the latency "
          + "(default: ${DEFAULT-VALUE}).")
  double tokensPerSecond;

  @Option(names = "--completion-tokens", defaultValue = "" + MockBackendOptions.DEFAULT_COMPLETION_TOKENS,
      description = "Completion length when a request sets no max_tokens (default: ${DEFAULT-VALUE}).")
  int completionTokens;

  @Option(names = "--io-threads", defaultValue = "1", description = "Event loop threads (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @CommandLine.Mixin
  MockSecurityOptions security;

  @Override
  public Integer call() throws Exception {
    MockBackendOptions options;
    EngineOptions engineOptions = null;
    try {
      options = new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond, completionTokens,
          ioThreads, latencyJitter, seed);
      if (engine == Engine.LLM) {
        engineOptions = new EngineOptions(maxRunning, kvCacheTokens, maxBatchedTokens, prefillTokensPerSecond,
            decodeStep, decodeStepPerSeq, engineQueue, lengths, reasoningFraction, seed, metrics,
            EngineOptions.DEFAULT_MODEL_NAME);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    if (printCapacity) {
      if (engineOptions == null) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--print-capacity needs --engine llm");
      }
      out.println(EngineCapacity.estimate(engineOptions).describe());
      out.flush();
      return 0;
    }
    MockBackend backend = MockBackend.start(options, engineOptions, security.build(spec.commandLine()));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      backend.close();
      stopped.countDown();
    }, "mock-backend-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    if (engineOptions == null) {
      out.println("mock-backend listening on " + backend.url() + " (capacity " + capacity + ", queue " + maxQueue
          + ", latency " + Durations.format(latency)
          + (latencyJitter == 0 ? "" : ", latency-jitter " + latencyJitter) + ")");
    } else {
      out.println("mock-backend (llm engine, " + metrics.name().toLowerCase(Locale.ROOT) + " metrics) listening on "
          + backend.url() + " (max-running " + maxRunning + ", kv-cache " + kvCacheTokens + " tokens, queue "
          + engineQueue + "); " + EngineCapacity.estimate(engineOptions).describe());
    }
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      // Interrupted by an embedding caller rather than by JVM shutdown: stop here and drop the hook.
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is already running and closes the backend too; closing twice is harmless.
      }
      backend.close();
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** Case-insensitive enum values, e.g. {@code llm} or {@code LLM}. */
  abstract static class LowerCaseEnumConverter<E extends Enum<E>> implements CommandLine.ITypeConverter<E> {
    private final Class<E> type;

    LowerCaseEnumConverter(Class<E> type) {
      this.type = type;
    }

    @Override
    public E convert(String value) {
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value)) {
          return e;
        }
      }
      StringBuilder expected = new StringBuilder();
      for (E e : type.getEnumConstants()) {
        expected.append(expected.length() == 0 ? "" : ", ").append(e.name().toLowerCase(Locale.ROOT));
      }
      throw new CommandLine.TypeConversionException("'" + value + "' (expected: one of " + expected + ")");
    }
  }

  static final class EngineConverter extends LowerCaseEnumConverter<Engine> {
    EngineConverter() {
      super(Engine.class);
    }
  }

  static final class LengthsConverter extends LowerCaseEnumConverter<LengthMode> {
    LengthsConverter() {
      super(LengthMode.class);
    }
  }

  static final class MetricsConverter extends LowerCaseEnumConverter<MetricsFlavor> {
    MetricsConverter() {
      super(MetricsFlavor.class);
    }
  }

  /** Accepts durations the way the config file does: {@code 50ms}, {@code 2s}, {@code PT1S}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return Durations.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
