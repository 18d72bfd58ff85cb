package dev.spillway.core.upstream.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.spillway.core.config.BreakerConfig;
import dev.spillway.core.config.EndpointAddress;
import dev.spillway.core.config.EndpointConfig;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.config.OutlierConfig;
import dev.spillway.core.config.ResilienceConfig;
import dev.spillway.core.time.Ticker;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.Endpoint;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Probes a real loopback HTTP server that the test turns bad and good again. */
class HealthCheckerTest {
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger probes = new AtomicInteger();
  private final BlockingQueue<Boolean> changes = new LinkedBlockingQueue<>();
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private final ExecutorService serverThreads = Executors.newCachedThreadPool();
  private HttpServer server;
  private EventLoopGroup loops;

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/health", exchange -> {
      probes.incrementAndGet();
      byte[] body = "ok".getBytes();
      exchange.sendResponseHeaders(status.get(), body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/slow", exchange -> {
      try {
        releaseSlow.await(10, TimeUnit.SECONDS); // stalls until the test ends; the probe must give up first
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.close();
    });
    server.setExecutor(serverThreads);
    server.start();
    loops = Transport.NIO.newGroup(1, "health-test");
  }

  @AfterEach
  void stop() throws Exception {
    releaseSlow.countDown();
    if (server != null) {
      server.stop(0);
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    serverThreads.shutdownNow();
  }

  @Test
  void endpointGoesDownAndComesBack() throws Exception {
    HealthCheckConfig config = new HealthCheckConfig(true, "/health", Duration.ofMillis(20), 0.2,
        Duration.ofMillis(500), 2, 3);
    EndpointGroup group = group(config, server.getAddress().getPort());
    Endpoint endpoint = group.endpoints().get(0);
    try (HealthChecker checker = new HealthChecker(config, group, loops, Transport.NIO)) {
      checker.start();
      awaitProbes(3);
      assertThat(group.states().get(0).healthy()).isTrue();
      assertThat(changes).isEmpty();

      status.set(503);
      assertThat(changes.poll(10, TimeUnit.SECONDS)).isFalse();
      assertThat(group.states().get(0).healthy()).isFalse();

      status.set(200);
      assertThat(changes.poll(10, TimeUnit.SECONDS)).isTrue();
      assertThat(group.states().get(0).healthy()).isTrue();

      server.stop(0);
      server = null;
      assertThat(changes.poll(10, TimeUnit.SECONDS)).as("connection refused").isFalse();
      assertThat(endpoint).isNotNull();
    }
  }

  @Test
  void timeoutCountsAsFailure() throws Exception {
    HealthCheckConfig config = new HealthCheckConfig(true, "/slow", Duration.ofMillis(20), 0, Duration.ofMillis(50),
        1, 1);
    EndpointGroup group = group(config, server.getAddress().getPort());
    try (HealthChecker checker = new HealthChecker(config, group, loops, Transport.NIO)) {
      checker.start();
      assertThat(changes.poll(10, TimeUnit.SECONDS)).isFalse();
    }
  }

  @Test
  void disabledChecksDoNothing() {
    HealthCheckConfig config = HealthCheckConfig.DEFAULTS;
    EndpointGroup group = group(config, server.getAddress().getPort());
    try (HealthChecker checker = new HealthChecker(config, group, loops, Transport.NIO)) {
      checker.start();
    }
    assertThat(probes.get()).isZero();
  }

  private void awaitProbes(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (probes.get() < n && System.nanoTime() - deadline < 0) {
      // Wait for the server to have answered n probes, polling the change queue as the clock.
      Boolean change = changes.poll(10, TimeUnit.MILLISECONDS);
      assertThat(change).as("no health change while the server is good").isNull();
    }
    assertThat(probes.get()).isGreaterThanOrEqualTo(n);
  }

  private EndpointGroup group(HealthCheckConfig config, int port) {
    ResilienceConfig resilience = new ResilienceConfig(ResilienceConfig.DEFAULT_BALANCING, BreakerConfig.DEFAULTS,
        config, OutlierConfig.DEFAULTS, 100, Duration.ofMinutes(1));
    return new EndpointGroup(List.of(EndpointConfig.of(new EndpointAddress("127.0.0.1", port))), resilience,
        Ticker.system(), Clock.systemUTC(), new EndpointEventListener() {
          @Override
          public void onHealthChange(Endpoint endpoint, boolean healthy) {
            changes.add(healthy);
          }
        }, new Random(1));
  }
}
