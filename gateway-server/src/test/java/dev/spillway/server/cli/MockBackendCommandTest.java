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
        "--capacity", "3", "--max-queue", "5")));
    runner.start();

    assertThat(line.get(10, TimeUnit.SECONDS))
        .matches("mock-backend listening on http://127\\.0\\.0\\.1:\\d+ \\(capacity 3, queue 5, latency 2s\\)");
    runner.interrupt();
    assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void invalidOptionIsAUsageError() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new MockBackendCommand()).setErr(new PrintWriter(err))
        .execute("--port", "0", "--capacity", "0");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("capacity: 0 (expected: > 0)");
  }

  @Test
  void badDurationIsAUsageError() {
    StringWriter err = new StringWriter();
    int code = new CommandLine(new MockBackendCommand()).setErr(new PrintWriter(err))
        .execute("--latency", "soon");

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("is not a duration");
  }
}
