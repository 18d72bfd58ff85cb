package dev.spillway.server.cli;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.spillway.server.accesslog.AccessLog;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends the access log to a file for {@code spillway demo}, so that the terminal keeps its instructions
 * readable instead of scrolling one JSON line per request. Only the {@code spillway.access} logger moves; other
 * logging stays on the console.
 */
final class DemoAccessLog {
  private DemoAccessLog() {}

  /**
   * Routes {@code spillway.access} to {@code file} (appending). Returns {@code false}, changing nothing, when
   * logging is not Logback (then the access log goes wherever that logging sends it).
   */
  static boolean toFile(Path file) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return false;
    }
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%msg%n");
    encoder.start();
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setContext(context);
    appender.setName("DEMO_ACCESS_FILE");
    appender.setFile(file.toString());
    appender.setAppend(true);
    appender.setEncoder(encoder);
    appender.start();
    Logger access = context.getLogger(AccessLog.LOGGER);
    access.detachAndStopAllAppenders();
    access.setAdditive(false);
    access.addAppender(appender);
    return true;
  }
}
