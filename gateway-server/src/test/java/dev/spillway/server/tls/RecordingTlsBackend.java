package dev.spillway.server.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test HTTPS backend that records, per request, the SNI name the client sent, the target and the headers,
 * and answers a small chat completion. Like a provider it can insist on its own key ({@code 401} otherwise)
 * and rate-limit: a request whose body holds {@code #reject=N} is answered {@code 429} with OpenAI's
 * {@code retry-after} and {@code x-ratelimit-*} headers the first N times the same body arrives.
 */
final class RecordingTlsBackend implements AutoCloseable {
  /** One request as the backend saw it: when ({@link System#nanoTime}) and what it answered. */
  record Seen(String sni, String uri, HttpHeaders headers, String body, long nanos, int status) {}

  static final String RATE_LIMITED = "{\"error\":{\"message\":\"Rate limit reached for requests\","
      + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}";
  static final String UNAUTHORIZED = "{\"error\":{\"message\":\"Incorrect API key provided\","
      + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
  private static final Pattern REJECT = Pattern.compile("#reject=(\\d+)");

  static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,"
      + "\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},\"finish_reason\":\"stop\"}],"
      + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";

  final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
  private final Map<String, Integer> arrivals = new ConcurrentHashMap<>();
  private final String requiredKey;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;

  RecordingTlsBackend(SslContext context) throws InterruptedException {
    this(context, null);
  }

  /** A backend that answers {@code 401} unless {@code Authorization} is {@code Bearer requiredKey}. */
  RecordingTlsBackend(SslContext context, String requiredKey) throws InterruptedException {
    this.requiredKey = requiredKey;
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SniHandler sni = new SniHandler(name -> context);
            ch.pipeline().addLast(sni, new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                    String text = request.content().toString(StandardCharsets.UTF_8);
                    FullHttpResponse response = answer(request, text);
                    seen.add(new Seen(sni.hostname(), request.uri(), request.headers().copy(), text,
                        System.nanoTime(), response.status().code()));
                    ctx.writeAndFlush(response);
                  }
                });
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  private FullHttpResponse answer(FullHttpRequest request, String text) {
    String authorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (requiredKey != null && !("Bearer " + requiredKey).equals(authorization)) {
      return json(request, HttpResponseStatus.UNAUTHORIZED, UNAUTHORIZED);
    }
    Matcher reject = REJECT.matcher(text);
    if (reject.find() && arrivals.merge(text, 1, Integer::sum) <= Integer.parseInt(reject.group(1))) {
      FullHttpResponse limited = json(request, HttpResponseStatus.TOO_MANY_REQUESTS, RATE_LIMITED);
      limited.headers().set("retry-after", "1").set("x-ratelimit-limit-requests", "60")
          .set("x-ratelimit-remaining-requests", "0").set("x-ratelimit-reset-requests", "1s");
      return limited;
    }
    return json(request, HttpResponseStatus.OK, ANSWER);
  }

  private static FullHttpResponse json(FullHttpRequest request, HttpResponseStatus status, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(request.protocolVersion(), status,
        Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    return response;
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  Seen next() throws InterruptedException {
    Seen s = seen.poll(10, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("the backend saw no request");
    }
    return s;
  }

  @Override
  public void close() {
    server.close().awaitUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
  }
}
