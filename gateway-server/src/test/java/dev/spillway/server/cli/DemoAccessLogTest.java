package dev.spillway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import dev.spillway.server.accesslog.AccessLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The demo's access log goes to a file, not to the terminal its instructions are printed on. */
class DemoAccessLogTest {
  @TempDir
  Path dir;

  @Test
  void accessLinesGoToTheFileAndNowhereElse() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger access = context.getLogger(AccessLog.LOGGER);
    List<Appender<ILoggingEvent>> before = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = access.iteratorForAppenders(); it.hasNext(); ) {
      before.add(it.next());
    }
    boolean additive = access.isAdditive();
    Path file = dir.resolve("access.log");
    try {
      assertThat(DemoAccessLog.toFile(file)).isTrue();
      access.info("{\"requestId\":\"r-1\"}");

      assertThat(Files.readString(file)).isEqualTo("{\"requestId\":\"r-1\"}" + System.lineSeparator());
      List<String> names = new ArrayList<>();
      access.iteratorForAppenders().forEachRemaining(a -> names.add(a.getName()));
      assertThat(names).containsExactly("DEMO_ACCESS_FILE");
      assertThat(access.isAdditive()).isFalse();
    } finally {
      access.detachAndStopAllAppenders();
      before.forEach(a -> {
        a.start();
        access.addAppender(a);
      });
      access.setAdditive(additive);
    }
  }
}
