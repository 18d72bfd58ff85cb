package dev.spillway.bench.scenario;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peer proxies, nginx and HAProxy: installs them with {@code apt-get} when absent, and fills in their
 * config templates ({@code benchmarks/peers/}). A peer that cannot be installed is reported loudly and left
 * out of every comparison, never skipped in silence.
 */
final class Peers {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z_]+)}");

  private Peers() {}

  /** The proxies that can run here: Spillway always, nginx and HAProxy when installed or installable. */
  static Set<ProxyKind> available() {
    Set<ProxyKind> kinds = EnumSet.of(ProxyKind.SPILLWAY);
    if (Proc.which("nginx") == null || Proc.which("haproxy") == null) {
      install();
    }
    if (Proc.which("nginx") != null) {
      kinds.add(ProxyKind.NGINX);
    } else {
      loud("nginx is not installed and could not be installed (apt-get install -y nginx-light); "
          + "every nginx comparison is SKIPPED");
    }
    if (Proc.which("haproxy") != null) {
      kinds.add(ProxyKind.HAPROXY);
    } else {
      loud("haproxy is not installed and could not be installed (apt-get install -y haproxy); "
          + "every HAProxy comparison is SKIPPED");
    }
    return kinds;
  }

  private static void install() {
    if (Proc.which("apt-get") == null) {
      loud("apt-get not found; cannot install nginx or haproxy");
      return;
    }
    System.out.println("Installing the peers: apt-get install -y nginx-light haproxy");
    try {
      Process p = new ProcessBuilder("apt-get", "install", "-y", "nginx-light", "haproxy")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        loud("apt-get install timed out after 300 s");
      } else if (p.exitValue() != 0) {
        loud("apt-get install failed with exit code " + p.exitValue() + " (not root, or no network?)");
      }
    } catch (IOException e) {
      loud("apt-get install could not run: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static void loud(String message) {
    System.err.println();
    System.err.println("!!!!!!!!!! " + message + " !!!!!!!!!!");
    System.err.println();
  }

  /** The template with every {@code ${NAME}} replaced; a name without a value is an error. */
  static String render(Path template, Map<String, String> values) throws IOException {
    String text = Files.readString(template);
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(template + ": ${" + m.group(1) + "} has no value (expected one of: "
            + values.keySet() + ")");
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(value));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
