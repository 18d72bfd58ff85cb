package dev.spillway.server.admin;

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
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import dev.spillway.server.statuspage.PublicStatusHandler;

/**
 * Answers admin requests: {@code /healthz}, {@code /readyz} (both open, for probes), and, behind the bearer
 * token when one is set, {@code /metrics}, {@code /status}, {@code /incidents}, {@code /config}, the status
 * page {@code /} and its feeds {@code /api/dashboard} and {@code /api/charts}; the page's chart library under
 * {@code /assets/} is open. Operators post incidents and their updates with {@code POST /incidents} and
 * {@code POST /incidents/ID/updates}. A public status page configured on this listener is served under its
 * path, read-only and without the token. {@code POST /config/reload} reloads the config file and
 * {@code GET /config/reload} tells which config runs. The incident controls live under {@code /overrides}
 * ({@link OverridesApi}, which also takes PUT and DELETE). A browser cannot send a bearer header for the page
 * itself, so {@code /} also takes {@code ?token=}; the page's script then sends it as a header.
 *
 * <pre>{@code
 * p.addLast(new HttpServerCodec());
 * p.addLast(new HttpObjectAggregator(8192));
 * p.addLast(adminHandler);   // shared, stateless
 * }</pre>
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  private static final String RELOAD_PATH = "/config/reload";

  private final AdminContent content;
  private final byte[] token;
  private final byte[] page;
  private final StaticAssets assets;
  /** The public status page when it shares this listener, or {@code null}. */
  private final PublicStatusHandler publicPage;
  /** {@code POST /config/reload}, or {@code null} when there is nothing to reload. */
  private final ConfigReloadAction reload;

  AdminHandler(AdminContent content, String token, byte[] page, StaticAssets assets, PublicStatusHandler publicPage) {
    this(content, token, page, assets, publicPage, null);
  }

  AdminHandler(AdminContent content, String token, byte[] page, StaticAssets assets, PublicStatusHandler publicPage,
      ConfigReloadAction reload) {
    this.reload = reload;
    this.content = content;
    this.token = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
    this.page = page;
    this.assets = assets;
    this.publicPage = publicPage;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (!request.decoderResult().isSuccess()) {
      send(ctx, HttpResponseStatus.BAD_REQUEST, TEXT, bytes("bad request\n"), false, false);
      return;
    }
    if (request.uri().equals("/overrides") || request.uri().startsWith("/overrides/")) {
      overrides(ctx, request, keepAlive);
      return;
    }
    if (new QueryStringDecoder(request.uri()).path().equals(RELOAD_PATH)) {
      reload(ctx, request, keepAlive);
      return;
    }
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    if (publicPage != null && publicPage.owns(path)) { // for anyone, read-only, no token
      publicPage.handle(ctx, request);
      return;
    }
    boolean head = request.method().equals(HttpMethod.HEAD);
    boolean post = request.method().equals(HttpMethod.POST) && path.startsWith("/incidents");
    if (!head && !post && !request.method().equals(HttpMethod.GET)) {
      send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, bytes("only GET and HEAD (and POST to /incidents)\n"),
          keepAlive, head);
      return;
    }
    if (path.equals("/healthz")) {
      send(ctx, HttpResponseStatus.OK, TEXT, bytes("ok\n"), keepAlive, head);
      return;
    }
    if (path.equals("/readyz")) {
      String reason = content.notReadyReason();
      send(ctx, reason == null ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
          bytes(reason == null ? "ready\n" : "not ready: " + reason + "\n"), keepAlive, head);
      return;
    }
    StaticAssets.Asset asset = assets.get(path);
    if (asset != null) { // library code, no data: open, so the page's script and style tags need no token
      send(ctx, HttpResponseStatus.OK, asset.contentType(), asset.body(), keepAlive, head);
      return;
    }
    if (!authorized(request, path.equals("/") ? uri.parameters().get("token") : null)) {
      FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, TEXT,
          bytes("unauthorized: send Authorization: Bearer <admin token>\n"), head);
      response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"spillway-admin\"");
      write(ctx, response, keepAlive);
      return;
    }
    if (post) {
      byte[] body = new byte[request.content().readableBytes()];
      request.content().getBytes(request.content().readerIndex(), body);
      AdminContent.Reply reply = content.post(path, body);
      send(ctx, HttpResponseStatus.valueOf(reply.status()), JSON, reply.json(), keepAlive, false);
      return;
    }
    switch (path) {
      case "/" -> send(ctx, HttpResponseStatus.OK, "text/html; charset=utf-8", page, keepAlive, head);
      case "/metrics" -> send(ctx, HttpResponseStatus.OK, PROMETHEUS, bytes(content.metricsText()), keepAlive, head);
      case "/status" -> send(ctx, HttpResponseStatus.OK, JSON, content.statusJson(), keepAlive, head);
      case "/incidents" -> send(ctx, HttpResponseStatus.OK, JSON, content.incidentsJson(), keepAlive, head);
      case "/config" -> send(ctx, HttpResponseStatus.OK, JSON, content.configJson(), keepAlive, head);
      case "/api/dashboard" -> send(ctx, HttpResponseStatus.OK, JSON, content.dashboardJson(), keepAlive, head);
      case "/api/charts" -> charts(ctx, uri, keepAlive, head);
      default -> send(ctx, HttpResponseStatus.NOT_FOUND, TEXT, bytes("not found; try / /metrics /status "
          + "/incidents /config /healthz /readyz\n"), keepAlive, head);
    }
  }

  private void charts(ChannelHandlerContext ctx, QueryStringDecoder uri, boolean keepAlive, boolean head) {
    List<String> component = uri.parameters().get("component");
    byte[] json = content.chartsJson(component == null || component.isEmpty() ? "gateway" : component.get(0));
    if (json == null) {
      send(ctx, HttpResponseStatus.NOT_FOUND, TEXT, bytes("no such component; see components in "
          + "/api/charts\n"), keepAlive, head);
      return;
    }
    send(ctx, HttpResponseStatus.OK, JSON, json, keepAlive, head);
  }

  /** {@code POST /config/reload}: token-protected like the rest; the reload runs off this event loop. */
  private void reload(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    boolean read = request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
    if (!read && !request.method().equals(HttpMethod.POST)) {
      FullHttpResponse response = response(HttpResponseStatus.METHOD_NOT_ALLOWED, JSON,
          bytes("{\"error\":\"only GET, HEAD and POST\"}\n"), false);
      response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD, POST");
      write(ctx, response, keepAlive);
      return;
    }
    if (!tokenAccepted(ctx, request, keepAlive)) {
      return;
    }
    if (read) { // which config runs, since when, the last attempts: /config itself stays what validate accepts
      byte[] state = content.reloadJson();
      boolean head = request.method().equals(HttpMethod.HEAD);
      if (state == null) {
        send(ctx, HttpResponseStatus.NOT_FOUND, JSON, bytes("{\"error\":\"no config reload here\"}\n"), keepAlive,
            head);
      } else {
        send(ctx, HttpResponseStatus.OK, JSON, state, keepAlive, head);
      }
      return;
    }
    if (reload == null) {
      send(ctx, HttpResponseStatus.NOT_FOUND, JSON, bytes("{\"error\":\"no config reload here\"}\n"), keepAlive,
          false);
      return;
    }
    reload.reload().whenComplete((reply, error) -> ctx.executor().execute(() -> {
      if (error != null) {
        send(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, JSON, bytes("{\"error\":\"reload failed: "
            + String.valueOf(error.getMessage()).replace("\\", "\\\\").replace("\"", "\\\"") + "\"}\n"),
            keepAlive, false);
      } else {
        send(ctx, HttpResponseStatus.valueOf(reply.status()), JSON, reply.json(), keepAlive, false);
      }
    }));
  }

  /** The incident controls ({@link OverridesApi}): token-protected like the rest, any method. */
  private void overrides(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    if (!tokenAccepted(ctx, request, keepAlive)) {
      return;
    }
    OverridesApi api = content.overrides();
    String path = new QueryStringDecoder(request.uri()).rawPath();
    byte[] body = new byte[request.content().readableBytes()];
    request.content().getBytes(request.content().readerIndex(), body);
    String client = ctx.channel().remoteAddress() instanceof java.net.InetSocketAddress a
        ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(ctx.channel().remoteAddress());
    OverridesApi.Reply reply = api == null
        ? OverridesApi.error(404, "not_found", null, "no gateway to control")
        : api.handle(request.method().name(), path, body, (token != null ? "admin-token@" : "") + client);
    send(ctx, HttpResponseStatus.valueOf(reply.status()), JSON, reply.body(), keepAlive, false);
  }

  /** Whether the request carries the admin token (by header only); answers 401 when it does not. */
  private boolean tokenAccepted(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
    if (authorized(request, null)) {
      return true;
    }
    FullHttpResponse response = response(HttpResponseStatus.UNAUTHORIZED, TEXT,
        bytes("unauthorized: send Authorization: Bearer <admin token>\n"), false);
    response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"spillway-admin\"");
    write(ctx, response, keepAlive);
    return false;
  }

  private boolean authorized(FullHttpRequest request, List<String> queryToken) {
    if (token == null) {
      return true;
    }
    String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (header != null && MessageDigest.isEqual(token, header.getBytes(StandardCharsets.UTF_8))) {
      return true;
    }
    return queryToken != null && !queryToken.isEmpty()
        && MessageDigest.isEqual(token, ("Bearer " + queryToken.get(0)).getBytes(StandardCharsets.UTF_8));
  }

  private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, byte[] body,
      boolean keepAlive, boolean head) {
    write(ctx, response(status, type, body, head), keepAlive);
  }

  private static FullHttpResponse response(HttpResponseStatus status, String type, byte[] body, boolean head) {
    return WholeResponses.of(status, type, body, head, "no-store");
  }

  private static void write(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
    WholeResponses.write(ctx, response, keepAlive);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
