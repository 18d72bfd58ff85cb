package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line as a user meets it: exit codes and messages. */
class CliTest {
  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void validatePrintsOkForTheShippedExample() {
    assertThat(run("validate", "../docs/examples/spillway.yaml")).isZero();
    assertThat(out.toString()).startsWith("OK: ../docs/examples/spillway.yaml (2 backends, 4 routes)");
  }

  @Test
  void validatePrintsEveryErrorWithPathAndLine() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), String.join("\n",
        "server:",
        "  prot: 8080",
        "backends:",
        "  primary:",
        "    endpoints: [\"http://127.0.0.1:8000\"]",
        "    connectTimeout: 30",
        "routes:",
        "  - name: chat",
        "    backend: primry",
        ""));
    assertThat(run("validate", bad.toString())).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("invalid config " + bad + " (3 errors):")
        .contains("server.prot: unknown key")
        .contains("(line 2)")
        .contains("backends.primary.connectTimeout:")
        .contains("(line 6)")
        .contains("routes[0].backend: \"primry\" is not a defined backend")
        .contains("(line 9)");
  }

  @Test
  void runRefusesAnInvalidConfigAndStartsNothing() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "routes: []\n");
    assertThat(run("run", "--config", bad.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("routes");
  }

  @Test
  void runReportsAMissingFile() {
    assertThat(run("run", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err.toString()).contains("nope.yaml");
  }

  @Test
  void printsVersionAndHelp() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("spillway ");
    assertThat(run("--help")).isZero();
    assertThat(out.toString()).contains("run").contains("validate").contains("demo").contains("mock-backend");
  }

  @Test
  void unknownCommandIsAUsageError() {
    assertThat(run("fly")).isEqualTo(2);
    assertThat(err.toString()).contains("fly");
  }
}
