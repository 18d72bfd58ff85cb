package dev.spillway.core;

import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.transport.Transport;
import dev.spillway.core.upstream.Backend;
import dev.spillway.core.upstream.engine.EngineScraper;
import dev.spillway.core.upstream.resilience.HealthChecker;
import io.netty.channel.EventLoopGroup;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The background monitors of the routed backends: a health checker for every backend whose checks are enabled,
 * an engine scraper for every one with {@code concurrency.engineSignal}, run on the gateway's event loops.
 *
 * <p>{@link #follow} is called at start and after every applied reload: it restarts the monitors whose backend
 * changed its endpoints or settings and stops those of backends no route uses any more. Health and engine
 * state live in the endpoints and signals, so a restarted checker continues where the last one was. Called at
 * start, by reloads (one at a time), and once by the shutdown, after which no reload runs.
 */
final class BackendMonitors {
  private final EventLoopGroup workerGroup;
  private final Transport transport;
  /** By backend name, with the backend snapshot they were started for. */
  private final Map<String, Monitored<HealthChecker>> healthCheckers = new HashMap<>();
  private final Map<String, Monitored<EngineScraper>> engineScrapers = new HashMap<>();

  BackendMonitors(EventLoopGroup workerGroup, Transport transport) {
    this.workerGroup = workerGroup;
    this.transport = transport;
  }

  /** Runs exactly the monitors {@code router}'s backends need (see the class comment). */
  void follow(Router router) {
    Map<String, Backend> used = new LinkedHashMap<>();
    for (Route route : router.routes()) {
      for (Route.Tier tier : route.tiers()) {
        if (tier.backend() != null) {
          used.putIfAbsent(tier.backend().name(), tier.backend());
        }
      }
    }
    healthCheckers.entrySet().removeIf(e -> {
      Backend now = used.get(e.getKey());
      Backend then = e.getValue().backend();
      boolean keep = now != null && now.endpointGroup() == then.endpointGroup() && now.tls() == then.tls()
          && now.config().resilience().healthCheck().equals(then.config().resilience().healthCheck());
      if (!keep) {
        e.getValue().monitor().close();
      }
      return !keep;
    });
    engineScrapers.entrySet().removeIf(e -> {
      Backend now = used.get(e.getKey());
      boolean keep = now != null && now.engineSignals() == e.getValue().backend().engineSignals();
      if (!keep) {
        e.getValue().monitor().close();
      }
      return !keep;
    });
    for (Backend backend : used.values()) {
      if (!healthCheckers.containsKey(backend.name()) && backend.config().resilience().healthCheck().enabled()) {
        HealthChecker checker = new HealthChecker(backend.config().resilience().healthCheck(),
            backend.endpointGroup(), workerGroup, transport, backend.tls());
        checker.start();
        healthCheckers.put(backend.name(), new Monitored<>(backend, checker));
      }
      if (!engineScrapers.containsKey(backend.name()) && backend.engineSignals() != null
          && backend.admission() != null) {
        EngineScraper scraper = new EngineScraper(backend.engineSignals(), workerGroup, transport,
            backend.admission()::refreshLimit);
        scraper.start();
        engineScrapers.put(backend.name(), new Monitored<>(backend, scraper));
      }
    }
  }

  /** Stops every monitor (the gateway stops accepting). */
  void closeAll() {
    healthCheckers.values().forEach(m -> m.monitor().close());
    engineScrapers.values().forEach(m -> m.monitor().close());
  }

  /** A health checker or scraper with the backend snapshot it was started for. */
  private record Monitored<T extends AutoCloseable>(Backend backend, T monitor) {}
}
