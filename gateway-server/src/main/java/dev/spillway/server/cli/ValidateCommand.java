package dev.spillway.server.cli;

import dev.spillway.core.config.GatewayConfig;
import dev.spillway.server.config.ConfigError;
import dev.spillway.server.config.ConfigLoadException;
import dev.spillway.server.config.ConfigLoader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code spillway validate FILE}: checks a config file and prints OK or every error, starting nothing. */
@Command(name = "validate", mixinStandardHelpOptions = true,
    description = "Check a config file; print OK or every error with its key path and line.")
public final class ValidateCommand implements Callable<Integer> {
  static final int INVALID = 2;

  @Parameters(index = "0", paramLabel = "FILE", description = "The YAML or JSON config file.")
  Path file;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    List<ConfigError> errors = ConfigLoader.validate(file);
    if (errors.isEmpty()) {
      GatewayConfig config = ConfigLoader.load(file);
      spec.commandLine().getOut().printf("OK: %s (%d backends, %d routes)%n", file, config.backends().size(),
          config.routes().size());
      return 0;
    }
    // The same text a failing start prints, so docs and scripts see one format.
    PrintWriter err = spec.commandLine().getErr();
    err.println(new ConfigLoadException(file.toString(), errors).getMessage());
    return INVALID;
  }
}
