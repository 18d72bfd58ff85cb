package dev.spillway.core.proxy;

import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.MaxForwards;
import dev.spillway.core.http.RequestFraming;
import dev.spillway.core.routing.RequestTarget;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.List;

/**
 * The checks a request head must pass before anything else happens, cheapest first: framing, method, Host,
 * target form, route, declared size; and whether the gateway answers it itself ({@code OPTIONS} with
 * {@code Max-Forwards: 0}, RFC 9110 §7.6.2).
 */
final class RequestChecks {
  private RequestChecks() {}

  /**
   * The outcome: either an error (with whether the connection must close after answering it) or the route,
   * target and body length to go on with.
   */
  record Result(GatewayError error, boolean mustClose, Route route, RequestTarget target, long bodyLength,
      boolean answerOptions) {
    static Result reject(GatewayError error, boolean mustClose, long bodyLength) {
      return new Result(error, mustClose, null, null, bodyLength, false);
    }

    boolean ok() {
      return error == null;
    }
  }

  static Result check(HttpRequest request, Router router, long maxBodySize) {
    RequestFraming.Verdict framing = RequestFraming.check(request);
    long bodyLength = framing.bodyLength();
    if (!framing.ok()) {
      return Result.reject(framing.error(), true, bodyLength);
    }
    if (HttpMethod.CONNECT.equals(request.method())) {
      return Result.reject(GatewayError.METHOD_NOT_ALLOWED, true, bodyLength);
    }
    if (HttpMethod.TRACE.equals(request.method())) {
      // TRACE echoes credentials back to scripts (cross-site tracing); like nginx, the gateway never forwards it.
      return Result.reject(GatewayError.TRACE_NOT_ALLOWED, false, bodyLength);
    }
    List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && request.protocolVersion().minorVersion() >= 1)) {
      return Result.reject(GatewayError.MISSING_HOST, true, bodyLength);
    }
    RequestTarget target = RequestTarget.parse(request.uri());
    if (target == null) {
      return Result.reject(GatewayError.INVALID_TARGET, true, bodyLength);
    }
    String host = target.authority() != null ? target.authority() : hosts.isEmpty() ? null : hosts.get(0);
    Route route = router.route(host, target.path());
    if (route == null) {
      return Result.reject(GatewayError.ROUTE_NOT_FOUND, false, bodyLength);
    }
    if (bodyLength > maxBodySize) {
      return Result.reject(GatewayError.PAYLOAD_TOO_LARGE, true, bodyLength);
    }
    boolean answerOptions = HttpMethod.OPTIONS.equals(request.method()) && MaxForwards.isExhausted(request);
    return new Result(null, false, route, target, bodyLength, answerOptions);
  }
}
