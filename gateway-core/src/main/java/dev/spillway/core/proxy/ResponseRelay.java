package dev.spillway.core.proxy;

import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.upstream.Endpoint;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;

/**
 * The backend-to-client half of an exchange: rewrites the response head for the client, passes body pieces on
 * (through admission's usage tracking), flushes at the end of every backend read, and reads more from the
 * backend only while the client keeps up. Remembers what the exchange needs to end well: whether the response
 * started, whether both connections may be kept, whether it is an event stream.
 *
 * <p>Ownership: every piece handed to {@link #content} is written to the client (which releases it).
 */
final class ResponseRelay {
  /** Names the backend and endpoint that served the response, as {@code backend/host:port}. */
  static final AsciiString X_SPILLWAY_BACKEND = AsciiString.cached("x-spillway-backend");

  private final ChannelHandlerContext ctx;
  /** Whether responses name their backend and endpoint ({@code server.exposeBackendHeader}). */
  private final boolean exposeBackend;
  private boolean started;
  private boolean upstreamKeepAlive;
  private boolean clientKeepAlive;
  private boolean eventStream;
  private int status;

  ResponseRelay(ChannelHandlerContext ctx, boolean exposeBackend) {
    this.ctx = ctx;
    this.exposeBackend = exposeBackend;
  }

  /**
   * Rewrites and writes the response head.
   *
   * @param keepAliveAllowed whether the client connection may stay open after this response
   * @param gate admission, to add rate-limit headers and start usage tracking; may be {@code null}
   * @param backend the backend's name and {@code endpoint} the endpoint that served the response, named in
   *     {@code x-spillway-backend} when exposing it is configured
   */
  void head(HttpResponse response, HttpMethod method, HttpVersion version, String requestId,
      boolean keepAliveAllowed, AdmissionGate gate, String backend, Endpoint endpoint) {
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    eventStream = ResponseRewriter.isEventStream(response);
    boolean framed = ResponseRewriter.toClient(response, method, version, requestId, keepAliveAllowed);
    status = response.status().code();
    if (exposeBackend) {
      response.headers().set(X_SPILLWAY_BACKEND, backend + "/" + endpoint.authority());
    } else {
      // A backend must not name internal hosts to clients either (e.g. a chained Spillway).
      response.headers().remove(X_SPILLWAY_BACKEND);
    }
    if (gate != null) {
      gate.onResponseHead(response.headers(), eventStream, ctx.executor().ticker().nanoTime());
    }
    clientKeepAlive = keepAliveAllowed && framed;
    started = true;
    ctx.write(response);
  }

  /** Writes a body piece (not flushed); returns whether it was the last. */
  boolean content(HttpContent content, AdmissionGate gate) {
    boolean last = content instanceof LastHttpContent;
    ctx.write(gate == null ? content : gate.filter(content));
    return last;
  }

  /** End of a backend read: flush to the client, and read on only if the client is keeping up. */
  void readComplete(Channel upstream) {
    ctx.flush();
    if (ctx.channel().isWritable()) {
      upstream.read();
    }
  }

  /** The client can take more again: resume reading from the backend. */
  void clientWritable(Channel upstream) {
    if (started) {
      upstream.read();
    }
  }

  /** The response broke after it started: an event stream gets one final error event (not flushed). */
  void endBroken(GatewayError error) {
    if (eventStream) {
      ctx.write(ErrorResponses.sseEvent(error));
    }
  }

  boolean started() {
    return started;
  }

  /** Whether the backend connection may be reused (the backend did not ask to close it). */
  boolean upstreamKeepAlive() {
    return upstreamKeepAlive;
  }

  /** Whether the client connection may carry the next request. */
  boolean clientKeepAlive() {
    return clientKeepAlive;
  }

  int status() {
    return status;
  }

  boolean eventStream() {
    return eventStream;
  }
}
