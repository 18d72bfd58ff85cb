package dev.spillway.core.runtime;

import dev.spillway.core.config.GatewayConfig;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Compares two config snapshots: which keys only a restart can change ({@link #restartKeys}), and a
 * human-readable list of what a reload changes ({@link #summary}). Records are compared component by
 * component, so a new key is covered without this class changing.
 */
public final class ConfigChanges {
  private ConfigChanges() {}

  /**
   * Keys changed between {@code running} and {@code next} that cannot change live: the whole {@code server}
   * section (listen address and port, io threads, transport, TLS listener, request size limits, timeouts and
   * headers the connections were set up with), {@code limiterCache} (the size and expiry of the bucket
   * caches, which hold every tenant's level) and {@code limiterStore} (where the buckets live: this process
   * or Redis, opened once at start).
   */
  public static List<String> restartKeys(GatewayConfig running, GatewayConfig next) {
    List<String> out = new ArrayList<>();
    out.addAll(changedComponents("server", running.server(), next.server()));
    out.addAll(changedComponents("limiterCache", running.limiterCache(), next.limiterCache()));
    out.addAll(changedComponents("limiterStore", running.limiterStore(), next.limiterStore()));
    if (running.limiterStore().type() == dev.spillway.core.config.LimiterStoreType.REDIS) {
      out.addAll(sharedLimitChanges(running, next));
    }
    return out;
  }

  /**
   * Rate limits kept on Redis: every instance leases from the same buckets under their settings, so a changed
   * limit must change on all instances at once; a restart of each, not a live reload of one, does that.
   */
  private static List<String> sharedLimitChanges(GatewayConfig running, GatewayConfig next) {
    List<String> out = new ArrayList<>();
    if (!java.util.Objects.equals(running.tiers(), next.tiers())) {
      out.add("tiers (rate limits on the Redis store)");
    }
    for (var route : next.routes()) {
      for (var before : running.routes()) {
        if (before.name().equals(route.name()) && before.admission() != null
            && !java.util.Objects.equals(before.admission(), route.admission())) {
          out.add("routes[" + route.name() + "].admission (rate limits on the Redis store)");
        }
      }
    }
    return out;
  }

  /** What {@code next} changes in backends, routes, tiers and tenants, one line per item. */
  public static List<String> summary(GatewayConfig running, GatewayConfig next) {
    List<String> out = new ArrayList<>();
    diffMap("backends", running.backends(), next.backends(), out);
    Map<String, Object> before = new java.util.LinkedHashMap<>();
    running.routes().forEach(r -> before.put(r.name(), r));
    Map<String, Object> after = new java.util.LinkedHashMap<>();
    next.routes().forEach(r -> after.put(r.name(), r));
    diffMap("routes", before, after, out);
    if (!running.routes().stream().map(r -> r.name()).toList()
        .equals(next.routes().stream().map(r -> r.name()).toList()) && before.keySet().equals(after.keySet())) {
      out.add("routes: order changed");
    }
    diffMap("tiers", running.tiers(), next.tiers(), out);
    if (!running.tenants().equals(next.tenants())) {
      out.add("tenants: " + running.tenants().size() + " -> " + next.tenants().size() + " (keys or tiers changed)");
    }
    return out;
  }

  private static void diffMap(String section, Map<String, ?> before, Map<String, ?> after, List<String> out) {
    for (Map.Entry<String, ?> e : after.entrySet()) {
      Object old = before.get(e.getKey());
      if (old == null) {
        out.add(section + "." + e.getKey() + ": added");
      } else if (!old.equals(e.getValue())) {
        List<String> keys = changedComponents(section + "." + e.getKey(), old, e.getValue());
        out.add(section + "." + e.getKey() + ": changed " + String.join(", ", keys.isEmpty()
            ? List.of(section + "." + e.getKey()) : keys));
      }
    }
    for (String name : before.keySet()) {
      if (!after.containsKey(name)) {
        out.add(section + "." + name + ": removed");
      }
    }
  }

  /** The components of two records of one type that differ, as {@code prefix.component}. */
  public static List<String> changedComponents(String prefix, Object a, Object b) {
    if (Objects.equals(a, b)) {
      return List.of();
    }
    if (a == null || b == null || !a.getClass().isRecord() || a.getClass() != b.getClass()) {
      return List.of(prefix);
    }
    List<String> out = new ArrayList<>();
    for (RecordComponent c : a.getClass().getRecordComponents()) {
      try {
        Object x = c.getAccessor().invoke(a);
        Object y = c.getAccessor().invoke(b);
        if (!Objects.equals(x, y)) {
          out.add(prefix + "." + c.getName());
        }
      } catch (ReflectiveOperationException e) {
        out.add(prefix + "." + c.getName());
      }
    }
    return out;
  }
}
