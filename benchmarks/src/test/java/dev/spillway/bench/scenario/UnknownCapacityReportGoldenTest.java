package dev.spillway.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole unknown-capacity page, rendered from {@link UnknownCapacityFixtures}, must match its golden copy
 * byte for byte: the page and every chart. The only part that depends on the machine (cores, CPU, load average,
 * JDK, date) is replaced before comparing. On a mismatch the rendered files are left in
 * {@code target/golden-actual/} to diff against, or to copy over the golden files when a change is meant.
 */
class UnknownCapacityReportGoldenTest {
  private static final String PAGE = "unknown-capacity-golden.md";
  private static final String CHARTS = "unknown-capacity-golden-charts.txt";

  @TempDir
  Path out;

  @Test
  void rendersThePageAndChartsAsTheGoldenCopy() throws IOException {
    ScenarioOptions o = new ScenarioOptions(false, out, out, out, out, List.of("-Xmx256m"), false,
        Set.of(ProxyKind.SPILLWAY, ProxyKind.NGINX));
    Report report = new UnknownCapacityReport(o, UnknownCapacityFixtures.all()).write("unknown-capacity");
    String page = withoutMachine(Files.readString(out.resolve("unknown-capacity.md")));
    String charts = charts(out);
    assertThat(page).isEqualTo(withoutMachine(report.markdown()));

    Path actual = Path.of("target", "golden-actual");
    Files.createDirectories(actual);
    Files.writeString(actual.resolve(PAGE), page);
    Files.writeString(actual.resolve(CHARTS), charts);
    assertThat(page).isEqualTo(golden(PAGE));
    assertThat(charts).isEqualTo(golden(CHARTS));
  }

  @Test
  void theFixturesReachEverySectionAndBothVerdicts() throws IOException {
    ScenarioOptions o = new ScenarioOptions(false, out, out, out, out, List.of(), false, Set.of(ProxyKind.SPILLWAY));
    String page = new UnknownCapacityReport(o, UnknownCapacityFixtures.all()).write("unknown-capacity").markdown();
    assertThat(page).contains("### Targets at a glance", "#### Load sweep (fixed)", "#### Load sweep (llm)",
        "#### Load sweep (small)", "#### Targets (llm)", "#### Spike (fixed)", "#### Spike (llm)",
        "#### Convergence of the limit (llm)", "#### Long answers (fixed)", "#### Long answers (llm)",
        "#### Two tiers at 5.0× (llm)", "| nginx limit_conn 8 (told) |", "| nginx limit_conn 48 (told) |",
        "| Spillway, no limit |", "| llm | adaptive + engine signals |", "Here it does, so (3) applies.",
        "Here it does not", "The engine itself says when it had room", "Its slots are exact",
        "engine waiting, mean (primary / overflow)", "Not run: the mix backend did not start",
        "Not run: the overflow backend did not start", "not run: gateway did not start", "Not measured",
        "**Note:** nginx was not available here", "longer than the run allowed", "> run", "unjudged");
    // Each target both met and missed somewhere: zero sheds, tokens, TTFT, shed latency (client and Spillway's
    // own), recovery, convergence, free slots.
    assertThat(page).contains("met: 0 |", "MISSED: 1 |", "met: worst 95.0 %", "MISSED: worst 75.0 %",
        "met: worst 1.22×", "MISSED: worst > run", "client met:", "client MISSED:", "Spillway's own met:",
        "Spillway's own MISSED:", "met: 1 s", "MISSED: 6 s", "MISSED: not within 8 s", "met: 2.5 s",
        "MISSED: 13.5 s", "MISSED: not settled", "met: 0 of 4 sheds", "MISSED: 14 of 29 sheds");
  }

  /** The machine line names this machine's cores, CPU, load, JDK and date: the same placeholder everywhere. */
  private static String withoutMachine(String page) {
    return page.replaceAll("Machine: [^\n]*", "Machine: (this machine)");
  }

  /** Every chart the page links, by file name, one after the other. */
  private static String charts(Path dir) throws IOException {
    StringBuilder sb = new StringBuilder();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".svg")).sorted().toList()) {
        sb.append("=== ").append(f.getFileName()).append(" ===\n").append(Files.readString(f));
      }
    }
    return sb.toString();
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = UnknownCapacityReportGoldenTest.class.getResourceAsStream("/" + name)) {
      assertThat(in).as("golden file " + name + " (copy it from target/golden-actual/)").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
