package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import dev.spillway.server.reload.ReloadAttempt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload through the real server: a mock GPU server of capacity C offered 5× C, half of it streams, while
 * the config file is changed and reloaded (applied), then broken and reloaded (rejected). No request fails
 * (anything but 200 or the intended 503/429 sheds), every stream completes, the live limit object is the same
 * one, and the bad file changes nothing and is reported with its lines.
 */
class ConfigReloadIT {
  private static final int CAPACITY = 8;
  /** C is about 80 requests a second (50 ms to the first token, 10 tokens at 200/s). */
  private static final int RATE_PER_SECOND = 400;
  private static final int SECONDS = 3;
  private static final String TOKEN = "reload-test-token";

  @TempDir
  Path dir;

  record Result(int status, boolean stream, String body) {}

  private static String config(int backendPort, int concurrency, String rpm, String extra) {
    return """
        server:
          host: 127.0.0.1
          port: 0
          ioThreads: 2
          shutdownTimeout: 5s
        backends:
          b:
            endpoints: [http://127.0.0.1:%d]
            concurrency: {mode: static, limit: %d}
            waitingRoom: {maxQueue: 16, maxWait: 300ms}
        routes:
          - name: chat
            match: {pathPrefix: /}
            backend: b
            admission:
              defaultTier: free
              rejection: {rateLimitedStatus: 429, overloadedStatus: 503}
        tiers:
          free:
            limits:
              - {name: rpm, bandwidths: ["%s"]}
        admin:
          enabled: true
          host: 127.0.0.1
          port: 0
          token: %s
        %s
        """.formatted(backendPort, concurrency, rpm, TOKEN, extra);
  }

