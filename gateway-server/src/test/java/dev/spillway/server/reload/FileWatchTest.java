package dev.spillway.server.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.server.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Change detection of the config file and its keysFile: debounced, once per content, never for a touch. */
class FileWatchTest {
  private static final Function<String, String> NO_ENV = name -> null;

  @TempDir
  Path dir;

  private Path file;
  private Path keys;
  private long clock = 1_000_000;

  private void write(Path p, String text) throws Exception {
    Files.writeString(p, text);
    // Every write gets a later mtime, whatever the file system's resolution.
    clock += 1000;
    Files.setLastModifiedTime(p, FileTime.fromMillis(clock));
  }

  private FileWatch watch() throws Exception {
    file = dir.resolve("spillway.yaml");
    keys = dir.resolve("tenants.yaml");
    write(file, "keysFile: tenants.yaml\nroutes: []\n");
    write(keys, "- {name: a, tier: free, keys: [k1]}\n");
    return new FileWatch(() -> ConfigLoader.sourceFiles(file, NO_ENV),
        ConfigReloader.hash(ConfigLoader.sourceFiles(file, NO_ENV)));
  }

  @Test
  void theKeysFileIsASourceResolvedNextToTheConfig() throws Exception {
    watch();
    assertThat(ConfigLoader.sourceFiles(file, NO_ENV)).containsExactly(file, dir.resolve("tenants.yaml"));
  }

  @Test
  void aChangeIsReportedOnceItHasSettledForOnePoll() throws Exception {
    FileWatch watch = watch();
    assertThat(watch.poll()).as("nothing changed").isFalse();

    write(file, "keysFile: tenants.yaml\nroutes: [] # edited\n");
    assertThat(watch.poll()).as("just written: wait for it to settle").isFalse();
    write(file, "keysFile: tenants.yaml\nroutes: [] # edited again\n");
    assertThat(watch.poll()).as("still being written").isFalse();
    assertThat(watch.poll()).as("settled").isTrue();
    watch.handled(ConfigReloader.hash(ConfigLoader.sourceFiles(file, NO_ENV)));
    assertThat(watch.poll()).as("reported once").isFalse();
    assertThat(watch.poll()).isFalse();
  }

  @Test
  void theKeysFileChangingIsAChangeAndATouchIsNot() throws Exception {
    FileWatch watch = watch();
    write(keys, "- {name: a, tier: free, keys: [k1, k2]}\n");
    assertThat(watch.poll()).isFalse();
    assertThat(watch.poll()).isTrue();
    watch.handled(ConfigReloader.hash(ConfigLoader.sourceFiles(file, NO_ENV)));

    Files.setLastModifiedTime(file, FileTime.fromMillis(clock += 1000));
    assertThat(watch.poll()).as("touched, same content").isFalse();
    assertThat(watch.poll()).isFalse();
  }

  @Test
  void aRejectedFileIsNotReloadedAgainUntilItChanges() throws Exception {
    FileWatch watch = watch();
    write(file, "routes: [oops\n");
    watch.poll();
    assertThat(watch.poll()).isTrue();
    watch.handled(ConfigReloader.hash(ConfigLoader.sourceFiles(file, NO_ENV)));
    assertThat(List.of(watch.poll(), watch.poll())).containsOnly(false);
  }
}
