package dev.spillway.server.mock;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.function.Supplier;

/**
 * Routes each request on a connection to an {@link Exchange} and feeds it the request body. It sits last in
 * the pipeline:
 *
 * <pre>{@code
 * p.addLast("codec", new HttpServerCodec());
 * p.addLast("expectContinue", new HttpServerExpectContinueHandler());
 * p.addLast("keepAlive", new HttpServerKeepAliveHandler());
 * p.addLast("router", new RequestRouter(state));
 * }</pre>
 *
 * <p>Reading stays on while a response is generated, so a client that disconnects is noticed at once. A
 * pipelined request that arrives meanwhile is parked (reads pause if too many pile up) and replayed when the
 * current exchange finishes, which keeps responses in request order.
 *
 * <p>Ownership: every message is passed to the current exchange, parked, or released; parked messages are
 * released if the connection closes.
 */
final class RequestRouter extends ChannelInboundHandlerAdapter {
  private static final int MAX_PARKED = 64;

  private final MockState state;
  private final ArrayDeque<Object> parked = new ArrayDeque<>(4);
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean requestComplete;

  RequestRouter(MockState state) {
    this.state = state;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if ((current != null && requestComplete) || !parked.isEmpty()) {
      parked.add(msg);
      if (parked.size() >= MAX_PARKED) {
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    dispatch(msg);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.onWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Exchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.onClosed();
    }
    Object msg;
    while ((msg = parked.poll()) != null) {
      ReferenceCountUtil.release(msg);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Almost always a reset by the client; closing frees the exchange through channelInactive.
    ctx.close();
  }

  /** Called by {@link Exchange#finish}: the connection is free for the next request. */
  void exchangeDone(Exchange exchange) {
    if (current != exchange) {
      return;
    }
    current = null;
    while (!parked.isEmpty() && (current == null || !requestComplete)) {
      dispatch(parked.poll());
    }
    if (parked.size() < MAX_PARKED && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  private void dispatch(Object msg) {
    if (((HttpObject) msg).decoderResult().isFailure()) {
      ReferenceCountUtil.release(msg);
      rejectUndecodable();
      return;
    }
    if (msg instanceof HttpRequest request) {
      current = route(request);
      requestComplete = false;
    }
    if (msg instanceof HttpContent content) {
      if (current == null || requestComplete) {
        // Leftovers after an exchange gave up on the connection.
        content.release();
        return;
      }
      boolean last = content instanceof LastHttpContent;
      requestComplete = last;
      current.onContent(content, last);
    }
  }

  private void rejectUndecodable() {
    if (current != null) {
      // A response is already under way; an error now would corrupt it.
      ctx.close();
      return;
    }
    state.requestsServed.increment();
    ctx.writeAndFlush(MockResponses.undecodable()).addListener(ChannelFutureListener.CLOSE);
  }

  private Exchange route(HttpRequest request) {
    String uri = request.uri();
    int query = uri.indexOf('?');
    String path = query < 0 ? uri : uri.substring(0, query);
    HttpMethod method = request.method();
    boolean get = HttpMethod.GET.equals(method);
    boolean post = HttpMethod.POST.equals(method);
    switch (path) {
      case "/v1/chat/completions":
        return post ? new ChatCompletionExchange(ctx, state, this, request) : notAllowed(request, path, "POST");
      case "/v1/models":
        return get ? respond(MockResponses::models) : notAllowed(request, path, "GET");
      case "/health":
        return get ? respond(() -> MockResponses.health(state.inFlight(), state.queued()))
            : notAllowed(request, path, "GET");
      case "/metrics":
        if (state.engine == null) {
          return respond(() -> MockResponses.notFound(method.name(), path));
        }
        return get ? respond(() -> MockResponses.metrics(state.engine)) : notAllowed(request, path, "GET");
      case "/debug/echo":
        return post ? new EchoExchange(ctx, state, this) : notAllowed(request, path, "POST");
      case "/debug/sha256":
        return post ? new Sha256Exchange(ctx, state, this) : notAllowed(request, path, "POST");
      case "/debug/bytes":
        return get ? new PatternBytesExchange(ctx, state, this, uri) : notAllowed(request, path, "GET");
      case "/debug/headers":
        return get ? respond(() -> DebugResponses.headers(request)) : notAllowed(request, path, "GET");
      default:
        return respond(() -> MockResponses.notFound(method.name(), path));
    }
  }

  private Exchange notAllowed(HttpRequest request, String path, String allow) {
    return respond(() -> MockResponses.methodNotAllowed(request.method().name(), path, allow));
  }

  private Exchange respond(Supplier<FullHttpResponse> responder) {
    return new ResponderExchange(ctx, state, this, responder);
  }
}
