package dev.spillway.server.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** Reports the version the build stamped into {@code version.properties}, plus the JVM it runs on. */
public final class VersionProvider implements CommandLine.IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {"spillway " + version(), "JVM: " + System.getProperty("java.vm.name") + " "
        + Runtime.version()};
  }

  /** The build's version, or {@code unknown} when run from unpackaged classes without resources. */
  public static String version() {
    try (InputStream in = VersionProvider.class.getResourceAsStream("/dev/spillway/server/version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
