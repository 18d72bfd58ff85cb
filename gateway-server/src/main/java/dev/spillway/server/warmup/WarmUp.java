package dev.spillway.server.warmup;

import dev.spillway.core.admission.concurrency.Permit;
import dev.spillway.core.admission.ratelimit.BucketStores;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.ServerConfig;
import dev.spillway.core.incident.IncidentOverrides;
import dev.spillway.core.overload.OverloadManager;
import dev.spillway.core.proxy.ProxyContext;
import dev.spillway.core.runtime.RuntimeRegistry;
import dev.spillway.core.server.GatewayChannelInitializer;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.upstream.resilience.EndpointEventListener;
import dev.spillway.server.admin.RecordQueue;
import dev.spillway.server.metrics.ShedMeters;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the request path up before the listener opens, so the first real sheds do not run in the interpreter:
 * a bounded number of synthetic requests go through the pipeline the listener installs
 * ({@link GatewayChannelInitializer} over the running {@code server} settings) on {@link EmbeddedChannel}s,
 * with pooled direct buffers as a socket read delivers them. They are answered by the gateway itself: shed at
 * a backend's concurrency limit (503), rate limited (429), matching no route (404) and malformed (400).
 *
 * <p>Nothing operators see is touched: the requests run over a private routing snapshot of their own config
 * ({@link WarmUpConfig}; buckets in this process, never Redis), a private observer whose shed-time histogram
 * lives in a registry of its own (not the one {@code /metrics} serves; no access log, no status tracking), no
 * overload manager or incident controls of the gateway's, and a connection provider that refuses every
 * backend connection. Everything is dropped afterwards; every buffer is released.
 */
public final class WarmUp {
  private static final Logger log = LoggerFactory.getLogger(WarmUp.class);
  /** Requests per keep-alive connection before the warm-up opens a new one. */
  private static final int REQUESTS_PER_CONNECTION = 32;

  private final GatewayConfig config;
  /**
   * How long the requests may run ({@link WarmUpBudget#DEFAULT}); they stop there even if not all of them ran.
   * Building the private routing and metrics beforehand is not counted: the gateway's own start loads the
   * same classes right after.
   */
  private final WarmUpBudget budget;

  private WarmUp(ServerConfig server, WarmUpBudget budget) {
    this.config = WarmUpConfig.of(server);
    this.budget = budget;
  }

  /** Runs {@code requests} warm-up requests (0: none) with the running {@code server} settings; logs one line. */
  public static WarmUpResult run(ServerConfig server, int requests) {
    if (requests <= 0) {
      return WarmUpResult.NONE;
    }
    WarmUpResult result;
    try {
      result = new WarmUp(server, WarmUpBudget.DEFAULT).drive(requests);
    } catch (RuntimeException e) {
      // Only an optimisation: a gateway that cannot warm up still starts, just cold.
      log.warn("warm-up failed; starting without it", e);
      return WarmUpResult.NONE;
    }
    log.info("warm-up: {} requests in {} ms", result.requests(),
        TimeUnit.NANOSECONDS.toMillis(result.nanos()));
    if (result.statuses().containsKey(0) || result.refusedConnections() > 0) {
      log.warn("warm-up: answers by status {} (0: none), {} backend connections asked for and refused",
          result.statuses(), result.refusedConnections());
    }
    return result;
  }

  /** As {@link #run}, within {@code budget} and without the log line (tests). */
  static WarmUpResult run(ServerConfig server, int requests, WarmUpBudget budget) {
    return new WarmUp(server, budget).drive(requests);
  }

  private WarmUpResult drive(int requests) {
    long start = System.nanoTime();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RecordQueue observer = new RecordQueue(requests, new ShedMeters(registry));
    RefusedConnections connections = new RefusedConnections();
    RuntimeRegistry runtime = new RuntimeRegistry(config, Ticker.system(), EndpointEventListener.NOOP,
        BucketStores.LOCAL);
    IncidentOverrides overrides = new IncidentOverrides();
    ProxyContext context = new ProxyContext(config.server(), runtime.router(), connections, observer,
        OverloadManager.disabled(), overrides);
    overrides.attach(context::router, () -> config);
    // The backend's only slot stays taken, so every request that reaches it is shed at once.
    Permit held = runtime.backends().get(WarmUpConfig.BACKEND).admission().tryAcquireNow(PriorityClass.CRITICAL);
    ChannelGroup clients = new DefaultChannelGroup("spillway-warm-up", ImmediateEventExecutor.INSTANCE);
    GatewayChannelInitializer initializer = new GatewayChannelInitializer(context, clients);
    Map<Integer, Integer> statuses = new TreeMap<>();
    int sent = 0;
    EmbeddedChannel channel = null;
    WarmUpBudget.Spending spending = budget.start();
    try {
      while (sent < requests && !spending.exhausted()) {
        WarmUpRequest request = WarmUpRequest.at(sent);
        if (channel == null || !channel.isOpen() || sent % REQUESTS_PER_CONNECTION == 0) {
          close(channel);
          channel = open(initializer);
        }
        statuses.merge(exchange(channel, request.bytes()), 1, Integer::sum);
        sent++;
      }
    } finally {
      close(channel);
      if (held != null) {
        held.onIgnore();
      }
      observer.drain(record -> { });
      registry.close();
    }
    return new WarmUpResult(sent, statuses, System.nanoTime() - start, connections.refused());
  }

  /** A client connection as the listener sets it up: reads only when the proxy asks, the real handlers. */
  private static EmbeddedChannel open(GatewayChannelInitializer initializer) {
    EmbeddedChannel channel = new EmbeddedChannel(false, false);
    channel.config().setAutoRead(false);
    channel.pipeline().addLast(initializer);
    try {
      channel.register();
    } catch (Exception e) {
      channel.finishAndReleaseAll();
      throw new IllegalStateException("warm-up channel did not register", e);
    }
    return channel;
  }

  private static void close(EmbeddedChannel channel) {
    if (channel != null) {
      channel.finishAndReleaseAll();
    }
  }

  /** Sends one request and returns its answer's status (0 if there was none); releases what was written. */
  private static int exchange(EmbeddedChannel channel, byte[] request) {
    ByteBuf in = PooledByteBufAllocator.DEFAULT.directBuffer(request.length).writeBytes(request);
    channel.writeInbound(in);
    channel.runPendingTasks();
    int status = 0;
    Object out;
    while ((out = channel.readOutbound()) != null) {
      if (status == 0 && out instanceof ByteBuf buf) {
        status = statusOf(buf);
      }
      ReferenceCountUtil.release(out);
    }
    // Answers to the inbound that the channel kept (none expected) are released too.
    Object left;
    while ((left = channel.readInbound()) != null) {
      ReferenceCountUtil.release(left);
    }
    return status;
  }

  /** The status code of a response starting with {@code HTTP/1.1 NNN}, or 0. */
  static int statusOf(ByteBuf head) {
    int i = head.readerIndex() + "HTTP/1.1 ".length();
    if (head.writerIndex() < i + 3) {
      return 0;
    }
    int status = 0;
    for (int k = 0; k < 3; k++) {
      int digit = head.getByte(i + k) - '0';
      if (digit < 0 || digit > 9) {
        return 0;
      }
      status = status * 10 + digit;
    }
    return status;
  }
}
