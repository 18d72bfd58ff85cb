package dev.spillway.core.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * One backend endpoint, written in config as {@code http://host:port} or {@code https://host:port}; the port
 * defaults to 80 or 443. Either way the backend speaks HTTP/1.1; {@code https} puts TLS under it.
 */
public record EndpointAddress(String host, int port, Scheme scheme) {
  /** How a connection to the endpoint is made. */
  public enum Scheme {
    HTTP("http", 80),
    HTTPS("https", 443);

    private final String text;
    private final int defaultPort;

    Scheme(String text, int defaultPort) {
      this.text = text;
      this.defaultPort = defaultPort;
    }

    public int defaultPort() {
      return defaultPort;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  public EndpointAddress {
    Checks.notBlank("host", host);
    Checks.inRange("port", port, 1, 65535);
    Checks.notNull("scheme", scheme);
  }

  /** A plain {@code http} endpoint. */
  public EndpointAddress(String host, int port) {
    this(host, port, Scheme.HTTP);
  }

  /** Whether connections to this endpoint use TLS. */
  public boolean secure() {
    return scheme == Scheme.HTTPS;
  }

  /**
   * Parses {@code http://host:port} or {@code https://host:port}. A path, query or user info is an error, since
   * a backend endpoint
   * names a server, not a resource.
   */
  public static EndpointAddress parse(String text) {
    URI uri;
    try {
      uri = new URI(text.trim());
    } catch (URISyntaxException e) {
      throw new ConfigException("", "\"" + text + "\" is not a URL (expected: http://host:port)");
    }
    Scheme scheme;
    if ("http".equalsIgnoreCase(uri.getScheme())) {
      scheme = Scheme.HTTP;
    } else if ("https".equalsIgnoreCase(uri.getScheme())) {
      scheme = Scheme.HTTPS;
    } else {
      throw new ConfigException("", "\"" + text + "\" has an unsupported scheme (expected: http://host:port or "
          + "https://host:port)");
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
    return new EndpointAddress(host, uri.getPort() == -1 ? scheme.defaultPort() : uri.getPort(), scheme);
  }

  /** The value for a {@code Host} header sent to this endpoint. */
  public String authority() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == scheme.defaultPort() ? h : h + ":" + port;
  }

  @Override
  public String toString() {
    return scheme + "://" + authority();
  }
}
