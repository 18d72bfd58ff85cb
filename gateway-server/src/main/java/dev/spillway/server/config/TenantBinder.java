package dev.spillway.server.config;

import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.TenantConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Binds tenants: the {@code tenants} list and the list in {@code keysFile}, which share one shape. Raw
 * {@code keys} are hashed with {@link ApiKeys#sha256Hex} as they are read and never appear in an error;
 * {@code keySha256} takes keys hashed beforehand. A tenant needs a {@code name}, a {@code tier} and at least
 * one key.
 */
final class TenantBinder {
  static final List<String> KEYS = List.of("name", "tier", "keys", "keySha256");

  private TenantBinder() {}

  /**
   * A bound tenant and where it came from, so a cross-check error about it (which names its position in
   * {@link dev.spillway.core.config.GatewayConfig#tenants()}) can be placed in the right file and line.
   *
   * @param problems where errors about this tenant go: the config file's or the keys file's
   * @param path the tenant's key path in that file, e.g. {@code tenants[2]} or {@code [2]}
   * @param keyPaths the key path of each entry of {@code config.keyHashes()}
   */
  record Bound(TenantConfig config, Problems problems, String path, List<String> keyPaths) {
    Bound withName(String name) {
      return new Bound(new TenantConfig(name, config.tier(), config.keyHashes()), problems, path, keyPaths);
    }

    Bound withTier(String tier) {
      return new Bound(new TenantConfig(config.name(), tier, config.keyHashes()), problems, path, keyPaths);
    }

    Bound withoutKey(int k) {
      List<String> hashes = new ArrayList<>(config.keyHashes());
      List<String> paths = new ArrayList<>(keyPaths);
      hashes.remove(k);
      paths.remove(k);
      return new Bound(new TenantConfig(config.name(), config.tier(), hashes), problems, path, paths);
    }
  }

  /**
   * Binds each tenant of {@code list} into {@code out}; the items' paths are {@code listPath[i]}. Tenants
   * without a usable name, tier or keys are reported and left out.
   */
  static void bindAll(ConfigNode.Sequence list, String listPath, Problems problems, EnvSubstitution env,
      List<Bound> out) {
    for (int i = 0; i < list.items().size(); i++) {
      ConfigNode item = list.items().get(i);
      String path = listPath + "[" + i + "]";
      if (!(item instanceof ConfigNode.Mapping)) {
        problems.add(path, item.line(), item.describe() + " is not a map (expected: " + String.join(", ", KEYS)
            + ")");
        continue;
      }
      Bound tenant = bind(new MappingReader((ConfigNode.Mapping) item, path, item.line(), problems, env));
      if (tenant != null) {
        out.add(tenant);
      }
    }
  }

  private static Bound bind(MappingReader tenant) {
    tenant.rejectUnknownKeys(KEYS);
    String name = required(tenant, "name", "a unique tenant name, shown in logs and metrics instead of its keys");
    String tier = required(tenant, "tier", "the name of a tier under tiers");
    List<String> hashes = new ArrayList<>();
    List<String> keyPaths = new ArrayList<>();
    boolean keysBound = addKeys(tenant, "keys", TenantBinder::hashRawKey, hashes, keyPaths);
    keysBound &= addKeys(tenant, "keySha256", TenantBinder::checkHash, hashes, keyPaths);
    if (keysBound && hashes.isEmpty()) {
      tenant.missing("keys", "at least one API key under keys or keySha256");
    }
    if (name == null || tier == null || !keysBound || hashes.isEmpty()) {
      return null;
    }
    // Kept despite other errors (an unknown key, say), so its name, tier and keys are still cross-checked;
    // the load fails either way.
    TenantConfig config = tenant.construct(() -> new TenantConfig(name, tier, hashes));
    return config == null ? null : new Bound(config, tenant.problems(), tenant.path(), List.copyOf(keyPaths));
  }

  private static String required(MappingReader tenant, String key, String expected) {
    if (!tenant.has(key)) {
      tenant.missing(key, expected);
      return null;
    }
    return tenant.string(key, null);
  }

  /** Adds the hashes under {@code key} and their paths; returns whether all of them bound. */
  private static boolean addKeys(MappingReader tenant, String key, Function<String, String> hash,
      List<String> hashes, List<String> keyPaths) {
    List<String> bound = tenant.secretList(key, "an API key", hash);
    if (bound == null) {
      return false;
    }
    ConfigNode.Entry entry = tenant.node().get(key);
    boolean single = entry != null && !(entry.value() instanceof ConfigNode.Sequence);
    for (int i = 0; i < bound.size(); i++) {
      hashes.add(bound.get(i));
      keyPaths.add(single ? tenant.childPath(key) : tenant.childPath(key) + "[" + i + "]");
    }
    return true;
  }

  // Neither message may quote the value: it is a raw key, or may be one pasted under the wrong key.
  private static String hashRawKey(String key) {
    if (key.isBlank()) {
      throw new IllegalArgumentException("an empty key (expected: a non-empty API key)");
    }
    return ApiKeys.sha256Hex(key);
  }

  private static String checkHash(String text) {
    String hash = text.trim().toLowerCase(Locale.ROOT);
    boolean valid = hash.length() == 64 && hash.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!valid) {
      throw new IllegalArgumentException("not a SHA-256 hex digest (expected: 64 hex digits; the value is not "
          + "shown in case it is a raw key)");
    }
    return hash;
  }
}
