package dev.spillway.core.upstream.resilience;

import dev.spillway.core.upstream.EndpointResolver;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import dev.spillway.core.config.HealthCheckConfig;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Active health checks of one {@link EndpointGroup}: each endpoint is probed with {@code GET path} every
 * {@code interval} (± {@code jitter}), on an event loop of the given group, and marked unhealthy after
 * {@code unhealthyThreshold} failed probes in a row, healthy after {@code healthyThreshold} passed ones.
 *
 * <p>Each endpoint's probes, counters and timers stay on one event loop, so they need no locks; the only
 * shared state is the endpoint's health flag. Probes run one at a time per endpoint: the next is scheduled
 * when the previous has finished, so a slow endpoint is never probed by a pile of overlapping requests.
 */
public final class HealthChecker implements AutoCloseable {
  private final HealthCheckConfig config;
  private final EndpointGroup group;
  private final List<Target> targets = new ArrayList<>();
  private volatile boolean closed;
  /** Probes resolve endpoint names asynchronously, never with a blocking lookup on the loop. */
  private final AddressResolverGroup<InetSocketAddress> resolver;

  public HealthChecker(HealthCheckConfig config, EndpointGroup group, EventLoopGroup loops, Transport transport) {
    this.config = config;
    this.group = group;
    this.resolver = EndpointResolver.newGroup(transport);
    for (Endpoint endpoint : group.endpoints()) {
      EventLoop loop = loops.next();
      Bootstrap bootstrap = new Bootstrap().group(loop).channel(transport.socketChannelClass()).resolver(resolver);
      targets.add(new Target(endpoint, loop, bootstrap));
    }
  }

  /** Starts probing (nothing happens when the config is disabled); the first probes are spread over one interval. */
  public void start() {
    if (!config.enabled()) {
      return;
    }
    long intervalNanos = config.interval().toNanos();
    for (Target t : targets) {
      t.schedule(ThreadLocalRandom.current().nextLong(intervalNanos / 10 + 1));
    }
  }

  /** Stops probing; a probe in progress finishes but changes nothing. */
  @Override
  public void close() {
    closed = true;
    for (Target t : targets) {
      t.loop.execute(t::cancel);
    }
    resolver.close();
  }

  /** One endpoint's probe loop; everything in it runs on {@link #loop}. */
  private final class Target {
    final Endpoint endpoint;
    final EventLoop loop;
    final Bootstrap bootstrap;
    int passed;
    int failed;
    ScheduledFuture<?> next;

    Target(Endpoint endpoint, EventLoop loop, Bootstrap bootstrap) {
      this.endpoint = endpoint;
      this.loop = loop;
      this.bootstrap = bootstrap;
    }

    void schedule(long delayNanos) {
      if (!closed) {
        next = loop.schedule(this::probe, delayNanos, TimeUnit.NANOSECONDS);
      }
    }

    void cancel() {
      if (next != null) {
        next.cancel(false);
      }
    }

    void probe() {
      if (!closed) {
        HealthProbe.run(bootstrap, endpoint.address(), config.path(), config.timeout(), this::record);
      }
    }

    void record(boolean ok) {
      if (closed) {
        return;
      }
      if (ok) {
        failed = 0;
        if (++passed >= config.healthyThreshold()) {
          group.setHealthy(endpoint, true);
        }
      } else {
        passed = 0;
        if (++failed >= config.unhealthyThreshold()) {
          group.setHealthy(endpoint, false);
        }
      }
      schedule(jittered());
    }

    long jittered() {
      long interval = config.interval().toNanos();
      double factor = 1 + config.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
      return Math.max(1, (long) (interval * factor));
    }
  }
}
