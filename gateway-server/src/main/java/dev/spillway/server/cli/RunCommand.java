package dev.spillway.server.cli;

import dev.spillway.core.GatewayStartException;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.server.config.ConfigLoadException;
import dev.spillway.server.config.ConfigLoader;
import dev.spillway.server.config.LoadedConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spillway run [--config FILE]}: starts the gateway and serves until the process is told to stop
 * (SIGTERM or Ctrl-C), then shuts down gracefully. Without {@code --config} it runs the built-in default
 * config (port 8080, one backend at {@code http://127.0.0.1:8000}). The admin server (metrics, status page)
 * starts next to it on {@code admin.host:admin.port}, {@code 127.0.0.1:9901} by default.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway.")
public final class RunCommand implements Callable<Integer> {

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML or JSON config file (default: the built-in config).")
  Path config;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws InterruptedException {
    Lifecycle lifecycle = Lifecycle.trapSignals();
    LoadedConfig loaded;
    try {
      loaded = config == null ? LoadedConfig.of(GatewayConfig.defaults()) : ConfigLoader.loadFile(config);
    } catch (ConfigLoadException e) {
      spec.commandLine().getErr().println(e.getMessage());
      return ValidateCommand.INVALID;
    }
    MonitoredGateway running;
    try {
      running = MonitoredGateway.start(loaded);
    } catch (GatewayStartException e) {
      spec.commandLine().getErr().println("spillway: " + e.getMessage());
      return 1;
    }
    lifecycle.runUntilShutdown(running::shutdown);
    return 0;
  }
}
