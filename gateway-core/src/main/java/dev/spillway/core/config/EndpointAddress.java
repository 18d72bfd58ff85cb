package dev.spillway.core.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One backend endpoint, written in config as {@code http://host:port}. Only plain HTTP/1.1 is supported for
 * now; the port defaults to 80.
 */
public record EndpointAddress(String host, int port) {
  public EndpointAddress {
    Checks.notBlank("host", host);
    Checks.inRange("port", port, 1, 65535);
  }

  /**
   * Parses {@code http://host:port}. A path, query or user info is an error, since a backend endpoint
   * names a server, not a resource.
   */
  public static EndpointAddress parse(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException("", "\"" + text + "\" is not a URL (expected: http://host:port)");
    }
    if (!"http".equalsIgnoreCase(uri.getScheme())) {
      throw new ConfigException("", "\"" + text + "\" has an unsupported scheme (expected: http://host:port)");
    }
    if (uri.getHost() == null) {
      throw new ConfigException("", "\"" + text + "\" has no host (expected: http://host:port)");
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null
        || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
      throw new ConfigException("", "\"" + text + "\" has a path, query or user info (expected: http://host:port)");
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new EndpointAddress(host, uri.getPort() == -1 ? 80 : uri.getPort());
  }

  /** The value for a {@code Host} header sent to this endpoint. */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == 80 ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return "http://" + authority();
  }
}
