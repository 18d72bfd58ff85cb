package dev.spillway.server.it;

import dev.spillway.core.Gateway;
import dev.spillway.core.config.BackendConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.PoolConfig;
import dev.spillway.core.config.RouteConfig;
import dev.spillway.core.config.RouteMatch;
import dev.spillway.core.config.ServerConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** Builds gateways on ephemeral loopback ports for integration tests, and measures Netty's direct memory. */
final class ProxyFixture {
  private ProxyFixture() {}

  static ServerConfig server() {
    ServerConfig d = ServerConfig.DEFAULTS;
    return new ServerConfig("127.0.0.1", 0, Duration.ofSeconds(10), d.maxInitialLineLength(), d.maxHeaderSize(),
        64L << 20, Duration.ofSeconds(5), 2, true)
        // The failover tests tell endpoints apart by the header that names them.
        .withHeaderHygiene(ServerConfig.DEFAULT_MAX_HEADER_COUNT,
            dev.spillway.core.config.ForwardedHeadersConfig.DEFAULTS, true);
  }

  static BackendConfig backend(List<Integer> ports, Duration responseTimeout) {
    List<EndpointAddress> endpoints = ports.stream().map(p -> new EndpointAddress("127.0.0.1", p)).toList();
    return new BackendConfig("b", endpoints, Duration.ofSeconds(2), responseTimeout, Duration.ofSeconds(10),
        Duration.ofMinutes(1), PoolConfig.DEFAULTS);
  }

  static Gateway start(int... backendPorts) throws InterruptedException {
    return start(server(), backend(java.util.Arrays.stream(backendPorts).boxed().toList(), Duration.ofSeconds(10)));
  }

  static Gateway start(ServerConfig server, BackendConfig backend) throws InterruptedException {
    GatewayConfig config = new GatewayConfig(server, Map.of("b", backend),
        List.of(new RouteConfig("all", new RouteMatch(null, "/"), "b")));
    return Gateway.start(config);
  }

  static HttpClient client() {
    return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  static HttpRequest.Builder request(Gateway gateway, String path) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path))
        .timeout(Duration.ofSeconds(30));
  }

  static String chatBody(boolean stream, int maxTokens) {
    return "{\"model\":\"mock-gpt\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
        + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something\"}]}";
  }

  /** Direct memory held by Netty's default allocator, which the gateway and the mock backend both use. */
  static long nettyDirectMemory() {
    ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
    if (alloc instanceof ByteBufAllocatorMetricProvider provider) {
      return provider.metric().usedDirectMemory();
    }
    throw new IllegalStateException("allocator without metrics: " + alloc);
  }

  /** Samples {@link #nettyDirectMemory()} on a daemon thread until closed, keeping the peak. */
  static final class PeakMemory implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    PeakMemory() {
      thread = new Thread(() -> {
        while (running) {
          peak.accumulateAndGet(nettyDirectMemory(), Math::max);
          java.util.concurrent.locks.LockSupport.parkNanos(2_000_000);
        }
      }, "peak-memory");
      thread.setDaemon(true);
      thread.start();
    }

    long peak() {
      return Math.max(peak.get(), nettyDirectMemory());
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
