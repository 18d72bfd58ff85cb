package dev.spillway.core.server;

import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.proxy.ClientConnectionHandler;
import dev.spillway.core.proxy.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * Builds each client connection's pipeline:
 * <pre>
 *   p.addLast("codec", new GatewayServerCodec(...));   // strict HTTP/1.1 parsing, size and count limits
 *   p.addLast("proxy", new ClientConnectionHandler(...));
 * </pre>
 * and registers the channel with the gateway's group, so shutdown can drain it.
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
  /** Largest body piece the decoder emits; bounds what one read can hand the proxy. */
  static final int MAX_CHUNK_SIZE = 16 * 1024;

  private final ProxyContext shared;
  private final ChannelGroup clients;

  public GatewayChannelInitializer(ProxyContext shared, ChannelGroup clients) {
    this.shared = shared;
    this.clients = clients;
  }

  @Override
  protected void initChannel(Channel ch) {
    clients.add(ch);
    ch.pipeline().addLast("codec", newServerCodec(shared.server()));
    ch.pipeline().addLast("proxy", new ClientConnectionHandler(shared));
  }

  /** The request decoder and response encoder with this server's limits. */
  public static GatewayServerCodec newServerCodec(ServerConfig server) {
    HttpDecoderConfig decoder = new HttpDecoderConfig()
        .setMaxInitialLineLength(server.maxInitialLineLength())
        .setMaxHeaderSize(server.maxHeaderSize())
        .setMaxChunkSize(MAX_CHUNK_SIZE)
        .setValidateHeaders(true)
        .setStrictLineParsing(true);
    return new GatewayServerCodec(decoder, server.maxHeaderCount());
  }
}
