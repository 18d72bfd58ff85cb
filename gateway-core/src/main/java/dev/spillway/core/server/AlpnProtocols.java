package dev.spillway.core.server;

import dev.spillway.core.proxy.ProxyContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Over TLS with HTTP/2 on: once the handshake has picked a protocol through ALPN, installs its handlers,
 * HTTP/2 for {@code h2}, HTTP/1.1 for {@code http/1.1} or a client that offered no ALPN at all.
 */
final class AlpnProtocols extends ApplicationProtocolNegotiationHandler {
  private static final Logger log = LoggerFactory.getLogger(AlpnProtocols.class);
  private final ProxyContext shared;

  AlpnProtocols(ProxyContext shared) {
    super(ApplicationProtocolNames.HTTP_1_1);
    this.shared = shared;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    // AUTO_READ is off and nothing behind TLS reads yet: start the handshake's reads.
    ctx.read();
  }

  @Override
  protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
    if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
      Http2ServerPipeline.addTo(ctx.pipeline(), shared);
    } else if (ApplicationProtocolNames.HTTP_1_1.equals(protocol)) {
      GatewayChannelInitializer.addHttp1(ctx.pipeline(), shared);
    } else {
      ctx.close();
    }
  }

  /**
   * A client that goes away or speaks no TLS mid-handshake is ordinary traffic, not a fault: close without a
   * warning and stack trace per connection (Netty's default), which a handshake storm would turn into a flood.
   */
  @Override
  protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{} TLS handshake failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("{} closed before a protocol was chosen: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
