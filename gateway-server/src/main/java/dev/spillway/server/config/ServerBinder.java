package dev.spillway.server.config;

import static dev.spillway.core.config.ServerConfig.DEFAULT_CLIENT_TIMEOUT;
import static dev.spillway.core.config.ServerConfig.DEFAULT_HOST;
import static dev.spillway.core.config.ServerConfig.DEFAULT_IO_THREADS;
import static dev.spillway.core.config.ServerConfig.DEFAULT_MAX_BODY_SIZE;
import static dev.spillway.core.config.ServerConfig.DEFAULT_MAX_HEADER_SIZE;
import static dev.spillway.core.config.ServerConfig.DEFAULT_MAX_INITIAL_LINE_LENGTH;
import static dev.spillway.core.config.ServerConfig.DEFAULT_NATIVE_TRANSPORT;
import static dev.spillway.core.config.ServerConfig.DEFAULT_PORT;
import static dev.spillway.core.config.ServerConfig.DEFAULT_SHUTDOWN_TIMEOUT;

import dev.spillway.core.config.Cidr;
import dev.spillway.core.config.ForwardedHeadersConfig;
import dev.spillway.core.config.Http2Config;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.config.ServerTlsConfig;
import java.time.Duration;
import java.util.List;

/** Binds the {@code server} object to a {@link ServerConfig}; absent keys take the record's defaults. */
final class ServerBinder {
  static final List<String> KEYS = List.of("host", "port", "clientTimeout", "maxInitialLineLength",
      "maxHeaderSize", "maxBodySize", "shutdownTimeout", "shutdownDelay", "ioThreads", "nativeTransport",
      "maxHeaderCount", "forwardedHeaders", "exposeBackendHeader", "tls", "overload", "http2",
      WarmUpBinder.KEY);
  static final List<String> FORWARDED_KEYS = List.of("trustedProxies", "mode");
  static final List<String> HTTP2_KEYS = List.of("enabled", "maxConcurrentStreams", "maxResetsPerWindow",
      "resetWindow", "initialWindowSize");

  private ServerBinder() {}

  /** Returns the bound config, or {@code null} if any error was reported. */
  static ServerConfig bind(MappingReader server) {
    return bind(server, null);
  }

  /** As above; relative TLS file paths are resolved against {@code baseDir} ({@code null}: the working dir). */
  static ServerConfig bind(MappingReader server, java.nio.file.Path baseDir) {
    int errorsBefore = server.problems().count();
    server.rejectUnknownKeys(KEYS);
    String host = server.string("host", DEFAULT_HOST);
    int port = server.integer("port", DEFAULT_PORT);
    Duration clientTimeout = server.duration("clientTimeout", DEFAULT_CLIENT_TIMEOUT);
    int maxInitialLineLength = server.intSize("maxInitialLineLength", DEFAULT_MAX_INITIAL_LINE_LENGTH);
    int maxHeaderSize = server.intSize("maxHeaderSize", DEFAULT_MAX_HEADER_SIZE);
    long maxBodySize = server.size("maxBodySize", DEFAULT_MAX_BODY_SIZE);
    Duration shutdownTimeout = server.duration("shutdownTimeout", DEFAULT_SHUTDOWN_TIMEOUT);
    Duration shutdownDelay = server.duration("shutdownDelay", ServerConfig.DEFAULT_SHUTDOWN_DELAY);
    int ioThreads = server.integer("ioThreads", DEFAULT_IO_THREADS);
    boolean nativeTransport = server.bool("nativeTransport", DEFAULT_NATIVE_TRANSPORT);
    int maxHeaderCount = server.integer("maxHeaderCount", ServerConfig.DEFAULT_MAX_HEADER_COUNT);
    boolean exposeBackend = server.bool("exposeBackendHeader", ServerConfig.DEFAULT_EXPOSE_BACKEND_HEADER);
    ForwardedHeadersConfig forwarded = forwarded(server.mapping("forwardedHeaders"));
    ServerTlsConfig tls = TlsBinder.server(server, baseDir);
    Http2Config http2 = http2(server.mapping("http2"));
    // Values that failed to convert were replaced by defaults, so the constructor still checks the rest.
    ServerConfig config = server.construct(() -> new ServerConfig(host, port, clientTimeout,
        maxInitialLineLength, maxHeaderSize, maxBodySize, shutdownTimeout, ioThreads, nativeTransport,
        maxHeaderCount, forwarded == null ? ForwardedHeadersConfig.DEFAULTS : forwarded, exposeBackend, tls,
        http2 == null ? Http2Config.DEFAULTS : http2, shutdownDelay));
    return server.problems().count() > errorsBefore ? null : config;
  }

  /** Binds {@code server.forwardedHeaders}; {@code null} if absent or reported. */
  private static ForwardedHeadersConfig forwarded(MappingReader forwarded) {
    if (forwarded == null) {
      return null;
    }
    forwarded.rejectUnknownKeys(FORWARDED_KEYS);
    List<String> trusted = forwarded.list("trustedProxies", "a CIDR", ServerBinder::cidr);
    ForwardedHeadersConfig.Mode mode = forwarded.enumValue("mode", ForwardedHeadersConfig.Mode.class,
        "a forwarding mode", ForwardedHeadersConfig.DEFAULTS.mode());
    return forwarded.construct(() -> new ForwardedHeadersConfig(trusted == null ? List.of() : trusted, mode));
  }

  /** Binds {@code server.http2}; {@code null} if absent or reported. */
  private static Http2Config http2(MappingReader http2) {
    if (http2 == null) {
      return null;
    }
    http2.rejectUnknownKeys(HTTP2_KEYS);
    Http2Config d = Http2Config.DEFAULTS;
    boolean enabled = http2.bool("enabled", d.enabled());
    int maxStreams = http2.integer("maxConcurrentStreams", d.maxConcurrentStreams());
    int maxResets = http2.integer("maxResetsPerWindow", d.maxResetsPerWindow());
    Duration resetWindow = http2.duration("resetWindow", d.resetWindow());
    int window = http2.intSize("initialWindowSize", d.initialWindowSize());
    return http2.construct(() -> new Http2Config(enabled, maxStreams, maxResets, resetWindow, window));
  }

  private static String cidr(String text) {
    try {
      Cidr.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a CIDR (expected: e.g. 10.0.0.0/8, "
          + "192.168.1.7/32, ::1/128)");
    }
    return text.trim();
  }
}
