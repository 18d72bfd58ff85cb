package dev.spillway.server.config;

import dev.spillway.core.config.BandwidthConfig;
import dev.spillway.core.config.FailurePolicy;
import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.LimitUnit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds a {@code limits} list (of a tier or of a route's admission) to {@link LimitConfig}s. Each limit needs
 * a {@code name} and {@code bandwidths}; {@code bandwidths} may be a single string ({@code bandwidths: 20/s}).
 */
final class LimitBinder {
  static final List<String> KEYS = List.of("name", "unit", "bandwidths", "enforce", "failure");
  /** A limit counts requests unless told otherwise: the unit that needs no token estimation. */
  static final LimitUnit DEFAULT_UNIT = LimitUnit.REQUESTS;
  /** Limits are enforced unless explicitly put in shadow mode. */
  static final boolean DEFAULT_ENFORCE = true;

  private LimitBinder() {}

  /**
   * Binds the list under {@code key} of {@code owner}; an absent key is an empty list. Returns {@code null}
   * if any error was reported.
   */
  static List<LimitConfig> bindAll(MappingReader owner, String key) {
    ConfigNode.Sequence list = owner.sequence(key);
    if (list == null) {
      return owner.has(key) ? null : List.of();
    }
    List<LimitConfig> limits = new ArrayList<>(list.items().size());
    boolean failed = false;
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = owner.childPath(key) + "[" + i + "]";
      if (!(item instanceof ConfigNode.Mapping)) {
        owner.problems().add(path, item.line(), item.describe() + " is not a map (expected: "
            + String.join(", ", KEYS) + ")");
        failed = true;
        continue;
      }
      LimitConfig limit = bind(new MappingReader((ConfigNode.Mapping) item, path, item.line(), owner.problems(),
          owner.env()));
      failed |= limit == null;
      limits.add(limit);
    }
    return failed ? null : limits;
  }

  private static LimitConfig bind(MappingReader limit) {
    int errorsBefore = limit.problems().count();
    limit.rejectUnknownKeys(KEYS);
    String name = limit.string("name", null);
    if (name == null) {
      limit.missing("name", "a name unique in its list, shown in RateLimit-Policy headers and metrics");
    }
    LimitUnit unit = limit.enumValue("unit", LimitUnit.class, "a limit unit", DEFAULT_UNIT);
    List<BandwidthConfig> bandwidths = limit.list("bandwidths", "a bandwidth", BandwidthConfig::parse);
    if (!limit.has("bandwidths")) {
      limit.missing("bandwidths", "one or more <count>/<period>, e.g. [20/s, 600/1m]");
    }
    boolean enforce = limit.bool("enforce", DEFAULT_ENFORCE);
    LimiterStoreBinder.Failure failure = limit.enumValue("failure", LimiterStoreBinder.Failure.class,
        "a failure policy", null);
    FailurePolicy policy = failure == null ? FailurePolicy.STORE_DEFAULT : failure.policy;
    // Parts that failed (already reported) get valid stand-ins, so the constructor still checks the rest.
    List<BandwidthConfig> checked = bandwidths == null || !limit.has("bandwidths")
        ? List.of(new BandwidthConfig(1, Duration.ofSeconds(1))) : bandwidths;
    LimitConfig config = limit.construct(() -> new LimitConfig(name == null ? "stand-in" : name, unit, checked,
        enforce, policy));
    return limit.problems().count() > errorsBefore ? null : config;
  }
}
