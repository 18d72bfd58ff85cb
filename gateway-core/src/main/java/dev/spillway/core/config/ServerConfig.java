package dev.spillway.core.config;

import java.time.Duration;

/**
 * The client-facing listener.
 *
 * @param host address to bind, {@code 0.0.0.0} for all interfaces
 * @param port port to bind; 0 picks a free port (tests)
 * @param clientTimeout how long a client may take to send a request head, how long it may pause inside a
 *     request body, and how long a keep-alive connection may sit idle between requests
 * @param maxInitialLineLength longest request line accepted; longer gets 414
 * @param maxHeaderSize largest request header block accepted; larger gets 431
 * @param maxBodySize largest request body accepted; larger gets 413
 * @param shutdownTimeout how long in-flight requests and streams may run after shutdown begins
 * @param ioThreads event-loop threads; 0 means twice the number of cores
 * @param nativeTransport use epoll where available (Linux); NIO otherwise
 * @param maxHeaderCount most header fields (trailers included) a request may carry; more gets 431
 * @param forwardedHeaders what happens to a client's {@code Forwarded}/{@code X-Forwarded-*} headers
 * @param exposeBackendHeader whether responses tell clients which backend and endpoint served them
 *     ({@code x-spillway-backend}); off by default, as it names internal hosts (the access log has it anyway)
 * @param tls TLS termination, or {@code null} for plain HTTP
 * @param http2 HTTP/2 towards clients (over TLS through ALPN, in clear text with prior knowledge)
 * @param shutdownDelay how long, once shutdown begins, readiness reports "not ready" while the listener still
 *     accepts and serves as usual (so load balancers stop sending before connections are refused); 0 closes
 *     the listener at once
 */
