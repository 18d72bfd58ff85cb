package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What can be checked of {@code deploy/} without a container runtime or a cluster: the Kubernetes manifests
 * parse and agree with the gateway (ports, probe paths, grace periods, labels, metric names), the Dockerfile's
 * paths exist, the systemd unit verifies, and the jar runs under the unit's Java options in a read-only
 * working directory, answers every probe path the manifests and the Dockerfile use, and stops on SIGTERM
 * within the unit's stop timeout.
 */
class DeploymentFilesIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DEPLOY = ROOT.resolve("deploy");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Map<String, String> ENV = Map.of("SPILLWAY_ADMIN_TOKEN", "test-admin-token");

  @TempDir
  Path dir;

  private static List<JsonNode> manifests() throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (Stream<Path> files = Files.list(DEPLOY.resolve("kubernetes"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(f.toFile())) {
          it.readAll().stream().filter(n -> n != null && !n.isNull()).forEach(docs::add);
        }
      }
    }
    return docs;
  }

  private static JsonNode kind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> d.path("kind").asText().equals(kind)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " in deploy/kubernetes"));
  }

  private static String configMapYaml(List<JsonNode> docs) {
    return kind(docs, "ConfigMap").at("/data/spillway.yaml").asText();
  }

  private static int namedPort(JsonNode container, String name) {
    for (JsonNode p : container.path("ports")) {
      if (p.path("name").asText().equals(name)) {
        return p.path("containerPort").asInt();
      }
    }
    throw new AssertionError("container has no port named " + name);
  }

  @Test
  void kubernetesManifestsParseAndAgreeWithTheGatewayConfig() throws Exception {
    List<JsonNode> docs = manifests();
    assertThat(docs.stream().map(d -> d.path("kind").asText()).toList()).contains("ConfigMap", "Secret",
        "Deployment", "Service", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule");
    LoadedConfig config = ConfigLoader.parseFile(configMapYaml(docs), "configmap spillway.yaml", ENV::get);

    JsonNode deployment = kind(docs, "Deployment");
    JsonNode pod = deployment.at("/spec/template");
    JsonNode container = pod.at("/spec/containers/0");
    assertThat(namedPort(container, "http")).isEqualTo(config.gateway().server().port());
    assertThat(namedPort(container, "admin")).isEqualTo(config.admin().port());
    assertThat(config.admin().host()).as("probes come from outside the pod").isEqualTo("0.0.0.0");
    assertThat(config.admin().token()).as("the token comes from the Secret").isEqualTo("test-admin-token");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/readyz");
    assertThat(container.at("/readinessProbe/httpGet/port").asText()).isEqualTo("admin");
    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/healthz");
    assertThat(container.at("/livenessProbe/httpGet/port").asText()).isEqualTo("admin");
    assertThat(container.at("/env/0/valueFrom/secretKeyRef/name").asText()).isEqualTo("spillway-secrets");
    assertThat(pod.at("/metadata/annotations").path("prometheus.io/port").asInt()).isEqualTo(config.admin().port());
    assertThat(pod.at("/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();

    // The pod's grace covers the preStop sleep, the readiness delay and the drain.
    JsonNode preStop = container.at("/lifecycle/preStop/exec/command");
    assertThat(preStop.get(0).asText()).isEqualTo("sleep");
    long needed = preStop.get(1).asLong() + config.gateway().server().shutdownDelay().toSeconds()
        + config.gateway().server().shutdownTimeout().toSeconds();
    assertThat(config.gateway().server().shutdownDelay()).isPositive();
    assertThat(deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong()).isGreaterThan(needed);

    JsonNode labels = pod.at("/metadata/labels");
    assertThat(deployment.at("/spec/selector/matchLabels")).isEqualTo(labels);
    assertThat(kind(docs, "PodDisruptionBudget").at("/spec/selector/matchLabels")).isEqualTo(labels);
    for (JsonNode d : docs) {
      if (d.path("kind").asText().equals("Service")) {
        labels.fields().forEachRemaining(e -> assertThat(d.at("/spec/selector").path(e.getKey()))
            .isEqualTo(e.getValue()));
        for (JsonNode port : d.at("/spec/ports")) {
          namedPort(container, port.path("targetPort").asText());
        }
      }
    }
    JsonNode monitor = kind(docs, "ServiceMonitor");
    assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo("admin");
    assertThat(monitor.at("/spec/endpoints/0/bearerTokenSecret/name").asText()).isEqualTo("spillway-secrets");
    assertThat(alertMetricNames(docs)).isNotEmpty();
  }

  /** Every {@code spillway_*} metric the alert rules use. */
  private static Set<String> alertMetricNames(List<JsonNode> docs) {
    Set<String> names = new TreeSet<>();
    for (JsonNode group : kind(docs, "PrometheusRule").at("/spec/groups")) {
      for (JsonNode rule : group.path("rules")) {
        Matcher m = Pattern.compile("spillway_[a-z_]+").matcher(rule.path("expr").asText());
        while (m.find()) {
          names.add(m.group());
        }
      }
    }
    return names;
  }

  @Test
  void dockerfilePathsExistAndItsPortsAndHealthCheckMatchTheBakedConfig() throws Exception {
    List<String> lines = Files.readAllLines(DEPLOY.resolve("Dockerfile"));
    List<String> copied = new ArrayList<>();
    for (String line : lines) {
      if (line.startsWith("COPY ") && !line.contains("--from=")) {
        List<String> parts = Arrays.asList(line.substring(5).trim().split("\\s+"));
        copied.addAll(parts.subList(0, parts.size() - 1));
      }
    }
    assertThat(copied).contains("mvnw", "pom.xml", ".mvn", "deploy/spillway.yaml");
    for (String path : copied) {
      assertThat(ROOT.resolve(path)).as("COPY " + path).exists();
    }
    assertThat(Files.readString(ROOT.resolve("gateway-server/pom.xml"))).as("the jar the image copies")
        .contains("<finalName>spillway</finalName>");
    assertThat(String.join("\n", lines)).contains("cp gateway-server/target/spillway.jar")
        .contains("FROM eclipse-temurin:21-jre").containsPattern("(?m)^USER 10001:10001$")
        .contains("/dev/tcp/127.0.0.1/9901").contains("GET /readyz");
    LoadedConfig baked = ConfigLoader.parseFile(Files.readString(DEPLOY.resolve("spillway.yaml")),
        "deploy/spillway.yaml", ENV::get);
    String expose = lines.stream().filter(l -> l.startsWith("EXPOSE ")).findFirst().orElseThrow();
    assertThat(expose.substring(7).trim().split("\\s+")).containsExactly(
        String.valueOf(baked.gateway().server().port()), String.valueOf(baked.admin().port()));
    assertThat(baked.admin().host()).isEqualTo("0.0.0.0");
  }

  @Test
  void systemdUnitVerifies() throws Exception {
    Path analyze = Path.of("/usr/bin/systemd-analyze");
    assumeTrue(Files.isExecutable(analyze) && Files.isExecutable(Path.of("/usr/bin/java")),
        "systemd-analyze or /usr/bin/java (the unit's ExecStart) is not installed here");
    Process p = new ProcessBuilder(analyze.toString(), "verify", DEPLOY.resolve("systemd/spillway.service")
        .toString()).redirectErrorStream(true).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(out.lines().filter(l -> l.contains("spillway.service"))).as(out).isEmpty();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @Test
  void theJarRunsUnderTheUnitsSettingsAnswersTheProbesAndStopsInTime() throws Exception {
    List<String> unit = Files.readAllLines(DEPLOY.resolve("systemd/spillway.service"));
    List<String> javaOptions = unitJavaOptions(unit);
    assertThat(javaOptions).contains("-XX:+ExitOnOutOfMemoryError");
    long timeoutStopSec = Long.parseLong(unitValue(unit, "TimeoutStopSec"));
    List<JsonNode> docs = manifests();
    MockBackend backend = MockBackend.start(MockBackendOptions.defaults().withPort(0));
    int port = freePort();
    int adminPort = freePort();
    // The ConfigMap's config, on free loopback ports and the mock backend.
    String yaml = configMapYaml(docs).replace("host: 0.0.0.0", "host: 127.0.0.1")
        .replace("port: 8080", "port: " + port).replace("port: 9901", "port: " + adminPort)
        .replace("http://vllm-0.vllm:8000", "http://127.0.0.1:" + backend.port())
        .replace("          - http://vllm-1.vllm:8000\n", "");
    Path config = dir.resolve("spillway.yaml");
    Files.writeString(config, yaml);
    LoadedConfig loaded = ConfigLoader.parseFile(yaml, "test", ENV::get);
    assertThat(timeoutStopSec).as("TimeoutStopSec covers the readiness delay and the drain").isGreaterThan(
        loaded.gateway().server().shutdownDelay().toSeconds() + loaded.gateway().server().shutdownTimeout().toSeconds());
    Path workDir = Files.createDirectory(dir.resolve("readonly-workdir"));
    Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("r-xr-xr-x"));
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    try (GatewayProcess p = GatewayProcess.start(dir, workDir, javaOptions, config, ENV)) {
      p.awaitOutput("admin server on", Duration.ofSeconds(90));
      Set<String> probePaths = new LinkedHashSet<>();
      JsonNode container = kind(docs, "Deployment").at("/spec/template/spec/containers/0");
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        probePaths.add(container.at("/" + probe + "/httpGet/path").asText());
      }
      probePaths.add("/readyz"); // the Dockerfile's HEALTHCHECK
      for (String path : probePaths) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " without a token").isEqualTo(200);
      }
      HttpResponse<String> chat = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/v1/chat/completions")).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"max_tokens\":2,\"messages\":[{\"role\":"
              + "\"user\",\"content\":\"hi\"}]}")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(chat.statusCode()).isEqualTo(200);
      // The alert rules only name metrics the gateway exports (counters appear once counted: poll).
      Set<String> wanted = alertMetricNames(docs);
      GatewayProcess.await("every metric the alert rules use", Duration.ofSeconds(20), () -> {
        String metrics = scrape(http, adminPort);
        return wanted.stream().allMatch(name -> Pattern.compile("(?m)^" + name + "[{ ]").matcher(metrics).find());
      });

      p.terminate();
      assertThat(p.waitFor(Duration.ofSeconds(timeoutStopSec))).as("stopped within TimeoutStopSec").isTrue();
      assertThat(p.exitValue()).as(p.output()).isZero();
      assertThat(p.output()).doesNotContain("Exception").contains("stopped");
      try (Stream<Path> left = Files.list(workDir)) {
        // Root ignores the mode bits, so check directly that nothing was written there.
        assertThat(left).as("files written to the (read-only) working directory").isEmpty();
      }
    } finally {
      Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwx------"));
      backend.close();
    }
  }

  private static String scrape(HttpClient http, int adminPort) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"))
          .header("Authorization", "Bearer " + ENV.get("SPILLWAY_ADMIN_TOKEN")).timeout(Duration.ofSeconds(10))
          .build(), HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** The words of {@code Environment=JAVA_OPTS="..."}. */
  private static List<String> unitJavaOptions(List<String> unit) {
    String value = unitValue(unit, "Environment");
    assertThat(value).startsWith("JAVA_OPTS=\"").endsWith("\"");
    return List.of(value.substring("JAVA_OPTS=\"".length(), value.length() - 1).split("\\s+"));
  }

  private static String unitValue(List<String> unit, String key) {
    return unit.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + "= in the unit"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
