package dev.spillway.core.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Limit names must be unique in a list: they key the buckets and name the headers. */
final class LimitNames {
  private LimitNames() {}

  static void checkUnique(List<LimitConfig> limits) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < limits.size(); i++) {
      if (!seen.add(limits.get(i).name())) {
        throw new ConfigException("limits[" + i + "].name", "\"" + limits.get(i).name()
            + "\" is used by an earlier limit");
      }
    }
  }
}
