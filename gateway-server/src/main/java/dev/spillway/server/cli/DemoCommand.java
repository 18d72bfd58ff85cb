package dev.spillway.server.cli;

import dev.spillway.core.GatewayStartException;
import dev.spillway.server.config.AdminConfig;
import dev.spillway.server.config.LoadedConfig;
import dev.spillway.server.mock.MockBackend;
import dev.spillway.server.mock.MockBackendOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spillway demo}: two mock AI backends behind a gateway, all on loopback, with curl commands to try.
 * Runs until Ctrl-C or SIGTERM; SIGHUP is logged and ignored (the demo has no config file to reload).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Start two mock AI backends and a gateway in front of them, and print commands to try.")
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--port", defaultValue = "8080", description = "Gateway port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--backend-ports", split = ",", defaultValue = "8001,8002",
      description = "Ports of the two mock backends (default: ${DEFAULT-VALUE}).")
  List<Integer> backendPorts;

  @Option(names = "--admin-port", defaultValue = "9901",
      description = "Admin server port: metrics and the status page (default: ${DEFAULT-VALUE}).")
  int adminPort;

  @Option(names = "--access-log", description = "File the access log (one JSON line per request) is written to "
      + "(default: spillway-demo-access.log in the temporary directory).")
  Path accessLogFile;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Lifecycle lifecycle = Lifecycle.trapSignals();
    SighupReload sighup = new SighupReload();
    sighup.trap();
    PrintWriter out = spec.commandLine().getOut();
    Path accessLog = accessLogFile != null ? accessLogFile
        : Path.of(System.getProperty("java.io.tmpdir"), "spillway-demo-access.log");
    // One line per request would bury the instructions below: the access log goes to a file.
    String accessLogNote = DemoAccessLog.toFile(accessLog) ? accessLog.toAbsolutePath().toString()
        : "wherever your logging configuration sends the spillway.access logger";
    MockBackendOptions mock = MockBackendOptions.defaults()
        .withLatency(Duration.ofMillis(400))
        .withTokensPerSecond(20)
        .withCapacity(8)
        .withMaxQueue(32);
    MockBackend first = MockBackend.start(mock.withPort(backendPorts.get(0)));
    MockBackend second = MockBackend.start(mock.withPort(backendPorts.get(1)));
    MonitoredGateway running;
    try {
      running = MonitoredGateway.start(LoadedConfig.of(DemoConfig.gatewayConfig(port, first.port(), second.port()))
          .withAdmin(AdminConfig.DEFAULTS.withPort(adminPort)));
    } catch (GatewayStartException e) {
      first.close();
      second.close();
      spec.commandLine().getErr().println("spillway demo: " + e.getMessage());
      return 1;
    }
    sighup.nothingToReload("the demo has no config file");
    printWelcome(out, running.gateway.port(), running.admin.url(), first, second, accessLogNote);
    lifecycle.runUntilShutdown(() -> running.shutdown().whenComplete((v, e) -> {
      first.close();
      second.close();
    }));
    return 0;
  }

  private static void printWelcome(PrintWriter out, int port, String adminUrl, MockBackend a, MockBackend b,
      String accessLog) {
    String url = "http://127.0.0.1:" + port;
    out.println();
    out.println("Spillway demo is running.");
    out.println("  gateway:        " + url);
    out.println("  mock backends:  " + a.url() + "  " + b.url() + "  (capacity 8, queue 32, 20 tokens/s)");
    out.println("  status page:    " + adminUrl + "   (metrics: " + adminUrl + "metrics)");
    out.println("  access log:     " + accessLog + "   (tail -f it to watch requests)");
    out.println();
    out.println("Try:");
    out.println("  curl -s " + url + "/v1/models");
    out.println("  curl -s " + url + "/v1/chat/completions -H 'Content-Type: application/json' \\");
    out.println("       -d '{\"model\":\"mock-gpt\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello!\"}]}'");
    out.println("  curl -N " + url + "/v1/chat/completions -H 'Content-Type: application/json' \\");
    out.println("       -d '{\"model\":\"mock-gpt\",\"stream\":true,\"max_tokens\":20,"
        + "\"messages\":[{\"role\":\"user\",\"content\":\"Stream please\"}]}'");
    out.println("Admission control: every key gets the demo tier (" + DemoConfig.DEMO_REQUESTS_PER_MINUTE
        + " requests/min, 20000 tokens/min); -H 'Authorization: Bearer " + DemoConfig.VIP_KEY + "' gets vip.");
    out.println("  curl -si " + url + "/v1/models | grep -i ratelimit       # the rate-limit headers");
    out.println("  for i in $(seq 35); do curl -s -o /dev/null -w '%{http_code} ' " + url + "/v1/models; done; echo"
        + "   # 429s after " + DemoConfig.DEMO_REQUESTS_PER_MINUTE);
    out.println();
    out.println("Press Ctrl-C to stop.");
    out.flush();
  }
}
