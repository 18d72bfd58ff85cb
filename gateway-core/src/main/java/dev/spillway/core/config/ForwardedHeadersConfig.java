package dev.spillway.core.config;

import java.util.List;

/**
 * What the gateway does with the forwarding headers a client sends ({@code Forwarded}, {@code X-Forwarded-For},
 * {@code X-Forwarded-Proto}, {@code X-Forwarded-Host}), YAML {@code server.forwardedHeaders}.
 *
 * <p>A peer inside {@code trustedProxies} is a proxy in front of the gateway: its headers are kept, the
 * gateway's own entries appended, and its {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} believed. Any other
 * peer is handled by {@code mode}.
 *
 * @param trustedProxies CIDRs ({@code 10.0.0.0/8}, {@code ::1/128}) of proxies whose forwarding headers are
 *     believed; empty: none
 * @param mode what happens to the forwarding headers of an untrusted peer
 */
public record ForwardedHeadersConfig(List<String> trustedProxies, Mode mode) {
  public static final ForwardedHeadersConfig DEFAULTS = new ForwardedHeadersConfig(List.of(), Mode.REPLACE);

  /** The handling of an untrusted peer's forwarding headers. */
  public enum Mode {
    /** Removed; the gateway writes fresh ones from the connection (the default). */
    REPLACE,
    /** Kept, with the gateway's entries appended: backends must only believe the last entry. */
    APPEND,
    /** Removed, and none written: backends never see a client address. */
    DROP
  }

  public ForwardedHeadersConfig {
    trustedProxies = List.copyOf(Checks.notNull("trustedProxies", trustedProxies));
    Checks.notNull("mode", mode);
    for (int i = 0; i < trustedProxies.size(); i++) {
      if (!Cidr.isValid(trustedProxies.get(i))) {
        throw new ConfigException("trustedProxies[" + i + "]", "\"" + trustedProxies.get(i)
            + "\" is not a CIDR (expected: e.g. 10.0.0.0/8, 192.168.1.7/32, ::1/128)");
      }
    }
  }
}
