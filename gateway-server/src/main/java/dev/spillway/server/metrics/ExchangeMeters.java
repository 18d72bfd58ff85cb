package dev.spillway.server.metrics;

import dev.spillway.core.observe.ExchangeRecord;
import dev.spillway.core.observe.RequestResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The per-request meters, fed one {@link ExchangeRecord} at a time on the monitor thread (never on an event
 * loop). Every label is bounded: route, backend and endpoint come from the config, status is an HTTP code,
 * outcome ({@link RequestResult}) and reason are enums, and tenants appear only as their priority class,
 * never by name or key.
 * Meters are looked up once per label combination and cached.
 */
final class ExchangeMeters {
  static final String NONE = "none";
  private static final Duration[] LATENCY_BUCKETS = buckets(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
      10, 30, 60, 120, 300);

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new HashMap<>();
  private final Map<String, Timer> timers = new HashMap<>();
  private final Map<String, DistributionSummary> summaries = new HashMap<>();

  ExchangeMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(ExchangeRecord r) {
    String route = r.route() == null ? NONE : r.route();
    String backend = r.backend() == null ? NONE : r.backend();
    String outcome = RequestResult.of(r).tag();
    String reason = RequestResult.reason(r);
    counter("spillway_requests", "Finished requests by route, status, outcome (served, failed, shed, "
        + "rate_limited, rejected, client_cancelled) and reason (the shed reason, or how the exchange ended)",
        "route", route, "backend", backend, "status", Integer.toString(r.status()), "outcome", outcome,
        "reason", reason).increment();
    if (r.priority() != null) {
      counter("spillway_tenant_requests", "Requests by tenant priority class (never by tenant)",
          "route", route, "priority", r.priority(), "outcome", outcome).increment();
    }
    timer("spillway_request_duration", "Request head to response end", route, outcome)
        .record(r.durationNanos(), TimeUnit.NANOSECONDS);
    if (r.ttfbNanos() >= 0) {
      timer("spillway_time_to_first_byte", "Request head to response head (first token for streams)", route,
          r.stream() ? "stream" : "single").record(r.ttfbNanos(), TimeUnit.NANOSECONDS);
    }
    if (r.tier() > 0) {
      counter("spillway_fallback_requests", "Requests answered by one of the route's fallback backends (not its "
          + "primary)", "route", route, "backend", backend).increment();
    }
    if (r.overflowFrom() != null) {
      counter("spillway_overflow", "Requests the primary's waiting room could not take that overflowed to a "
          + "fallback backend instead of being shed", "route", route, "from", r.overflowFrom(), "to", backend)
          .increment();
    }
    if (r.queueWaitNanos() >= 0) {
      timer("spillway_waiting_room_wait", "Time in the backend's waiting room (0 when a slot was free)", route,
          outcome).record(r.queueWaitNanos(), TimeUnit.NANOSECONDS);
    }
    if (r.promptTokens() > 0) {
      counter("spillway_tokens", "LLM tokens, from usage or the estimate (in: prompt, out: completion)",
          "route", route, "direction", "in").increment(r.promptTokens());
    }
    if (r.completionTokens() > 0) {
      counter("spillway_tokens", "LLM tokens, from usage or the estimate (in: prompt, out: completion)",
          "route", route, "direction", "out").increment(r.completionTokens());
    }
    if (r.requestBytes() > 0) {
      summary("spillway_request_body_bytes", "Request body sizes", route).record(r.requestBytes());
    }
    if (r.responseBytes() > 0) {
      summary("spillway_response_body_bytes", "Response body sizes", route).record(r.responseBytes());
    }
    if (r.endpoint() != null) {
      // rate() of busy seconds is the endpoint's average in-flight count (Little's law).
      counter("spillway_endpoint_busy_seconds", "Seconds spent in requests to each endpoint; rate() is the "
          + "average number in flight", "backend", backend, "endpoint", r.endpoint())
          .increment(r.durationNanos() / 1e9);
    }
    if (r.shadowRejected()) {
      counter("spillway_shadow_rejected", "Admitted requests a shadow-mode limit would have rejected",
          "route", route).increment();
    }
  }

  private Counter counter(String name, String help, String... tags) {
    String key = name + String.join("\u0000", tags);
    Counter c = counters.get(key);
    if (c == null) {
      c = Counter.builder(name).description(help).tags(tags).register(registry);
      counters.put(key, c);
    }
    return c;
  }

  private Timer timer(String name, String help, String route, String kind) {
    String key = name + route + "\u0000" + kind;
    Timer t = timers.get(key);
    if (t == null) {
      String kindTag = name.equals("spillway_time_to_first_byte") ? "type" : "outcome";
      t = Timer.builder(name).description(help).tags("route", route, kindTag, kind)
          .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
      timers.put(key, t);
    }
    return t;
  }

  private DistributionSummary summary(String name, String help, String route) {
    String key = name + route;
    DistributionSummary s = summaries.get(key);
    if (s == null) {
      s = DistributionSummary.builder(name).description(help).baseUnit("bytes").tags("route", route)
          .serviceLevelObjectives(1024, 16384, 131072, 1048576, 8388608).register(registry);
      summaries.put(key, s);
    }
    return s;
  }

  private static Duration[] buckets(double... seconds) {
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return out;
  }
}
