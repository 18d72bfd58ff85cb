package dev.spillway.core.server;

import dev.spillway.core.config.Http2Config;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.proxy.Http2ClientConnection;
import dev.spillway.core.proxy.Http2StreamHandler;
import dev.spillway.core.proxy.ProxyContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

/**
 * The handlers of an HTTP/2 client connection:
 * <pre>
 *   p.addLast("h2", frameCodec);                         // frames, HPACK, flow control, stream and reset caps
 *   p.addLast("h2-streams", new Http2MultiplexHandler(   // one child channel per stream:
 *       Http2StreamFrameToHttpObjectCodec(server) → Http2StreamHandler → ProxyExchange));
 *   p.addLast("h2-connection", new Http2ClientConnection(...)); // drain (GOAWAY), idle timeout, first read
 * </pre>
 * The codec advertises {@code server.http2.maxConcurrentStreams} and {@code initialWindowSize}, and a header list
 * limit of {@code server.maxHeaderSize} (431 beyond it, as on HTTP/1.1); it validates headers, so a
 * connection-specific field ({@code Connection}, {@code Keep-Alive}, {@code Transfer-Encoding}, {@code Upgrade},
 * a {@code TE} other than {@code trailers}) or a missing pseudo-header is a {@code PROTOCOL_ERROR}; and it closes
 * a connection whose client resets more than {@code maxResetsPerWindow} streams per {@code resetWindow} with
 * {@code GOAWAY} ({@code ENHANCE_YOUR_CALM}), the "rapid reset" defence (CVE-2023-44487).
 */
public final class Http2ServerPipeline {
  private Http2ServerPipeline() {}

  /** Adds the HTTP/2 handlers to a client connection's pipeline, after TLS if any. */
  public static void addTo(ChannelPipeline pipeline, ProxyContext shared) {
    ServerConfig server = shared.server();
    Http2FrameCodec codec = newFrameCodec(server);
    pipeline.addLast("h2", codec);
    pipeline.addLast("h2-streams", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        // Reads follow the exchange's demand; unread frames hold back the stream's WINDOW_UPDATE.
        stream.config().setAutoRead(false);
        stream.pipeline().addLast("codec", new Http2StreamFrameToHttpObjectCodec(true, true));
        stream.pipeline().addLast("proxy", new Http2StreamHandler(shared));
      }
    }));
    pipeline.addLast("h2-connection", new Http2ClientConnection(shared, codec.connection()));
  }

  /** The frame codec with this server's limits. */
  static Http2FrameCodec newFrameCodec(ServerConfig server) {
    Http2Config h2 = server.http2();
    Http2Settings settings = Http2Settings.defaultSettings()
        .maxConcurrentStreams(h2.maxConcurrentStreams())
        .initialWindowSize(h2.initialWindowSize())
        .maxHeaderListSize(server.maxHeaderSize());
    return Http2FrameCodecBuilder.forServer()
        .initialSettings(settings)
        .validateHeaders(true)
        .decoderEnforceMaxRstFramesPerWindow(h2.maxResetsPerWindow(), h2.resetWindowSeconds())
        .gracefulShutdownTimeoutMillis(server.shutdownTimeout().toMillis())
        .build();
  }
}
