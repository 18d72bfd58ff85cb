package dev.spillway.server.mock;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;

/**
 * Builds each accepted connection's pipeline and counts the connection. The expect-continue handler sits
 * before the keep-alive handler so that its interim {@code 100 Continue} is not taken for the response.
 */
final class MockChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final MockState state;
  private final MockSecurity security;

  MockChannelInitializer(MockState state, MockSecurity security) {
    this.state = state;
    this.security = security;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    state.connectionsAccepted.increment();
    state.channels.add(ch);
    ChannelPipeline p = ch.pipeline();
    if (security.tls() != null) {
      p.addLast("tls", security.tls().newHandler(ch.alloc()));
    }
    p.addLast("codec", new HttpServerCodec());
    if (security.requiredKey() != null) {
      p.addLast("keyCheck", new ProviderKeyCheck(security.requiredKey()));
    }
    p.addLast("expectContinue", new HttpServerExpectContinueHandler());
    p.addLast("keepAlive", new HttpServerKeepAliveHandler());
    p.addLast("router", new RequestRouter(state));
  }
}
