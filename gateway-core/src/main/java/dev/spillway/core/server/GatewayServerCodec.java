package dev.spillway.core.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client connection's codec: {@link StrictRequestDecoder} in, {@link HttpResponseEncoder} out. Like Netty's
 * {@code HttpServerCodec} (whose decoder cannot be replaced), it remembers each request's method so that the
 * response to a {@code HEAD} is encoded without a body.
 */
public final class GatewayServerCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, HttpResponseEncoder> {
  /** The methods of the requests decoded and not yet answered, oldest first. */
  private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

  public GatewayServerCodec(HttpDecoderConfig config, int maxHeaderCount) {
    init(new Decoder(config, maxHeaderCount), new Encoder());
  }

  private final class Decoder extends StrictRequestDecoder {
    Decoder(HttpDecoderConfig config, int maxHeaderCount) {
      super(config, maxHeaderCount);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
      int before = out.size();
      super.decode(ctx, buffer, out);
      for (int i = before; i < out.size(); i++) {
        if (out.get(i) instanceof HttpRequest request) {
          methods.add(request.method());
        }
      }
    }
  }

  private final class Encoder extends HttpResponseEncoder {
    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
      // As HttpServerCodec does: every response head takes the oldest method.
      HttpMethod method = methods.poll();
      return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
    }
  }
}
