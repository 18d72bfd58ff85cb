package dev.spillway.core.admission.identity;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.GatewayConfig;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.IdentityConfig.IdentitySource;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tells a route's tenants apart, as its {@link IdentityConfig} says: by API key (the bearer token of
 * {@code Authorization}, or a named header) or by client IP (believing {@code X-Forwarded-For} only from
 * trusted proxies; IPv6 clients by their /64). Keys of no configured tenant are not tenants of their own,
 * since anyone can mint them: they share one default-tier tenant (or one per client address). Raw keys are hashed at once and never kept; known tenants are found by key hash in a map
 * built once, so a known key costs one SHA-256 and one lookup, and its {@link Tenant} is shared, not rebuilt.
 *
 * <p>Immutable and thread-safe; build one per route (and again on a config reload).
 */
public final class TenantResolver {
  private static final String ANONYMOUS = "anonymous";
  private static final String UNKNOWN_KEY = "unknown-key";
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  private final IdentitySource source;
  private final AsciiString keyHeader;
  private final boolean requireKnownKey;
  private final TierConfig defaultTier;
  private final Map<String, Tenant> tenantsByKeyHash;
  private final Tenant anonymous;
  /** Every unknown key, when they are shared: one set of buckets, one waiting-room lane. */
  private final Tenant unknownKeys;
  private final boolean unknownKeysPerClient;
  private final ClientAddresses clientAddresses;

  /**
   * @param admission the route's admission settings
   * @param tiers every tier by name ({@code GatewayConfig.tiers()}); must hold the default tier and every
   *     tenant's tier, which {@link GatewayConfig} validates
   * @param tenants the known tenants ({@code GatewayConfig.tenants()})
   */
  public TenantResolver(AdmissionConfig admission, Map<String, TierConfig> tiers, List<TenantConfig> tenants) {
    IdentityConfig identity = admission.identity();
    source = identity.source();
    keyHeader = identity.header() == null ? null : AsciiString.of(identity.header());
    requireKnownKey = admission.requireKnownKey();
    defaultTier = tier(tiers, admission.defaultTier());
    anonymous = new Tenant(ANONYMOUS, ANONYMOUS, defaultTier, false);
    unknownKeys = new Tenant("u:" + defaultTier.name(), UNKNOWN_KEY, defaultTier, false);
    unknownKeysPerClient = identity.unknownKeys() == IdentityConfig.UnknownKeys.PER_CLIENT;
    clientAddresses = new ClientAddresses(identity.trustedProxies());
    Map<String, Tenant> byHash = new HashMap<>();
    for (TenantConfig tenant : tenants) {
      Tenant known = new Tenant("t:" + tenant.name(), tenant.name(), tier(tiers, tenant.tier()), true);
      for (String hash : tenant.keyHashes()) {
        byHash.put(hash, known);
      }
    }
    tenantsByKeyHash = byHash;
  }

  /** The tiers a request on this route can be limited by: the default tier's and every known tenant's. */
  public List<TierConfig> tiers() {
    List<TierConfig> tiers = new java.util.ArrayList<>();
    tiers.add(defaultTier);
    for (Tenant tenant : tenantsByKeyHash.values()) {
      if (!tiers.contains(tenant.tier())) {
        tiers.add(tenant.tier());
      }
    }
    return tiers;
  }

  /** The resolver of a route with admission {@code admission}, under the tiers and tenants of {@code config}. */
  public static TenantResolver of(AdmissionConfig admission, GatewayConfig config) {
    return new TenantResolver(admission, config.tiers(), config.tenants());
  }

  /**
   * Who sent a request.
   *
   * @param headers the request's headers
   * @param peer the address of the connection's other end
   * @return the tenant, or {@code null} when the route requires a known key and this request has none
   *     ({@link dev.spillway.core.admission.ShedReason#UNKNOWN_KEY}: answer 401)
   */
  public Tenant resolve(HttpHeaders headers, InetAddress peer) {
    if (source == IdentitySource.CLIENT_IP) {
      String address = clientAddresses.clientKey(peer, headers.getAll(X_FORWARDED_FOR));
      return new Tenant("ip:" + address, "ip:" + address, defaultTier, false);
    }
    String key = keyHeader == null
        ? BearerTokens.parse(headers.get(HttpHeaderNames.AUTHORIZATION))
        : BearerTokens.plain(headers.get(keyHeader));
    if (key == null) {
      return requireKnownKey ? null : anonymous;
    }
    Tenant tenant = byKeyHash(ApiKeys.sha256Hex(key));
    if (tenant == unknownKeys && unknownKeysPerClient) {
      String client = clientAddresses.clientKey(peer, headers.getAll(X_FORWARDED_FOR));
      return new Tenant(unknownKeys.key() + ":" + client, UNKNOWN_KEY, defaultTier, false);
    }
    return tenant;
  }

  /**
   * The tenant of a key already hashed with {@link ApiKeys#sha256Hex}, or {@code null} when the route requires a
   * known key and this is not one; every unknown key is the one shared unknown-key tenant. For callers that
   * cache hashes, and for measuring the lookup apart from SHA-256.
   */
  public Tenant byKeyHash(String keyHash) {
    Tenant known = tenantsByKeyHash.get(keyHash);
    if (known != null) {
      return known;
    }
    if (requireKnownKey) {
      return null;
    }
    return unknownKeys;
  }

  private static TierConfig tier(Map<String, TierConfig> tiers, String name) {
    return Objects.requireNonNull(tiers.get(name), () -> "tier: " + name + " (expected: a defined tier)");
  }
}
