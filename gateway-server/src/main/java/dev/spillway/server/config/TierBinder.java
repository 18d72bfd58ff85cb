package dev.spillway.server.config;

import dev.spillway.core.config.LimitConfig;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.TierConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the {@code tiers} map to {@link TierConfig}s; each entry's key becomes the tier's name.
 * {@code priority} defaults to {@link TierConfig#DEFAULT_PRIORITY}, {@code limits} to none.
 */
final class TierBinder {
  static final List<String> KEYS = List.of("priority", "limits");

  private TierBinder() {}

  /**
   * Tiers that bound, plus stand-ins for those that did not (reported already), so tenants and routes naming
   * a broken tier are not also reported as naming an undefined one. {@code null} if {@code tiers} is not a map.
   */
  static Map<String, TierConfig> bindAll(MappingReader root) {
    MappingReader tiers = root.mapping("tiers");
    if (tiers == null) {
      return null;
    }
    Map<String, TierConfig> result = new LinkedHashMap<>();
    for (ConfigNode.Entry entry : tiers.node().entries().values()) {
      MappingReader tier = tiers.mapping(entry.key());
      TierConfig config = tier == null ? null : bind(entry.key(), tier);
      if (config == null && !entry.key().isBlank()) {
        config = new TierConfig(entry.key(), TierConfig.DEFAULT_PRIORITY, List.of());
      }
      if (config != null) {
        result.put(entry.key(), config);
      }
    }
    return result;
  }

  private static TierConfig bind(String name, MappingReader tier) {
    int errorsBefore = tier.problems().count();
    tier.rejectUnknownKeys(KEYS);
    PriorityClass priority = tier.enumValue("priority", PriorityClass.class, "a priority class",
        TierConfig.DEFAULT_PRIORITY);
    List<LimitConfig> limits = LimitBinder.bindAll(tier, "limits");
    TierConfig config = tier.construct(() -> new TierConfig(name, priority, limits == null ? List.of() : limits));
    return tier.problems().count() > errorsBefore ? null : config;
  }
}
