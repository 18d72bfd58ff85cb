package dev.spillway.core.config;

import java.time.Duration;

/**
 * HTTP/2 towards clients: offered through ALPN over TLS and taken with prior knowledge on plain connections.
 * Each stream is one exchange with the same admission, limits and streaming as an HTTP/1.1 request; these
 * settings bound what one connection may ask of the gateway.
 *
 * @param enabled whether clients may speak HTTP/2; off, ALPN offers only {@code http/1.1} and a connection
 *     preface is answered as a malformed HTTP/1.1 request
 * @param maxConcurrentStreams most streams a client may have open at once on one connection
 *     ({@code SETTINGS_MAX_CONCURRENT_STREAMS}); a stream beyond it is refused ({@code REFUSED_STREAM})
 * @param maxResetsPerWindow most {@code RST_STREAM} frames a client may send per {@code resetWindow} before
 *     its connection is closed with {@code GOAWAY} ({@code ENHANCE_YOUR_CALM}): the "rapid reset" attack
 * @param resetWindow the window those resets are counted in, whole seconds
 * @param initialWindowSize each stream's flow-control window for request bodies ({@code SETTINGS_INITIAL_WINDOW_SIZE}):
 *     how much of a body a client may send ahead of what the backend has taken
 */
public record Http2Config(boolean enabled, int maxConcurrentStreams, int maxResetsPerWindow, Duration resetWindow,
    int initialWindowSize) {

  public static final boolean DEFAULT_ENABLED = true;
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  public static final int DEFAULT_MAX_RESETS_PER_WINDOW = 200;
  public static final Duration DEFAULT_RESET_WINDOW = Duration.ofSeconds(30);
  /** The protocol's own default (RFC 9113 §6.5.2). */
  public static final int DEFAULT_INITIAL_WINDOW_SIZE = 65_535;
  /** The largest window the protocol allows. */
  static final int MAX_WINDOW_SIZE = Integer.MAX_VALUE;

  public static final Http2Config DEFAULTS = new Http2Config(DEFAULT_ENABLED, DEFAULT_MAX_CONCURRENT_STREAMS,
      DEFAULT_MAX_RESETS_PER_WINDOW, DEFAULT_RESET_WINDOW, DEFAULT_INITIAL_WINDOW_SIZE);
  /** HTTP/1.1 only. */
  public static final Http2Config DISABLED = DEFAULTS.withEnabled(false);

  public Http2Config {
    Checks.positive("maxConcurrentStreams", maxConcurrentStreams);
    Checks.positive("maxResetsPerWindow", maxResetsPerWindow);
    Checks.notNull("resetWindow", resetWindow);
    if (resetWindow.toMillis() < 1000 || resetWindow.toMillis() % 1000 != 0) {
      throw new ConfigException("resetWindow", Durations.format(resetWindow) + " (expected: whole seconds, >= 1s)");
    }
    Checks.inRange("initialWindowSize", initialWindowSize, 1024, MAX_WINDOW_SIZE);
  }

  public Http2Config withEnabled(boolean newEnabled) {
    return new Http2Config(newEnabled, maxConcurrentStreams, maxResetsPerWindow, resetWindow, initialWindowSize);
  }

  public Http2Config withMaxConcurrentStreams(int newMax) {
    return new Http2Config(enabled, newMax, maxResetsPerWindow, resetWindow, initialWindowSize);
  }

  public Http2Config withResetCap(int newMaxResets, Duration newWindow) {
    return new Http2Config(enabled, maxConcurrentStreams, newMaxResets, newWindow, initialWindowSize);
  }

  /** The reset window in seconds, as the HTTP/2 codec counts it. */
  public int resetWindowSeconds() {
    return (int) Math.min(Integer.MAX_VALUE, resetWindow.toSeconds());
  }
}
