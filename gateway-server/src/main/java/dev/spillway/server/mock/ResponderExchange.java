package dev.spillway.server.mock;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import java.util.function.Supplier;

/**
 * An exchange answered by one whole response once the request body (usually empty) has been read and
 * discarded. The response is built only then, so nothing needs releasing if the client leaves early.
 */
final class ResponderExchange extends Exchange {
  private final Supplier<FullHttpResponse> responder;

  ResponderExchange(ChannelHandlerContext ctx, MockState state, RequestRouter router,
                    Supplier<FullHttpResponse> responder) {
    super(ctx, state, router);
    this.responder = responder;
  }

  @Override
  void onContent(HttpContent content, boolean last) {
    content.release();
    if (last) {
      finish(responder.get());
    }
  }
}
