package dev.spillway.core.proxy;

import dev.spillway.core.http.ErrorResponses;
import dev.spillway.core.http.GatewayError;
import dev.spillway.core.http.ProxyHeaders;
import dev.spillway.core.http.RequestFraming;
import dev.spillway.core.http.RequestIds;
import dev.spillway.core.routing.RequestTarget;
import dev.spillway.core.routing.Route;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.Endpoint;
import dev.spillway.core.upstream.PoolCallback;
import dev.spillway.core.upstream.PoolExhaustedException;
import dev.spillway.core.upstream.UpstreamConnection;
import dev.spillway.core.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;

/**
 * One request and its response, streamed between a client and a backend connection on the same event loop.
 *
 * <p>Flow: head arrives → checks (framing, host, route, size) → borrow a backend connection → stream the
 * request body up (reading from the client only while the backend connection is writable) → stream the
 * response down (reading from the backend only while the client is writable; flushing at the end of every
 * backend read, so each SSE event leaves as soon as it arrived) → return the connection to the pool if both
 * messages ended cleanly.
 *
 * <p>Failure: before the response head is written, the client gets a JSON error (502 for connect failures
 * and resets, 504 for timeouts); after, the client connection is closed, an event stream first getting one
 * final error event, so no truncated response ever looks complete. Either way the backend connection is
 * closed, never pooled. Every body buffer is forwarded or released exactly once; {@link #done} guards
 * against acting twice.
 */
final class ProxyExchange implements PoolCallback, UpstreamListener {
  private final ClientConnectionHandler client;
  private final ChannelHandlerContext ctx;
  private final ProxyContext shared;
  private final HttpRequest request;
  private final HttpVersion version;
  private final HttpMethod method;
  private final boolean clientKeepAlive;
  private final String requestId;

  private long bodyLength;
  private long bodyBytes;
  private Backend backend;
  private ExchangeTimers timers;
  private HttpRequest upstreamRequest;
  private UpstreamConnection conn;
  /** Body pieces that arrived while the backend connection was being set up. */
  private ArrayDeque<HttpContent> pendingBody;
  private boolean needsUpstreamFlush;

  private boolean requestComplete;
  private boolean requestSent;
  private boolean responseStarted;
  private boolean upstreamKeepAlive;
  private boolean responseKeepAlive;
  private boolean eventStream;
  private boolean done;

  ProxyExchange(ClientConnectionHandler client, ProxyContext shared, HttpRequest request) {
    this.client = client;
    this.ctx = client.context();
    this.shared = shared;
    this.request = request;
    this.version = request.protocolVersion();
    this.method = request.method();
    this.clientKeepAlive = HttpUtil.isKeepAlive(request);
    this.requestId = RequestIds.keepOrGenerate(request.headers().get(ProxyHeaders.X_REQUEST_ID));
  }

