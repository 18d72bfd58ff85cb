package dev.spillway.server.mock;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;

/**
 * One request and its response on a connection, driven by {@link RequestRouter}. All methods run on the
 * connection's event loop.
 *
 * <p>Ownership: {@link #onContent} receives each part of the request body and must forward or release it,
 * exactly once. An exchange that finishes calls {@link #finish} once with the last part of its response; one
 * that gives up on the connection closes it instead, and {@link #onClosed} follows.
 */
abstract class Exchange {
  final ChannelHandlerContext ctx;
  final MockState state;
  private final RequestRouter router;

  Exchange(ChannelHandlerContext ctx, MockState state, RequestRouter router) {
    this.ctx = ctx;
    this.state = state;
    this.router = router;
  }

  /** The next part of the request body; {@code last} is true for the {@code LastHttpContent}. */
  abstract void onContent(HttpContent content, boolean last);

  /** The connection's writability changed; exchanges that stream with backpressure react here. */
  void onWritabilityChanged() {}

  /** The connection closed before {@link #finish}; free whatever the exchange holds. */
  void onClosed() {}

  /**
   * Writes and flushes the last part of the response and hands the connection to the next request. The
   * response counts as served here rather than in a write listener, so a client that has read the response
   * always sees it counted.
   */
  final void finish(HttpObject lastPart) {
    state.requestsServed.increment();
    ctx.writeAndFlush(lastPart, ctx.voidPromise());
    router.exchangeDone(this);
  }
}
