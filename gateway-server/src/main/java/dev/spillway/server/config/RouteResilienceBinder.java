package dev.spillway.server.config;

import dev.spillway.core.config.FailoverTierConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RetryConfig;
import dev.spillway.core.config.StreamConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Binds a route's failover tiers ({@code backends}), {@code retry} and {@code stream}. A tier is a map
 * ({@code {backend: fallback, model: gpt-4o-mini, overflow: [critical, standard]}}) or a bare backend name.
 * Whether each tier's backend is defined is checked with the other cross-references by
 * {@link dev.spillway.core.config.GatewayConfig}.
 */
final class RouteResilienceBinder {
  static final List<String> TIER_KEYS = List.of("backend", "model", "overflow");
  static final List<String> RETRY_KEYS = List.of("maxAttempts", "backoff", "maxReplayableBody", "budget");
  static final List<String> BACKOFF_KEYS = List.of("base", "max");
  static final List<String> BUDGET_KEYS = List.of("ratio", "minRetriesPerSecond");
  static final List<String> STREAM_KEYS = List.of("firstTokenTimeout", "idleTimeout", "totalTimeout",
      "heartbeatInterval");

  private RouteResilienceBinder() {}

  /** The tiers under {@code backends}, or {@code null} if any error was reported. */
  static List<FailoverTierConfig> tiers(MappingReader route) {
    ConfigNode.Sequence list = route.sequence("backends");
    if (list == null) {
      return null;
    }
    List<FailoverTierConfig> tiers = new ArrayList<>(list.items().size());
    boolean failed = false;
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = route.childPath("backends") + "[" + i + "]";
      FailoverTierConfig tier = item instanceof ConfigNode.Mapping
          ? tier(new MappingReader((ConfigNode.Mapping) item, path, item.line(), route.problems(), route.env()))
          : route.scalar(item, path, item.line(),
              "a failover tier (a backend name, or a map with backend, model, overflow)",
              FailoverTierConfig::of);
      failed |= tier == null;
      tiers.add(tier);
    }
    return failed ? null : tiers;
  }

  private static FailoverTierConfig tier(MappingReader tier) {
    int errorsBefore = tier.problems().count();
    tier.rejectUnknownKeys(TIER_KEYS);
    String backend = tier.string("backend", null);
    if (backend == null && !tier.has("backend")) {
      tier.missing("backend", "the name of a backend under backends");
    }
    String model = tier.string("model", null);
    Set<PriorityClass> overflow = overflow(tier);
    FailoverTierConfig config = tier.construct(() -> new FailoverTierConfig(backend == null ? "stand-in" : backend,
        model, overflow == null ? Set.of() : overflow));
    return tier.problems().count() > errorsBefore ? null : config;
  }

  /**
   * The priority classes that may overflow to this tier: {@code overflow: [critical, standard]} (a lone
   * class is a list of one); each at most once.
   */
  private static Set<PriorityClass> overflow(MappingReader tier) {
    List<PriorityClass> classes = tier.list("overflow", "a priority class",
        text -> Scalars.toEnum(text, PriorityClass.class, "a priority class"));
    if (classes == null) {
      return null;
    }
    Set<PriorityClass> set = EnumSet.noneOf(PriorityClass.class);
    for (PriorityClass c : classes) {
      if (!set.add(c)) {
        tier.problems().add(tier.childPath("overflow"), tier.node().get("overflow").keyLine(),
            "\"" + Scalars.configName(c) + "\" is listed twice (expected: each priority class at most once)");
        return null;
      }
    }
    return set;
  }

  /** The route's retry settings (defaults if absent), or {@code null} if any error was reported. */
  static RetryConfig retry(MappingReader retry) {
    int errorsBefore = retry.problems().count();
    retry.rejectUnknownKeys(RETRY_KEYS);
    int maxAttempts = retry.integer("maxAttempts", RetryConfig.DEFAULT_MAX_ATTEMPTS);
    Duration base = RetryConfig.DEFAULT_BACKOFF_BASE;
    Duration max = RetryConfig.DEFAULT_BACKOFF_MAX;
    MappingReader backoff = retry.mapping("backoff");
    if (backoff != null) {
      backoff.rejectUnknownKeys(BACKOFF_KEYS);
      base = backoff.duration("base", base);
      max = backoff.duration("max", max);
    }
    long maxReplayableBody = retry.size("maxReplayableBody", RetryConfig.DEFAULT_MAX_REPLAYABLE_BODY);
    double ratio = RetryConfig.DEFAULT_BUDGET_RATIO;
    int minRetriesPerSecond = RetryConfig.DEFAULT_MIN_RETRIES_PER_SECOND;
    MappingReader budget = retry.mapping("budget");
    if (budget != null) {
      budget.rejectUnknownKeys(BUDGET_KEYS);
      ratio = budget.decimal("ratio", ratio);
      minRetriesPerSecond = budget.integer("minRetriesPerSecond", minRetriesPerSecond);
    }
    RetryConfig config = construct(retry, maxAttempts, base, max, maxReplayableBody, ratio, minRetriesPerSecond);
    return retry.problems().count() > errorsBefore ? null : config;
  }

  private static RetryConfig construct(MappingReader retry, int maxAttempts, Duration base, Duration max,
      long maxReplayableBody, double ratio, int minRetriesPerSecond) {
    return retry.construct(() -> new RetryConfig(maxAttempts, base, max, maxReplayableBody, ratio,
        minRetriesPerSecond));
  }

  /** The route's stream settings (defaults if absent), or {@code null} if any error was reported. */
  static StreamConfig stream(MappingReader stream) {
    int errorsBefore = stream.problems().count();
    stream.rejectUnknownKeys(STREAM_KEYS);
    Duration firstToken = stream.duration("firstTokenTimeout", StreamConfig.DEFAULT_FIRST_TOKEN_TIMEOUT);
    Duration idle = stream.duration("idleTimeout", StreamConfig.DEFAULT_IDLE_TIMEOUT);
    Duration total = stream.duration("totalTimeout", StreamConfig.DEFAULT_TOTAL_TIMEOUT);
    Duration heartbeat = stream.duration("heartbeatInterval", StreamConfig.DEFAULT_HEARTBEAT_INTERVAL);
    StreamConfig config = stream.construct(() -> new StreamConfig(firstToken, idle, total, heartbeat));
    return stream.problems().count() > errorsBefore ? null : config;
  }
}
