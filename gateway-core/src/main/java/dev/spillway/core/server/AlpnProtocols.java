package dev.spillway.core.server;

import dev.spillway.core.proxy.ProxyContext;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/**
 * Over TLS with HTTP/2 on: once the handshake has picked a protocol through ALPN, installs its handlers,
 * HTTP/2 for {@code h2}, HTTP/1.1 for {@code http/1.1} or a client that offered no ALPN at all.
 */
final class AlpnProtocols extends ApplicationProtocolNegotiationHandler {
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
}
