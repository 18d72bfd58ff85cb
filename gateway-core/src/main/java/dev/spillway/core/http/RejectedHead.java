package dev.spillway.core.http;

/**
 * Thrown by the request decoder when a request head breaks a rule the gateway enforces (RFC 9112 syntax, the
 * header count); the decoder turns it into a failed message, and the connection handler answers with
 * {@link #error()} and closes. Carries no stack trace: it is an answer to bad input, not a bug.
 */
public final class RejectedHead extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final transient GatewayError error;

  public RejectedHead(GatewayError error, String detail) {
    super(detail);
    this.error = error;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }

  public GatewayError error() {
    return error;
  }

  /**
   * The answer to a request the decoder could not turn into a message: the rule it broke, a line or header
   * block too long, or any other parse failure (400).
   */
  public static GatewayError errorFor(Throwable cause) {
    if (cause instanceof RejectedHead rejected) {
      return rejected.error();
    }
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpLineException) {
      return GatewayError.URI_TOO_LONG;
    }
    if (cause instanceof io.netty.handler.codec.http.TooLongHttpHeaderException) {
      return GatewayError.HEADERS_TOO_LARGE;
    }
    return GatewayError.BAD_REQUEST;
  }
}
