package dev.spillway.server.warmup;

import java.nio.charset.StandardCharsets;

/**
 * The warm-up's requests, in the order they are sent: mostly sheds (the path whose first runs were slow), with
 * rate-limited, unroutable and malformed requests in between, as a client's raw bytes.
 */
enum WarmUpRequest {
  /** Reaches the backend whose only slot is taken: shed, 503. */
  SHED(post(WarmUpConfig.SHED_PATH + "v1/chat/completions")),
  /** Over the route's request limit: 429 (the very first one is shed at the backend instead). */
  RATE_LIMITED(post(WarmUpConfig.LIMITED_PATH + "v1/chat/completions")),
  /** Matches no route: 404. */
  UNKNOWN_ROUTE(("GET /warm-up/unknown HTTP/1.1\r\nHost: warm-up\r\nAccept: application/json\r\n\r\n")
      .getBytes(StandardCharsets.ISO_8859_1)),
  /** A header name with a space: 400, and the connection closes. */
  MALFORMED(("GET " + WarmUpConfig.SHED_PATH + " HTTP/1.1\r\nHost: warm-up\r\nBad Header: x\r\n\r\n")
      .getBytes(StandardCharsets.ISO_8859_1));

  /** One round: four sheds, two rate limited, one unroutable, one malformed. */
  private static final WarmUpRequest[] ROUND = {SHED, RATE_LIMITED, SHED, UNKNOWN_ROUTE, SHED, RATE_LIMITED, SHED,
      MALFORMED};

  private final byte[] bytes;

  WarmUpRequest(byte[] bytes) {
    this.bytes = bytes;
  }

  /** The {@code n}th request of a warm-up (from 0). */
  static WarmUpRequest at(int n) {
    return ROUND[n % ROUND.length];
  }

  byte[] bytes() {
    return bytes;
  }

  private static byte[] post(String path) {
    String body = "{\"model\":\"warm-up\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    return ("POST " + path + " HTTP/1.1\r\nHost: warm-up\r\nAuthorization: Bearer sk-warm-up\r\n"
        + "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length()
        + "\r\n\r\n" + body).getBytes(StandardCharsets.ISO_8859_1);
  }
}
