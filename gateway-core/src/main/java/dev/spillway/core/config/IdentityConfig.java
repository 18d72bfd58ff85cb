package dev.spillway.core.config;

import java.util.List;

/**
 * How a route tells tenants apart.
 *
 * @param source {@code apiKey}: the bearer token of {@code Authorization} (or the value of {@code header} if
 *     set); {@code clientIp}: the peer address, or the right-most {@code X-Forwarded-For} entry not added by a
 *     trusted proxy
 * @param header for {@code apiKey}, a header carrying the key instead of {@code Authorization: Bearer};
 *     {@code null} for the default
 * @param trustedProxies for {@code clientIp}, CIDRs ({@code 10.0.0.0/8}, {@code ::1/128}) whose
 *     {@code X-Forwarded-For} entries are believed
 * @param unknownKeys for {@code apiKey}, how keys of no configured tenant are limited: {@code shared} (one set
 *     of default-tier buckets and one waiting-room lane for all of them) or {@code perClient} (one per client
 *     address, an IPv6 client counted by its /64)
 */
public record IdentityConfig(IdentitySource source, String header, List<String> trustedProxies,
    UnknownKeys unknownKeys) {
  public static final IdentityConfig DEFAULTS = new IdentityConfig(IdentitySource.API_KEY, null, List.of());

  /** Unknown keys shared by everyone. */
  public IdentityConfig(IdentitySource source, String header, List<String> trustedProxies) {
    this(source, header, trustedProxies, UnknownKeys.SHARED);
  }

  public IdentityConfig {
    Checks.notNull("source", source);
    Checks.notNull("unknownKeys", unknownKeys);
    if (header != null) {
      Checks.notBlank("header", header);
    }
    trustedProxies = List.copyOf(Checks.notNull("trustedProxies", trustedProxies));
    for (int i = 0; i < trustedProxies.size(); i++) {
      if (!Cidr.isValid(trustedProxies.get(i))) {
        throw new ConfigException("trustedProxies[" + i + "]", "\"" + trustedProxies.get(i)
            + "\" is not a CIDR (expected: e.g. 10.0.0.0/8, 192.168.1.7/32, ::1/128)");
      }
    }
  }

  /**
   * How unknown API keys are limited. Never one tenant per key: minting keys is free, so per-key buckets would
   * give a client as many fresh buckets as it cares to invent.
   */
  public enum UnknownKeys {
    SHARED,
    PER_CLIENT
  }

  /** Where the identity comes from. */
  public enum IdentitySource {
    API_KEY,
    CLIENT_IP
  }
}
