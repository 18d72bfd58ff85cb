package dev.spillway.core.proxy;

import dev.spillway.core.server.Http2ServerPipeline;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HTTP/2 client connection to the gateway's real HTTP/2 pipeline, both ends {@link EmbeddedChannel}s: the
 * gateway side runs {@link Http2ServerPipeline} over an {@link EmbeddedProxy}'s context and backends; the client
 * side is Netty's own HTTP/2 client codec. {@link #pump} carries bytes both ways until both sides are quiet.
 */
final class Http2Link implements AutoCloseable {
  final EmbeddedChannel server;
  final EmbeddedChannel client;
  /** The error codes of the GOAWAY frames the client received. */
  final List<Http2Error> goAways = new ArrayList<>();

  Http2Link(EmbeddedProxy proxy) {
    server = new EmbeddedChannel();
    server.config().setAutoRead(false);
    server.freezeTime();
    Http2ServerPipeline.addTo(server.pipeline(), proxy.context);
    client = new EmbeddedChannel(Http2FrameCodecBuilder.forClient().build(),
        new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()), new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2GoAwayFrame goAway) {
              goAways.add(Http2Error.valueOf(goAway.errorCode()));
            }
            ReferenceCountUtil.release(msg);
          }
        });
  }

  /** Carries bytes between the two ends until neither has anything more to send. */
  void pump() {
    for (int round = 0; round < 10_000; round++) {
      server.runPendingTasks();
      client.runPendingTasks();
      boolean moved = carry(client, server) | carry(server, client);
      if (!moved) {
        return;
      }
    }
    throw new AssertionError("the two ends never went quiet");
  }

  /** Carries only the client's bytes to the gateway (the client has not yet seen the gateway's SETTINGS). */
  void pumpClientToServer() {
    client.runPendingTasks();
    carry(client, server);
  }

  private static boolean carry(EmbeddedChannel from, EmbeddedChannel to) {
    boolean moved = false;
    Object msg;
    while ((msg = from.readOutbound()) != null) {
      moved = true;
      if (to.isOpen()) {
        to.writeInbound(msg);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }
    return moved;
  }

  /** Opens a stream and sends {@code headers} on it; the stream records what comes back. */
  Stream open(Http2Headers headers, boolean endStream) {
    Stream stream = new Stream();
    Http2StreamChannel ch = new Http2StreamChannelBootstrap(client).handler(stream).open().getNow();
    stream.channel = ch;
    ch.writeAndFlush(new DefaultHttp2HeadersFrame(headers, endStream));
    return stream;
  }

  static Http2Headers get(String path) {
    return new DefaultHttp2Headers().method("GET").scheme("http").authority("gw.example").path(path);
  }

  static Http2Headers post(String path) {
    return new DefaultHttp2Headers().method("POST").scheme("http").authority("gw.example").path(path)
        .set("content-type", "application/json");
  }

  @Override
  public void close() {
    client.finishAndReleaseAll();
    server.finishAndReleaseAll();
  }

  /** One client stream: what the gateway answered on it. */
  static final class Stream extends ChannelInboundHandlerAdapter {
    Http2StreamChannel channel;
    Http2Headers responseHeaders;
    final StringBuilder body = new StringBuilder();
    boolean ended;
    Http2Error resetBy;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame headers) {
        if (responseHeaders == null) {
          responseHeaders = headers.headers();
        }
        ended |= headers.isEndStream();
      } else if (msg instanceof Http2DataFrame data) {
        body.append(data.content().toString(StandardCharsets.UTF_8));
        ended |= data.isEndStream();
      }
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame reset) {
        resetBy = Http2Error.valueOf(reset.errorCode());
      }
    }

    String status() {
      return responseHeaders == null ? null : responseHeaders.status().toString();
    }

    void sendData(String text, boolean endStream) {
      ByteBuf buf = EmbeddedProxy.pooled(text);
      channel.writeAndFlush(new io.netty.handler.codec.http2.DefaultHttp2DataFrame(buf, endStream));
    }

    void reset() {
      channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    }
  }
}
