package dev.spillway.core.server;

import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.proxy.ClientConnectionHandler;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.tls.ServerTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;

/**
 * Builds each client connection's pipeline:
 * <pre>
 *   p.addLast("tls", serverTls.newHandler(...));       // only with server.tls: TLS termination, ALPN
 *   p.addLast("codec", new GatewayServerCodec(...));   // strict HTTP/1.1 parsing, size and count limits
 *   p.addLast("proxy", new ClientConnectionHandler(...));
 * </pre>
 * With {@code server.http2} on, the protocol is chosen first: over TLS by ALPN ({@link AlpnProtocols}), in
 * clear text by the first bytes ({@link PriorKnowledgeDetector}); an HTTP/2 connection gets
 * {@link Http2ServerPipeline}'s handlers instead of the last two. Registers the channel with the gateway's
 * group, so shutdown can drain it.
 */
public final class GatewayChannelInitializer extends ChannelInitializer<Channel> {
  /** Largest body piece the decoder emits; bounds what one read can hand the proxy. */
  static final int MAX_CHUNK_SIZE = 16 * 1024;
  static final String CODEC = "codec";
  static final String PROXY = "proxy";

  private final ProxyContext shared;
  private final ChannelGroup clients;
  /** TLS termination, or {@code null} for plain HTTP. */
  private final ServerTls tls;

  public GatewayChannelInitializer(ProxyContext shared, ChannelGroup clients) {
    this(shared, clients, null);
  }

  /** With {@code tls} (may be {@code null}) terminating TLS in front of the HTTP codec. */
  public GatewayChannelInitializer(ProxyContext shared, ChannelGroup clients, ServerTls tls) {
    this.shared = shared;
    this.clients = clients;
    this.tls = tls;
  }

  @Override
  protected void initChannel(Channel ch) {
    clients.add(ch);
    if (tls != null) {
      ch.pipeline().addLast("tls", tls.newHandler(ch.alloc()));
      if (tls.offersHttp2()) {
        ch.pipeline().addLast("alpn", new AlpnProtocols(shared));
        return;
      }
    } else if (shared.server().http2().enabled()) {
      ch.pipeline().addLast("detect", new PriorKnowledgeDetector(shared));
    }
    addHttp1(ch.pipeline(), shared);
  }

  /** The HTTP/1.1 handlers, last in {@code pipeline}. */
  static void addHttp1(ChannelPipeline pipeline, ProxyContext shared) {
    pipeline.addLast(CODEC, newServerCodec(shared.server()));
    pipeline.addLast(PROXY, new ClientConnectionHandler(shared));
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
