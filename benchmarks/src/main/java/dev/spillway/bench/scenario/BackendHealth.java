package dev.spillway.bench.scenario;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a mock backend's {@code GET /health} ({@code {"status":"ok","inFlight":N,"queued":M}}, both engines),
 * so a scenario can wait until work left over from one run has drained before measuring the next.
 */
final class BackendHealth {
  private static final Pattern IN_FLIGHT = Pattern.compile("\"inFlight\"\\s*:\\s*(\\d+)");
  private static final Pattern QUEUED = Pattern.compile("\"queued\"\\s*:\\s*(\\d+)");
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofMillis(500)).build();

  private BackendHealth() {}

  /** Requests in flight plus queued at the backend on {@code port}; -1 when it cannot be read. */
  static int busy(int port) {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
          .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? busy(r.body()) : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** In flight plus queued from a health body; -1 when either is missing. */
  static int busy(String body) {
    Matcher f = IN_FLIGHT.matcher(body);
    Matcher q = QUEUED.matcher(body);
    if (!f.find() || !q.find()) {
      return -1;
    }
    return Integer.parseInt(f.group(1)) + Integer.parseInt(q.group(1));
  }

  /**
   * Waits until the backend has nothing in flight or queued, at most {@code timeout}; returns what it still
   * had then (0 when idle, -1 when unreadable), and says so loudly when it was not idle in time.
   */
  static int awaitIdle(int port, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int busy = busy(port);
    // Unreadable (-1) is retried too: a first request on a busy machine can time out.
    while (busy != 0 && System.nanoTime() - deadline < 0) {
      ChildProcess.sleep(200);
      busy = busy(port);
    }
    if (busy != 0) {
      System.err.println("!! backend on port " + port + " still has " + busy + " requests after " + timeout.toSeconds()
          + " s; the next run starts on a busy backend");
    }
    return busy;
  }
}
