package dev.spillway.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Keeps docs/configuration.md honest: what it shows must be what the loader does. */
class ConfigurationGuideTest {
  private static final Pattern ERROR_EXAMPLE = Pattern.compile(
      "## Errors\\n.*?```yaml\\n(.*?)```.*?```\\n(.*?)\\n```", Pattern.DOTALL);

  @Test
  void guideQuotesTheExampleFileVerbatim() throws IOException {
    String example = Files.readString(ConfigLoaderTest.exampleFile());

    assertThat(guide()).contains("```yaml\n" + example + "```");
  }

  @Test
  void guideShowsTheErrorsTheLoaderReallyReports() throws IOException {
    Matcher m = ERROR_EXAMPLE.matcher(guide());
    assertThat(m.find()).as("error example in the Errors section").isTrue();

    ConfigLoadException e = catchThrowableOfType(ConfigLoadException.class,
        () -> ConfigLoader.parse(m.group(1), "spillway.yaml", name -> null));

    assertThat(e).hasMessage(m.group(2));
  }

  private static String guide() throws IOException {
    return Files.readString(ConfigLoaderTest.exampleFile().getParent().resolveSibling("configuration.md"));
  }
}