  @Test
  void reloadsUnderFiveTimesOverloadWithStreamsWithoutAFailedRequest() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults().withCapacity(CAPACITY).withMaxQueue(512)
        .withLatency(Duration.ofMillis(50)).withTokensPerSecond(200));
    Path file = dir.resolve("spillway.yaml");
    Files.writeString(file, config(mock.port(), CAPACITY, "100000/1m", ""), StandardCharsets.UTF_8);
    MonitoredGateway running = MonitoredGateway.start(ConfigLoader.loadFile(file), file);
    try {
      BackendAdmission admission = running.gateway.runtime().backends().get("b").admission();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      ConcurrentLinkedQueue<Result> results = new ConcurrentLinkedQueue<>();
      List<CompletableFuture<?>> pending = new ArrayList<>();
      long interval = TimeUnit.SECONDS.toNanos(1) / RATE_PER_SECOND;
      long start = System.nanoTime();
      ReloadAttempt applied = null;
      ReloadAttempt rejected = null;
      GatewayConfig beforeBad = null;
      for (int i = 0; i < RATE_PER_SECOND * SECONDS; i++) {
        if (i == RATE_PER_SECOND) {
          Files.writeString(file, config(mock.port(), CAPACITY - 2, "90000/1m", ""), StandardCharsets.UTF_8);
          applied = running.reloader.reload("test").get(10, TimeUnit.SECONDS);
        } else if (i == 2 * RATE_PER_SECOND) {
          beforeBad = running.gateway.config();
          Files.writeString(file, config(mock.port(), -1, "90000/1m", "limiterCache: {maxTenants: many}"),
              StandardCharsets.UTF_8);
          rejected = running.reloader.reload("test").get(10, TimeUnit.SECONDS);
        }
        long wait = start + i * interval - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        boolean stream = i % 2 == 0;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + running.gateway.port()
                + "/v1/chat/completions")).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chatBody(stream))).build();
        pending.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((r, e) -> {
          results.add(e != null ? new Result(-1, stream, String.valueOf(e)) : new Result(r.statusCode(), stream,
              r.body()));
          return null;
        }));
      }
      CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])).get(120, TimeUnit.SECONDS);

      int ok = 0;
      int shed = 0;
      int streamsCompleted = 0;
      List<Result> failed = new ArrayList<>();
      for (Result r : results) {
        if (r.status() == 200) {
          ok++;
          if (r.stream()) {
            if (r.body().strip().endsWith("data: [DONE]") && !r.body().contains("\"error\"")) {
              streamsCompleted++;
            } else {
              failed.add(r);
            }
          }
        } else if (r.status() == 503 || r.status() == 429) {
          shed++;
        } else {
          failed.add(r);
        }
      }
      System.out.printf("reload under 5x overload: offered %d, ok %d (streams completed %d), shed %d, failed %d;"
          + " applied: %s; rejected with %d errors%n", results.size(), ok, streamsCompleted, shed, failed.size(),
          applied.changes(), rejected.errors().size());
      assertThat(failed).as("no failed request, no broken stream").isEmpty();
      assertThat(shed).as("the overload was shed").isPositive();
      assertThat(streamsCompleted).isPositive();

      assertThat(applied.result()).isEqualTo("applied");
      assertThat(applied.changes()).contains("backends.b: changed backends.b.concurrency",
          "tiers.free: changed tiers.free.limits");
      assertThat(running.gateway.runtime().backends().get("b").admission()).as("the same live limit")
          .isSameAs(admission);
      assertThat(admission.limit()).isEqualTo(CAPACITY - 2);
      assertThat(admission.inFlight()).as("every permit came back").isZero();

      assertThat(rejected.result()).isEqualTo("rejected");
      assertThat(rejected.errors()).as("errors with their keys and lines").isNotEmpty()
          .allSatisfy(p -> assertThat(p.line()).isPositive());
      assertThat(rejected.errors()).anySatisfy(p -> assertThat(p.key()).contains("concurrency"));
      assertThat(running.gateway.config()).as("nothing changed").isSameAs(beforeBad);

      String metrics = running.monitoring.metricsText();
      assertThat(metrics).contains("spillway_config_reloads_total{result=\"applied\"} 1.0",
          "spillway_config_reloads_total{result=\"rejected\"} 1.0");
      String state = new String(running.monitoring.reloadJson(), StandardCharsets.UTF_8);
      assertThat(state).contains("\"lastFailure\"", "\"since\"", "\"sha256\"", applied.sha256());
      // /config shows the running file as `validate` accepts it: the applied concurrency, no reload state.
      String config = new String(running.monitoring.configJson(), StandardCharsets.UTF_8);
      assertThat(config).doesNotContain("lastFailure");
    } finally {
      running.shutdown().get(30, TimeUnit.SECONDS);
      mock.close();
    }
  }

  @Test
  void theAdminEndpointReloadsBehindTheTokenAndAnswersWithTheAttempt() throws Exception {
    MockBackend mock = MockBackend.start(MockBackendOptions.defaults());
    Path file = dir.resolve("spillway.yaml");
    Files.writeString(file, config(mock.port(), 4, "600/1m", ""), StandardCharsets.UTF_8);
    MonitoredGateway running = MonitoredGateway.start(ConfigLoader.loadFile(file), file);
    try {
      HttpClient http = HttpClient.newHttpClient();
      URI reload = URI.create("http://127.0.0.1:" + running.admin.port() + "/config/reload");
      HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(reload)
          .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      HttpResponse<String> get = http.send(HttpRequest.newBuilder(reload).header("Authorization", "Bearer " + TOKEN)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(get.statusCode()).isEqualTo(200);
      assertThat(get.body()).contains("\"source\"", "\"sha256\"", "\"since\"");
      HttpResponse<String> delete = http.send(HttpRequest.newBuilder(reload).header("Authorization", "Bearer " + TOKEN)
          .DELETE().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(delete.statusCode()).isEqualTo(405);

      Files.writeString(file, config(mock.port(), 5, "600/1m", ""), StandardCharsets.UTF_8);
      HttpResponse<String> applied = post(http, reload);
      assertThat(applied.statusCode()).isEqualTo(200);
      assertThat(applied.body()).contains("\"result\" : \"applied\"", "backends.b.concurrency");

      Files.writeString(file, config(mock.port(), 5, "600/1m", "").replace("backend: b", "backend: nope"),
          StandardCharsets.UTF_8);
      HttpResponse<String> bad = post(http, reload);
      assertThat(bad.statusCode()).isEqualTo(422);
      assertThat(bad.body()).contains("\"result\" : \"rejected\"", "routes[0].backend", "\"line\" : 14");

      Files.writeString(file, config(mock.port(), 5, "600/1m", "").replace("ioThreads: 2", "ioThreads: 3"),
          StandardCharsets.UTF_8);
      HttpResponse<String> restart = post(http, reload);
      assertThat(restart.statusCode()).isEqualTo(409);
      assertThat(restart.body()).contains("\"result\" : \"restart_required\"", "server.ioThreads");
      assertThat(running.gateway.config().server().ioThreads()).isEqualTo(2);

      HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
          + running.admin.port() + "/status")).header("Authorization", "Bearer " + TOKEN).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(status.body()).contains("\"config\"", "\"lastFailedReload\"", "restart_required");
      HttpResponse<String> state = http.send(HttpRequest.newBuilder(reload).header("Authorization", "Bearer " + TOKEN)
          .GET().build(), HttpResponse.BodyHandlers.ofString());
      assertThat(state.body()).contains("\"lastFailure\"", "server.ioThreads");
      // The file watcher: a new backend and route appear on /status and in the metrics, with no request to reload.
      CompletableFuture<GatewayConfig> watched = new CompletableFuture<>();
      running.gateway.addListener((previous, current) -> {
        if (current.backends().containsKey("spare")) {
          watched.complete(current);
        }
      });
      running.reloader.watch(100);
      String withSpare = config(mock.port(), 7, "600/1m", "")
          .replace("backends:\n", "backends:\n  spare:\n    endpoints: [http://127.0.0.1:" + mock.port() + "]\n")
          .replace("tiers:\n", "  - name: spare\n    match: {pathPrefix: /spare}\n    backend: spare\ntiers:\n");
      Files.writeString(file, withSpare, StandardCharsets.UTF_8);
      watched.get(20, TimeUnit.SECONDS); // the gateway tells its listeners once the reload is applied
      assertThat(running.gateway.runtime().backends().get("b").admission().limit()).isEqualTo(7);
      assertThat(running.gateway.runtime().backends()).containsKeys("b", "spare");
      // The monitoring followed the reload before this listener heard of it; its next tick shows the components.
      running.monitoring.pump();
      String statusJson = new String(running.monitoring.statusJson(), StandardCharsets.UTF_8);
      assertThat(statusJson).contains("\"spare\"");
      assertThat(running.monitoring.metricsText())
          .contains("spillway_component_state{kind=\"route\",name=\"spare\"}");
    } finally {
      running.shutdown().get(30, TimeUnit.SECONDS);
      mock.close();
    }
  }

  private static HttpResponse<String> post(HttpClient http, URI reload) throws Exception {
    return http.send(HttpRequest.newBuilder(reload).header("Authorization", "Bearer " + TOKEN)
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String chatBody(boolean stream) {
    return "{\"model\":\"mock-gpt\",\"stream\":" + stream + ",\"max_tokens\":10,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Say something\"}]}";
  }
}
