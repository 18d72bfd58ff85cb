package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MockBackendCommandTest {

  @Test
  void printsTheListeningLineAndStopsWhenInterrupted() throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    StringBuilder printed = new StringBuilder();
    Writer watcher = new Writer() {
      @Override
      public void write(char[] cbuf, int off, int len) {
        printed.append(cbuf, off, len);
        if (printed.indexOf("\n") >= 0) {
          line.complete(printed.toString().trim());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    CommandLine cli = new CommandLine(new MockBackendCommand()).setOut(new PrintWriter(watcher, true));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread runner = new Thread(() -> exit.complete(cli.execute("--port", "0", "--latency", "2s",
        "--latency-jitter", "0.25", "--capacity", "3", "--max-queue", "5")));
    runner.start();

    assertThat(line.get(10, TimeUnit.SECONDS)).matches("mock-backend listening on http://127\\.0\\.0\\.1:\\d+ "
        + "\\(capacity 3, queue 5, latency 2s, latency-jitter 0\\.25\\)");
    runner.interrupt();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
  }

  /** Runs the command, expects the usage-error exit code 2 and returns what it printed on stderr. */
  private static String usageError(String... args) {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new MockBackendCommand()).setErr(new PrintWriter(err)).execute(args);
    assertThat(code).isEqualTo(2);
    return err.toString();
  }

  @Test
  void invalidOptionIsAUsageError() {
    assertThat(usageError("--port", "0", "--capacity", "0")).contains("capacity: 0 (expected: > 0)");
  }

  @Test
  void latencyJitterOfOneOrMoreIsAUsageError() {
    assertThat(usageError("--port", "0", "--latency-jitter", "1.5"))
        .contains("latencyJitter: 1.5 (expected: >= 0 and < 1)");
  }

  @Test
  void badDurationIsAUsageError() {
    assertThat(usageError("--latency", "soon")).contains("is not a duration");
  }

  @Test
  void printCapacityEstimatesTheDefaultEngine() {
    StringWriter out = new StringWriter();
    int code = new CommandLine(new MockBackendCommand()).setOut(new PrintWriter(out))
        .execute("--engine", "llm", "--lengths", "trace", "--print-capacity");

    assertThat(code).isZero();
    assertThat(out.toString()).matches("(?s)capacity ~\\d+\\.\\d\\d req/s for mean prompt \\d+ / answer \\d+ tokens.*"
        + "unloaded TTFT \\d+ ms\\)\\s*");
  }

  @Test
  void unknownEngineIsAUsageError() {
    assertThat(usageError("--engine", "gpu")).contains("'gpu' (expected: one of fixed, llm)");
  }

  @Test
  void invalidEngineOptionIsAUsageError() {
    assertThat(usageError("--engine", "llm", "--reasoning-fraction", "1.5"))
        .contains("reasoningFraction: 1.5 (expected: >= 0 and <= 1)");
  }

  @Test
  void theLlmEngineAnnouncesItselfAndItsCapacity() throws Exception {
    CompletableFuture<String> line = new CompletableFuture<>();
    StringBuilder printed = new StringBuilder();
    Writer watcher = new Writer() {
      @Override
      public void write(char[] cbuf, int off, int len) {
        printed.append(cbuf, off, len);
        if (printed.indexOf("\n") >= 0) {
          line.complete(printed.toString().trim());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    CommandLine cli = new CommandLine(new MockBackendCommand()).setOut(new PrintWriter(watcher, true));
    CompletableFuture<Integer> exit = new CompletableFuture<>();
    Thread runner = new Thread(() -> exit.complete(cli.execute("--port", "0", "--engine", "llm", "--metrics",
        "sglang", "--max-running", "64")));
    runner.start();

    assertThat(line.get(10, TimeUnit.SECONDS)).matches("mock-backend \\(llm engine, sglang metrics\\) listening on "
        + "http://127\\.0\\.0\\.1:\\d+ \\(max-running 64, kv-cache 65536 tokens, queue 1024\\); capacity ~.*");
    runner.interrupt();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
  }
}
