package dev.spillway.server.statuspage;

import dev.spillway.server.http.WholeResponses;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves the public status page under its path prefix, read-only (GET and HEAD): the page, its JSON
 * ({@code api/v2/summary.json}, {@code status.json}, {@code components.json}, {@code incidents.json},
 * {@code incidents/unresolved.json}, {@code scheduled-maintenances.json} with its {@code active.json} and
 * {@code upcoming.json}) and {@code history.atom}. No token: everything here is meant for anyone.
 * Used on its own listener, and by the admin handler for requests under the prefix.
 */
@ChannelHandler.Sharable
public final class PublicStatusHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";

  private final PublicStatusPage page;
  /** The path prefix without a trailing slash ({@code ""} at the root). */
  private final String prefix;
  private final byte[] html;

  public PublicStatusHandler(PublicStatusPage page) {
    this.page = page;
    String path = page.config().path();
    this.prefix = path.equals("/") ? "" : path;
    this.html = load();
  }

  /** Whether {@code path} is the page's (so the admin handler passes it here). */
  public boolean owns(String path) {
    return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    handle(ctx, request);
  }

  /** Answers {@code request}, which {@link #owns} this page. */
  public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request) && request.decoderResult().isSuccess();
    if (!request.decoderResult().isSuccess()) {
      send(ctx, response(HttpResponseStatus.BAD_REQUEST, TEXT, bytes("bad request\n"), false), false);
      return;
    }
    boolean head = request.method().equals(HttpMethod.HEAD);
    if (!head && !request.method().equals(HttpMethod.GET)) {
      FullHttpResponse r = response(HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
          bytes("the status page is read-only: only GET and HEAD\n"), head);
      r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
      send(ctx, r, keepAlive);
      return;
    }
    String path = new QueryStringDecoder(request.uri()).path();
    String rest = owns(path) ? path.substring(prefix.length()) : null;
    PublicStatusPage.Rendered r = page.rendered();
    if (rest == null || r == null) {
      send(ctx, response(HttpResponseStatus.NOT_FOUND, TEXT, bytes("not found\n"), head), keepAlive);
      return;
    }
    if (rest.isEmpty()) { // relative links on the page need the trailing slash
      FullHttpResponse redirect = response(HttpResponseStatus.MOVED_PERMANENTLY, TEXT, new byte[0], head);
      redirect.headers().set(HttpHeaderNames.LOCATION, prefix + "/");
      send(ctx, redirect, keepAlive);
      return;
    }
    byte[] body;
    String type = JSON;
    switch (rest) {
      case "/", "/index.html" -> {
        body = html;
        type = "text/html; charset=utf-8";
      }
      case "/api/v2/summary.json" -> body = r.summary();
      case "/api/v2/status.json" -> body = r.status();
      case "/api/v2/components.json" -> body = r.components();
      case "/api/v2/incidents.json" -> body = r.incidents();
      case "/api/v2/incidents/unresolved.json" -> body = r.unresolved();
      case "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/active.json" ->
          body = r.maintenances();
      case "/api/v2/scheduled-maintenances/upcoming.json" -> body = r.upcoming();
      case "/history.atom" -> {
        body = HistoryAtom.render(r.model());
        type = "application/atom+xml; charset=utf-8";
      }
      default -> {
        send(ctx, response(HttpResponseStatus.NOT_FOUND, TEXT, bytes("not found\n"), head), keepAlive);
        return;
      }
    }
    FullHttpResponse response = response(HttpResponseStatus.OK, type, body, head);
    // Status widgets on other sites read the JSON from the browser.
    response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    send(ctx, response, keepAlive);
  }

  private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body, boolean head) {
    FullHttpResponse response = WholeResponses.of(status, type, body, head, "no-cache");
    response.headers().set("X-Content-Type-Options", "nosniff");
    return response;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    WholeResponses.write(ctx, response, keepAlive);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] load() {
    try (InputStream in = PublicStatusHandler.class.getResourceAsStream("public-status.html")) {
      if (in == null) {
        throw new IllegalStateException("public-status.html missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
