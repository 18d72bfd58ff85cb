package dev.spillway.core.admission.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.spillway.core.admission.Tenant;
import dev.spillway.core.config.AdmissionConfig;
import dev.spillway.core.config.ApiKeys;
import dev.spillway.core.config.IdentityConfig;
import dev.spillway.core.config.IdentityConfig.IdentitySource;
import dev.spillway.core.config.IdentityConfig.UnknownKeys;
import dev.spillway.core.config.PriorityClass;
import dev.spillway.core.config.RejectionConfig;
import dev.spillway.core.config.TenantConfig;
import dev.spillway.core.config.TierConfig;
import dev.spillway.core.config.TokenEstimationConfig;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TenantResolverTest {
  private static final TierConfig FREE = new TierConfig("free", PriorityClass.SHEDDABLE, List.of());
  private static final TierConfig PRO = new TierConfig("pro", PriorityClass.CRITICAL, List.of());
  private static final Map<String, TierConfig> TIERS = Map.of("free", FREE, "pro", PRO);
  private static final List<TenantConfig> TENANTS = List.of(
      new TenantConfig("acme", "pro", List.of(ApiKeys.sha256Hex("sk-acme-1"), ApiKeys.sha256Hex("sk-acme-2"))));
  private static final InetAddress PEER = address("203.0.113.9");

  @Test
  void aKnownBearerKeyResolvesToItsTenant() {
    TenantResolver resolver = apiKey(null, false);
    Tenant acme = resolver.resolve(headers("Authorization", "Bearer sk-acme-1"), PEER);
    assertThat(acme).isEqualTo(new Tenant("t:acme", "acme", PRO, true));
    assertThat(resolver.resolve(headers("Authorization", "bEaReR   sk-acme-2  "), PEER)).isSameAs(acme);
  }

  @Test
  void unknownKeysShareOneTenantOfTheDefaultTier() {
    TenantResolver resolver = apiKey(null, false);
    Tenant unknown = resolver.resolve(headers("Authorization", "Bearer sk-other"), PEER);
    assertThat(unknown).isEqualTo(new Tenant("u:free", "unknown-key", FREE, false));
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-another"), address("198.51.100.7")))
        .as("rotating keys is no way to fresh buckets").isEqualTo(unknown);
    assertThat(resolver.byKeyHash(ApiKeys.sha256Hex("sk-third"))).isEqualTo(unknown);
  }

  @Test
  void unknownKeysCanBeSharedPerClientAddressInstead() {
    TenantResolver resolver = new TenantResolver(admission(new IdentityConfig(IdentitySource.API_KEY, null,
        List.of(), UnknownKeys.PER_CLIENT), false), TIERS, TENANTS);
    Tenant one = resolver.resolve(headers("Authorization", "Bearer sk-other"), PEER);
    assertThat(one.key()).isEqualTo("u:free:203.0.113.9");
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-another"), PEER)).isEqualTo(one);
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-other"), address("2001:db8:1:2:aaaa::1")).key())
        .isEqualTo("u:free:2001:db8:1:2::/64");
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-acme-1"), PEER).name()).isEqualTo("acme");
  }

  @Test
  void ipv6ClientsAreKeyedByTheirSlash64() {
    TenantResolver resolver = clientIp(List.of());
    Tenant a = resolver.resolve(new DefaultHttpHeaders(), address("2001:db8:1:2::1"));
    Tenant b = resolver.resolve(new DefaultHttpHeaders(), address("2001:db8:1:2:ffff:ffff:ffff:fffe"));
    assertThat(a.key()).isEqualTo("ip:2001:db8:1:2::/64");
    assertThat(b).as("one host owns a whole /64: rotating within it is one client").isEqualTo(a);
    assertThat(resolver.resolve(new DefaultHttpHeaders(), address("2001:db8:1:3::1")).key())
        .isEqualTo("ip:2001:db8:1:3::/64");
    assertThat(resolver.resolve(new DefaultHttpHeaders(), address("203.0.113.9")).key()).isEqualTo("ip:203.0.113.9");
  }

  @Test
  void anUnknownKeyIsRefusedWhenAKnownOneIsRequired() {
    TenantResolver resolver = apiKey(null, true);
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-other"), PEER)).isNull();
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-acme-1"), PEER).name()).isEqualTo("acme");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Bearer", "Bearer ", "Basic c2stYWNtZS0x", "Bearersk-acme-1", "Bearer a b"})
  void aMissingOrMalformedAuthorizationIsAnonymousOrRefused(String value) {
    HttpHeaders headers = headers("Authorization", value);
    assertThat(apiKey(null, false).resolve(headers, PEER)).isEqualTo(new Tenant("anonymous", "anonymous", FREE,
        false));
    assertThat(apiKey(null, true).resolve(headers, PEER)).isNull();
    assertThat(apiKey(null, true).resolve(new DefaultHttpHeaders(), PEER)).isNull();
  }

  @Test
  void aNamedHeaderCarriesTheKeyItself() {
    TenantResolver resolver = apiKey("x-api-key", true);
    assertThat(resolver.resolve(headers("X-Api-Key", "sk-acme-1"), PEER).name()).isEqualTo("acme");
    assertThat(resolver.resolve(headers("Authorization", "Bearer sk-acme-1"), PEER)).isNull();
  }

  @Test
  void clientIpIsThePeerWhenNoProxyIsTrusted() {
    TenantResolver resolver = clientIp(List.of());
    Tenant tenant = resolver.resolve(headers("X-Forwarded-For", "198.51.100.1"), PEER);
    assertThat(tenant).isEqualTo(new Tenant("ip:203.0.113.9", "ip:203.0.113.9", FREE, false));
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    TenantResolver resolver = clientIp(List.of("10.0.0.0/8"));
    assertThat(resolver.resolve(headers("X-Forwarded-For", "198.51.100.1"), PEER).key())
        .isEqualTo("ip:203.0.113.9");
  }

  @Test
  void trustedProxiesAreSkippedFromTheRight() {
    TenantResolver resolver = clientIp(List.of("10.0.0.0/8", "192.168.1.7/32"));
    InetAddress proxy = address("10.1.2.3");
    // The client tried to spoof 1.1.1.1; the first hop that is no trusted proxy is the real client.
    HttpHeaders headers = headers("X-Forwarded-For", "1.1.1.1, 198.51.100.4:5123");
    headers.add("X-Forwarded-For", "192.168.1.7 , 10.9.9.9");
    assertThat(resolver.resolve(headers, proxy).key()).isEqualTo("ip:198.51.100.4");
  }

  @Test
  void aChainOfOnlyTrustedProxiesEndsAtItsLeftmostHop() {
    TenantResolver resolver = clientIp(List.of("10.0.0.0/8"));
    assertThat(resolver.resolve(headers("X-Forwarded-For", "10.0.0.5, 10.0.0.6"), address("10.0.0.7")).key())
        .isEqualTo("ip:10.0.0.5");
  }

  @Test
  void garbageFromATrustedHopStopsAtThatHop() {
    TenantResolver resolver = clientIp(List.of("10.0.0.0/8", "::1/128"));
    assertThat(resolver.resolve(headers("X-Forwarded-For", "evil.example, 10.0.0.6"), address("::1")).key())
        .isEqualTo("ip:10.0.0.6");
    assertThat(resolver.resolve(headers("X-Forwarded-For", "[2001:db8::1]:443"), address("::1")).key())
        .isEqualTo("ip:2001:db8::/64");
  }

  private static TenantResolver apiKey(String header, boolean requireKnownKey) {
    return new TenantResolver(admission(new IdentityConfig(IdentitySource.API_KEY, header, List.of()),
        requireKnownKey), TIERS, TENANTS);
  }

  private static TenantResolver clientIp(List<String> trusted) {
    return new TenantResolver(admission(new IdentityConfig(IdentitySource.CLIENT_IP, null, trusted), false), TIERS,
        TENANTS);
  }

  private static AdmissionConfig admission(IdentityConfig identity, boolean requireKnownKey) {
    return new AdmissionConfig(identity, requireKnownKey, "free", List.of(), TokenEstimationConfig.DEFAULTS,
        RejectionConfig.DEFAULTS);
  }

  private static HttpHeaders headers(String name, String value) {
    return new DefaultHttpHeaders().add(name, value);
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
