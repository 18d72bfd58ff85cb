package dev.spillway.bench.scenario;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/** Small helpers over {@code /proc} and the local network. */
final class Proc {
  private Proc() {}

  /** {@code VmRSS} of a process in KiB, or 0 when it is gone or {@code /proc} is unavailable. */
  static long rssKib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** A port that was free a moment ago on 127.0.0.1. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port: " + e.getMessage(), e);
    }
  }

  /** The path of an executable on {@code PATH} or in the sbin directories, or null. */
  static Path which(String name) {
    String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/local/sbin";
    for (String dir : path.split(":")) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }
}
