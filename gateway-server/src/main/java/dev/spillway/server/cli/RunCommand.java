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
 * starts next to it on {@code admin.host:admin.port}, {@code 127.0.0.1:9901} by default. A config file is
 * reloaded without a restart on SIGHUP, on {@code POST /config/reload}, and when it (or its {@code keysFile})
 * changes on disk; without a config file SIGHUP is logged and ignored.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run the gateway.")
public final class RunCommand implements Callable<Integer> {
  /** How often the config file is checked for changes; a change is applied after one more quiet check. */
  static final long WATCH_INTERVAL_MILLIS = 1000;

  @Option(names = {"-c", "--config"}, paramLabel = "FILE",
      description = "YAML or JSON config file (default: the built-in config).")
  Path config;

  @Option(names = "--watch-config", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Reload when the config file or its keysFile changes on disk (default: ${DEFAULT-VALUE}; "
          + "SIGHUP and POST /config/reload on the admin server reload too).")
  boolean watchConfig;

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
    SighupReload sighup = new SighupReload();
    if (!sighup.trap() && config != null) {
      spec.commandLine().getErr().println("spillway: SIGHUP cannot be trapped here (it is ignored, as under "
          + "nohup, or the JVM runs with -Xrs), so it reloads nothing; reload with POST /config/reload or by "
          + "changing the file");
    }
    MonitoredGateway running;
    try {
      running = MonitoredGateway.start(loaded, config);
    } catch (GatewayStartException e) {
      spec.commandLine().getErr().println("spillway: " + e.getMessage());
      return 1;
    }
    if (config != null) {
      MonitoredGateway started = running;
      sighup.started(() -> started.reloader.reload("SIGHUP"));
      if (watchConfig) {
        running.reloader.watch(WATCH_INTERVAL_MILLIS);
      }
    } else {
      sighup.nothingToReload("started without --config");
    }
    lifecycle.runUntilShutdown(running::shutdown);
    return 0;
  }
}