  void start() {
    shared.exchangeStarted();
    RequestFraming.Verdict framing = RequestFraming.check(request);
    bodyLength = framing.bodyLength();
    if (!framing.ok()) {
      fail(framing.error(), true);
      return;
    }
    if (HttpMethod.CONNECT.equals(method)) {
      fail(GatewayError.METHOD_NOT_ALLOWED, true);
      return;
    }
    java.util.List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
    if (hosts.size() > 1 || (hosts.isEmpty() && version.minorVersion() >= 1)) {
      fail(GatewayError.MISSING_HOST, true);
      return;
    }
    RequestTarget target = RequestTarget.parse(request.uri());
    if (target == null) {
      fail(GatewayError.BAD_REQUEST, true);
      return;
    }
    String host = target.authority() != null ? target.authority() : hosts.isEmpty() ? null : hosts.get(0);
    Route route = shared.router().route(host, target.path());
    if (route == null) {
      fail(GatewayError.ROUTE_NOT_FOUND, false);
      return;
    }
    if (bodyLength > shared.server().maxBodySize()) {
      fail(GatewayError.PAYLOAD_TOO_LARGE, true);
      return;
    }
    backend = route.backend();
    Endpoint endpoint = backend.selector().select();
    if (endpoint == null) {
      fail(GatewayError.NO_AVAILABLE_ENDPOINT, false);
      return;
    }
    if (HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(version, HttpResponseStatus.CONTINUE));
    }
    upstreamRequest = RequestRewriter.toUpstream(request, target.pathAndQuery(), bodyLength,
        endpoint.authority(), clientIp(), requestId);
    timers = new ExchangeTimers(ctx.executor(), backend.config(), this::onTimeout, this::waitingOnBackend);
    timers.startTotal();
    shared.pools().acquire(ctx.channel().eventLoop(), backend, endpoint, this);
  }

  private String clientIp() {
    SocketAddress remote = ctx.channel().remoteAddress();
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return "unknown";
  }

  // ---- backend connection ----

  @Override
  public void onAcquired(UpstreamConnection connection) {
    if (done) {
      // The client left or the exchange failed while we connected: the connection is unused and clean.
      connection.release();
      return;
    }
    conn = connection;
    conn.attach(this);
    Channel up = conn.channel();
    up.write(upstreamRequest);
    if (pendingBody != null) {
      HttpContent content;
      while ((content = pendingBody.poll()) != null) {
        up.write(content);
      }
    }
    up.flush();
    if (requestComplete) {
      requestSent = true;
      timers.startResponse();
    }
    timers.startIdle();
    up.read();
    client.maybeRead();
  }

  @Override
  public void onAcquireFailed(Throwable cause) {
    if (done) {
      return;
    }
    if (cause == PoolExhaustedException.INSTANCE) {
      fail(GatewayError.UPSTREAM_POOL_EXHAUSTED, false);
    } else if (cause instanceof ConnectTimeoutException) {
      fail(GatewayError.UPSTREAM_CONNECT_TIMEOUT, false);
    } else {
      fail(GatewayError.UPSTREAM_CONNECT_FAILED, false);
    }
  }

  // ---- request body, client → backend ----

  void onRequestContent(HttpContent content) {
    if (done) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      failOrAbort(GatewayError.BAD_REQUEST, true);
      return;
    }
    bodyBytes += content.content().readableBytes();
    if (bodyBytes > shared.server().maxBodySize()) {
      content.release();
      failOrAbort(GatewayError.PAYLOAD_TOO_LARGE, true);
      return;
    }
    boolean last = content instanceof LastHttpContent;
    if (conn == null) {
      if (pendingBody == null) {
        pendingBody = new ArrayDeque<>(4);
      }
      pendingBody.add(content);
    } else {
      conn.channel().write(content);
      needsUpstreamFlush = true;
      timers.progress();
    }
    if (last) {
      requestComplete = true;
      if (conn != null) {
        requestSent = true;
        timers.startResponse();
      }
    }
  }

  void onClientReadComplete() {
    if (needsUpstreamFlush && conn != null) {
      needsUpstreamFlush = false;
      conn.channel().flush();
    }
  }

  boolean requestComplete() {
    return requestComplete;
  }

  /**
   * Whether the client connection should be read now: for more body while the backend keeps up, and after
   * the body so that a client hanging up is noticed (bytes of a pipelined next request are parked).
   */
  boolean wantsClientData() {
    if (done) {
      return false;
    }
    if (requestComplete) {
      return true;
    }
    return conn != null && conn.channel().isWritable();
  }

  /** Whether a silent client is what this exchange is waiting for (the client timeout applies). */
  boolean isWaitingOnClient() {
    return !done && !requestComplete && conn != null && conn.channel().isWritable();
  }

  private boolean waitingOnBackend() {
    if (done || conn == null) {
      return false;
    }
    if (!requestComplete) {
      return !conn.channel().isWritable();
    }
    // Before the response head, the response timeout is the one that applies.
    return responseStarted && ctx.channel().isWritable();
  }

  @Override
  public void onUpstreamWritabilityChanged(boolean writable) {
    if (writable && !requestComplete && !done) {
      timers.progress();
      client.resumeReading();
    }
  }

  // ---- response, backend → client ----

  @Override
  public void onResponseHead(HttpResponse response) {
    if (done) {
      return;
    }
    if (response.decoderResult().isFailure()) {
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    timers.responseHeadReceived();
    upstreamKeepAlive = HttpUtil.isKeepAlive(response);
    eventStream = ResponseRewriter.isEventStream(response);
    boolean keepAlive = clientKeepAlive && requestComplete && !shared.isDraining();
    boolean framed = ResponseRewriter.toClient(response, method, version, requestId, keepAlive);
    responseKeepAlive = keepAlive && framed;
    responseStarted = true;
    ctx.write(response);
  }

  @Override
  public void onResponseContent(HttpContent content) {
    if (done || !responseStarted) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      failOrAbort(GatewayError.UPSTREAM_PROTOCOL_ERROR, false);
      return;
    }
    timers.progress();
    boolean last = content instanceof LastHttpContent;
    ctx.write(content);
    if (last) {
      finishResponse();
    }
  }

  @Override
  public void onUpstreamReadComplete() {
    if (done) {
      return;
    }
    ctx.flush();
    if (ctx.channel().isWritable()) {
      conn.channel().read();
    }
  }

  void onClientWritabilityChanged(boolean writable) {
    if (writable && !done && conn != null && responseStarted) {
      timers.progress();
      conn.channel().read();
    }
  }

  private void finishResponse() {
    done = true;
    timers.cancelAll();
    UpstreamConnection c = conn;
    conn = null;
    if (upstreamKeepAlive && requestSent) {
      c.release();
    } else {
      c.close();
    }
    ctx.flush();
    end();
    client.exchangeFinished(this, responseKeepAlive);
  }

  @Override
  public void onUpstreamClosed() {
    if (done) {
      return;
    }
    conn = null;
    failOrAbort(GatewayError.UPSTREAM_RESET, false);
  }

  @Override
  public void onUpstreamError(Throwable cause) {
    if (done) {
      return;
    }
    conn = null;
    failOrAbort(cause instanceof DecoderException ? GatewayError.UPSTREAM_PROTOCOL_ERROR
        : GatewayError.UPSTREAM_RESET, false);
  }

  // ---- endings ----

  private void onTimeout(GatewayError error) {
    if (!done) {
      failOrAbort(error, false);
    }
  }

  /** The client stopped sending its body for longer than the client timeout. */
  void onClientTimeout() {
    if (!done) {
      failOrAbort(GatewayError.REQUEST_TIMEOUT, true);
    }
  }

  /** The client connection closed: cancel the backend request (its connection cannot be reused). */
  void onClientClosed() {
    if (done) {
      return;
    }
    done = true;
    cleanUp();
    end();
  }

  private void failOrAbort(GatewayError error, boolean clientFault) {
    if (responseStarted) {
      abort(error);
    } else {
      fail(error, clientFault);
    }
  }

  /**
   * Answers with a JSON error; nothing of a response has been written yet.
   *
   * @param mustClose close the connection afterwards regardless (malformed or half-read requests)
   */
  private void fail(GatewayError error, boolean mustClose) {
    done = true;
    cleanUp();
    boolean bodyPending = bodyLength != RequestFraming.NO_BODY && !requestComplete;
    boolean close = mustClose || bodyPending || !clientKeepAlive || shared.isDraining();
    ctx.writeAndFlush(ErrorResponses.json(error, version, requestId, close));
    end();
    client.exchangeFinished(this, !close);
  }

  /** The response already started: end it visibly broken. */
  private void abort(GatewayError error) {
    done = true;
    cleanUp();
    if (eventStream) {
      ctx.write(ErrorResponses.sseEvent(error));
    }
    end();
    client.closeAfterFlush();
  }

  private void cleanUp() {
    if (timers != null) {
      timers.cancelAll();
    }
    if (conn != null) {
      UpstreamConnection c = conn;
      conn = null;
      c.close();
    }
    if (pendingBody != null) {
      HttpContent content;
      while ((content = pendingBody.poll()) != null) {
        content.release();
      }
    }
  }

  private void end() {
    shared.exchangeEnded();
  }

  String requestId() {
    return requestId;
  }
}
