package dev.spillway.server;

import dev.spillway.server.cli.DemoCommand;
import dev.spillway.server.cli.MockBackendCommand;
import dev.spillway.server.cli.RunCommand;
import dev.spillway.server.cli.ValidateCommand;
import dev.spillway.server.cli.VersionProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spillway.jar} entry point.
 *
 * <pre>
 *   java -jar spillway.jar run [--config FILE]
 *   java -jar spillway.jar validate FILE
 *   java -jar spillway.jar demo
 *   java -jar spillway.jar mock-backend --port 8000
 * </pre>
 *
 * <p>Exit codes: 0 success, 1 runtime failure (e.g. the port is taken), 2 bad usage or an invalid config.
 */
@Command(
    name = "spillway",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "A load-shedding reverse proxy for AI backends.",
    subcommands = {RunCommand.class, ValidateCommand.class, DemoCommand.class, MockBackendCommand.class})
public final class Main implements Runnable {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line, without exiting; tests call {@code execute} on it. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command (run, validate, demo, mock-backend)");
  }
}
