package dev.spillway.server.cli;

import dev.spillway.core.config.Durations;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code spillway mock-backend}: runs the {@link MockBackend} until the JVM is stopped (Ctrl-C or SIGTERM) or
 * the calling thread is interrupted.
 */
@Command(name = "mock-backend", mixinStandardHelpOptions = true,
    description = "Runs a mock OpenAI-compatible AI backend with finite capacity, for demos and load tests.")
public final class MockBackendCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--host", defaultValue = MockBackendOptions.DEFAULT_HOST,
      description = "Address to bind (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--port", defaultValue = "8000", description = "Port to bind, 0 for any (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--latency", defaultValue = "50ms", converter = DurationConverter.class,
      description = "Time to first token once a request holds a slot, e.g. 50ms or 2s "
          + "(default: ${DEFAULT-VALUE}).")
  Duration latency;

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
    try {
      options = new MockBackendOptions(host, port, latency, capacity, maxQueue, tokensPerSecond, completionTokens,
          ioThreads);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    MockBackend backend = MockBackend.start(options, security.build(spec.commandLine()));
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      backend.close();
      stopped.countDown();
    }, "mock-backend-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("mock-backend listening on " + backend.url() + " (capacity " + capacity + ", queue " + maxQueue
        + ", latency " + Durations.format(latency) + ")");
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