public record ServerConfig(
    String host,
    int port,
    Duration clientTimeout,
    int maxInitialLineLength,
    int maxHeaderSize,
    long maxBodySize,
    Duration shutdownTimeout,
    int ioThreads,
    boolean nativeTransport,
    int maxHeaderCount,
    ForwardedHeadersConfig forwardedHeaders,
    boolean exposeBackendHeader,
    ServerTlsConfig tls,
    Http2Config http2,
    Duration shutdownDelay) {

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_CLIENT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_INITIAL_LINE_LENGTH = 8 * 1024;
  public static final int DEFAULT_MAX_HEADER_SIZE = 16 * 1024;
  public static final long DEFAULT_MAX_BODY_SIZE = 16L * 1024 * 1024;
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_SHUTDOWN_DELAY = Duration.ZERO;
  public static final int DEFAULT_IO_THREADS = 0;
  public static final boolean DEFAULT_NATIVE_TRANSPORT = true;
  public static final int DEFAULT_MAX_HEADER_COUNT = 100;
  public static final boolean DEFAULT_EXPOSE_BACKEND_HEADER = false;

  public static final ServerConfig DEFAULTS = new ServerConfig(
      DEFAULT_HOST, DEFAULT_PORT, DEFAULT_CLIENT_TIMEOUT, DEFAULT_MAX_INITIAL_LINE_LENGTH,
      DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_BODY_SIZE, DEFAULT_SHUTDOWN_TIMEOUT, DEFAULT_IO_THREADS,
      DEFAULT_NATIVE_TRANSPORT, DEFAULT_MAX_HEADER_COUNT, ForwardedHeadersConfig.DEFAULTS,
      DEFAULT_EXPOSE_BACKEND_HEADER, null, Http2Config.DEFAULTS, DEFAULT_SHUTDOWN_DELAY);

  public ServerConfig {
    Checks.notBlank("host", host);
    Checks.inRange("port", port, 0, 65535);
    Checks.positive("clientTimeout", clientTimeout);
    Checks.inRange("maxInitialLineLength", maxInitialLineLength, 64, 1 << 20);
    Checks.inRange("maxHeaderSize", maxHeaderSize, 256, 1 << 20);
    Checks.positive("maxBodySize", maxBodySize);
    Checks.nonNegative("shutdownTimeout", shutdownTimeout);
    Checks.inRange("ioThreads", ioThreads, 0, 1024);
    Checks.inRange("maxHeaderCount", maxHeaderCount, 1, 10_000);
    Checks.notNull("forwardedHeaders", forwardedHeaders);
    Checks.notNull("http2", http2);
    Checks.nonNegative("shutdownDelay", shutdownDelay);
  }

  /** The listener settings with HTTP/2's defaults and no shutdown delay. */
  public ServerConfig(String host, int port, Duration clientTimeout, int maxInitialLineLength, int maxHeaderSize,
      long maxBodySize, Duration shutdownTimeout, int ioThreads, boolean nativeTransport, int maxHeaderCount,
      ForwardedHeadersConfig forwardedHeaders, boolean exposeBackendHeader, ServerTlsConfig tls) {
    this(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads,
        nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls, Http2Config.DEFAULTS,
        DEFAULT_SHUTDOWN_DELAY);
  }

  /** The listener settings with HTTP/2's settings and no shutdown delay. */
  public ServerConfig(String host, int port, Duration clientTimeout, int maxInitialLineLength, int maxHeaderSize,
      long maxBodySize, Duration shutdownTimeout, int ioThreads, boolean nativeTransport, int maxHeaderCount,
      ForwardedHeadersConfig forwardedHeaders, boolean exposeBackendHeader, ServerTlsConfig tls,
      Http2Config http2) {
    this(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads,
        nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls, http2, DEFAULT_SHUTDOWN_DELAY);
  }

  /** The listener settings with a shutdown delay and HTTP/2's defaults. */
  public ServerConfig(String host, int port, Duration clientTimeout, int maxInitialLineLength, int maxHeaderSize,
      long maxBodySize, Duration shutdownTimeout, int ioThreads, boolean nativeTransport, int maxHeaderCount,
      ForwardedHeadersConfig forwardedHeaders, boolean exposeBackendHeader, ServerTlsConfig tls,
      Duration shutdownDelay) {
    this(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads,
        nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls, Http2Config.DEFAULTS,
        shutdownDelay);
  }

  /** The listener settings with the defaults for header count, forwarding headers and backend exposure. */
  public ServerConfig(String host, int port, Duration clientTimeout, int maxInitialLineLength, int maxHeaderSize,
      long maxBodySize, Duration shutdownTimeout, int ioThreads, boolean nativeTransport) {
    this(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads,
        nativeTransport, DEFAULT_MAX_HEADER_COUNT, ForwardedHeadersConfig.DEFAULTS, DEFAULT_EXPOSE_BACKEND_HEADER,
        null);
  }

  /** A listener without TLS. */
  public ServerConfig(String host, int port, Duration clientTimeout, int maxInitialLineLength, int maxHeaderSize,
      long maxBodySize, Duration shutdownTimeout, int ioThreads, boolean nativeTransport, int maxHeaderCount,
      ForwardedHeadersConfig forwardedHeaders, boolean exposeBackendHeader) {
    this(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads,
        nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, null);
  }

  public ServerConfig withTls(ServerTlsConfig newTls) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders,
        exposeBackendHeader, newTls, http2, shutdownDelay);
  }

  public ServerConfig withMaxHeaderSize(int newMaxHeaderSize) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, newMaxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders,
        exposeBackendHeader, tls, http2, shutdownDelay);
  }

  /** A copy with other header hygiene settings. */
  public ServerConfig withHeaderHygiene(int newMaxHeaderCount, ForwardedHeadersConfig newForwarded,
      boolean newExposeBackend) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, newMaxHeaderCount, newForwarded,
        newExposeBackend, tls, http2, shutdownDelay);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders,
        exposeBackendHeader, tls, http2, shutdownDelay);
  }

  public ServerConfig withShutdownTimeout(Duration newTimeout) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        newTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders,
        exposeBackendHeader, tls, http2, shutdownDelay);
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(newHost, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders,
        exposeBackendHeader, tls, http2, shutdownDelay);
  }

  public ServerConfig withHttp2(Http2Config newHttp2) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls,
        newHttp2, shutdownDelay);
  }

  public ServerConfig withShutdownDelay(Duration newDelay) {
    return new ServerConfig(host, port, clientTimeout, maxInitialLineLength, maxHeaderSize, maxBodySize,
        shutdownTimeout, ioThreads, nativeTransport, maxHeaderCount, forwardedHeaders, exposeBackendHeader, tls,
        http2, newDelay);
  }
}
