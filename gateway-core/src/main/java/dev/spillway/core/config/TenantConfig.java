package dev.spillway.core.config;

import java.util.List;

/**
 * A known tenant. Only SHA-256 hashes of its API keys are kept (in memory, in logs); config loaders hash raw
 * keys with {@link ApiKeys#sha256Hex} as they read them.
 *
 * @param name shown in logs and metrics instead of any key
 * @param tier the name of a tier under {@code tiers}
 * @param keyHashes lower-case hex SHA-256 of each API key
 */
public record TenantConfig(String name, String tier, List<String> keyHashes) {
  public TenantConfig {
    Checks.notBlank("name", name);
    Checks.notBlank("tier", tier);
    keyHashes = List.copyOf(Checks.notNull("keys", keyHashes));
    for (int i = 0; i < keyHashes.size(); i++) {
      if (!ApiKeys.isSha256Hex(keyHashes.get(i))) {
        throw new ConfigException("keys[" + i + "]", "not a SHA-256 hex digest (expected: 64 hex digits)");
      }
    }
  }
}
