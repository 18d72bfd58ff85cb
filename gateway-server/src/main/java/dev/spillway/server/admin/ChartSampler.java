package dev.spillway.server.admin;

import dev.spillway.core.admission.concurrency.BackendAdmission;
import dev.spillway.core.routing.Route;
import dev.spillway.core.routing.Router;
import dev.spillway.core.upstream.Backend;
import dev.spillway.server.status.ChartHistory;
import java.util.HashSet;
import java.util.Set;

/** Feeds {@link ChartHistory} what is sampled rather than counted: each backend's limit, in flight and queue. */
final class ChartSampler {
  private ChartSampler() {}

  /** Charts every route and every backend of every failover tier from the start, traffic or not. */
  static void track(ChartHistory charts, Router router) {
    for (Route route : router.routes()) {
      charts.track("route", route.name());
      for (Route.Tier tier : route.tiers()) {
        if (tier.backend() != null) {
          charts.track("backend", tier.backend().name());
        }
      }
    }
  }

  /** Samples each backend with a concurrency limit once, and the sum of their waiting rooms for the gateway. */
  static void sample(ChartHistory charts, Router router) {
    Set<String> seen = new HashSet<>();
    int queued = 0;
    for (Route route : router.routes()) {
      for (Route.Tier tier : route.tiers()) {
        Backend backend = tier.backend();
        if (backend == null || !seen.add(backend.name())) {
          continue;
        }
        BackendAdmission admission = backend.admission();
        if (admission != null) {
          int q = admission.queued();
          charts.sample(backend.name(), admission.limit(), admission.inFlight(), q);
          queued += q;
        }
      }
    }
    charts.sampleGatewayQueue(queued);
  }
}
